// What happens to a source file after its capture is recorded: moved to sent/, moved to errors/
// with a reason file beside it, or deleted. moveFile and unlinkFile return the folders whose fsync
// makes them survive a power cut, for a caller that records them as done only after it (capture.ts);
// the others are durable on return. A name already taken becomes 'name (2).ext'. Names written here are
// cleaned of control and bidi characters and cut to 255 UTF-8 bytes, numbering and note included.
import { randomBytes } from 'node:crypto';
import { EOL } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as fs from 'node:fs/promises';
import { openRegularFile } from '../util/regular-file.ts';
import { fsyncDirectory, writeDurably } from '../util/fsync.ts';
import { MAX_NAME_BYTES, cleanName, escapeForNote, fitName, temporaryName, utf8Length } from '../util/file-names.ts';

export const SENT_FOLDER = 'sent';
export const ERRORS_FOLDER = 'errors';
const ERROR_NOTE_SUFFIX = '.error.txt';

/** First free name in `dir`: 'a.pdf', then 'a (2).pdf', 'a (3).pdf'... ('x.xml.p7m' -> 'x (2).xml.p7m'). */
export async function uniqueDestination(dir: string, name: string): Promise<string> {
  for (let attempt = 1; ; attempt += 1) {
    const candidate = join(dir, numberedName(name, attempt, MAX_NAME_BYTES));
    if (!(await exists(candidate))) return candidate;
  }
}

/** Moves a file so that after return it is on disk at `destination` and gone from `source`, even across volumes. */
export async function moveFileDurably(source: string, destination: string): Promise<void> {
  await syncFolders(await moveFile(source, destination));
}

/**
 * Moves a file (a rename; a copy, fsynced, and an unlink across volumes) and returns the folders
 * whose fsync makes the move survive a power cut: for a caller that records the move as done only
 * after that fsync (capture.ts), so many moves share it.
 */
export async function moveFile(source: string, destination: string): Promise<string[]> {
  try {
    await renameCreatingFolder(source, destination);
  } catch (error) {
    if (errorCode(error) !== 'EXDEV') throw error;
    await copyAcrossVolumes(source, destination);
    await fs.unlink(source);
  }
  return dirname(source) === dirname(destination) ? [dirname(destination)] : [dirname(destination), dirname(source)];
}

/** fsyncs each folder (concurrent callers share the fsyncs: util/fsync.ts). */
export async function syncFolders(folders: readonly string[]): Promise<void> {
  await Promise.all(folders.map((folder) => fsyncDirectory(folder)));
}

/** The destination folder is created only when the rename says it is missing (one call fewer per file). */
async function renameCreatingFolder(source: string, destination: string): Promise<void> {
  try {
    await fs.rename(source, destination);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    await fs.mkdir(dirname(destination), { recursive: true });
    await fs.rename(source, destination); // ENOENT again: the source is gone
  }
}

/**
 * Moves the file to `<watched>/errors/` under a free name and writes '<that name>.error.txt' beside it.
 * `reasons` are one line each; names and reasons are escaped, so none can add a line to the note.
 */
export async function moveToErrors(source: string, watchedFolder: string, reasons: string | readonly string[]): Promise<string> {
  const errorsDir = join(watchedFolder, ERRORS_FOLDER);
  const destination = await reserveDestination(errorsDir, basename(source), [ERROR_NOTE_SUFFIX]);
  const lines = (typeof reasons === 'string' ? [reasons] : reasons.length > 0 ? reasons : ['refused']).map(escapeForNote);
  // The reason is written first: whenever the file shows up in errors/, its explanation is beside it.
  const note = [
    'Recapito could not process this file.',
    '',
    `File:          ${escapeForNote(basename(destination))}`,
    `Original name: ${escapeForNote(basename(source))}`,
    `Original path: ${escapeForNote(source)}`,
    `Time:          ${new Date().toISOString()}`,
    ...lines.map((line, index) => `${(index === 0 ? 'Reason:' : '').padEnd(15)}${line}`),
    '',
  ].join(EOL);
  // The user's folder: the note gets the mode a file they made would (0666 less their umask).
  await writeDurably(destination + ERROR_NOTE_SUFFIX, note, { mode: 0o666, createFolder: false });
  await moveReserved(source, destination);
  return destination;
}

/** Moves the file to `<watched>/sent/` under a free name. */
export async function moveToSent(source: string, watchedFolder: string): Promise<string> {
  const destination = await reserveDestination(join(watchedFolder, SENT_FOLDER), basename(source), []);
  await moveReserved(source, destination);
  return destination;
}

/** Deletes a file; returns the folder whose fsync makes that survive a power cut (none: it was already gone). */
export async function unlinkFile(path: string): Promise<string[]> {
  try {
    await fs.unlink(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  return [dirname(path)];
}

/**
 * Claims a free name by creating an empty placeholder with O_EXCL, so two moves racing for the same
 * name cannot overwrite each other (a plain exists-then-rename check could).
 */
async function reserveDestination(dir: string, name: string, companionSuffixes: string[]): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  // The companions ('<name>.error.txt') must fit too.
  const maxBytes = MAX_NAME_BYTES - Math.max(0, ...companionSuffixes.map(utf8Length));
  for (let attempt = 1; ; attempt += 1) {
    const candidate = join(dir, numberedName(name, attempt, maxBytes));
    const companionsTaken = await Promise.all(companionSuffixes.map((suffix) => exists(candidate + suffix)));
    if (companionsTaken.some(Boolean)) continue;
    try {
      await (await fs.open(candidate, 'wx')).close();
      return candidate;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
  }
}

/** Moves onto our own placeholder; removes the placeholder if the move fails. */
async function moveReserved(source: string, destination: string): Promise<void> {
  try {
    await moveFileDurably(source, destination);
  } catch (error) {
    await fs.rm(destination, { force: true });
    throw error;
  }
}

async function copyAcrossVolumes(source: string, destination: string): Promise<void> {
  const temp = join(dirname(destination), temporaryName(basename(destination), `${randomBytes(6).toString('hex')}.part`));
  try {
    // From a no-follow, non-blocking handle: a link or FIFO swapped in is neither followed nor read.
    const { handle: input, stats } = await openRegularFile(source);
    try {
      const output = await fs.open(temp, 'wx', Number(stats.mode & 0o777n));
      try {
        await copyContent(input, output);
        await output.sync();
      } finally {
        await output.close();
      }
    } finally {
      await input.close();
    }
    // Keep the date the user knows the file by (seconds, to the microsecond).
    await fs.utimes(temp, Number(stats.atimeNs / 1000n) / 1e6, Number(stats.mtimeNs / 1000n) / 1e6);
    await fs.rename(temp, destination);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** The attempt-th candidate name, cleaned and cut so that, ' (N)' included, it measures at most maxBytes. */
async function copyContent(input: fs.FileHandle, output: fs.FileHandle): Promise<void> {
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    const { bytesRead } = await input.read(chunk, 0, chunk.byteLength, null);
    if (bytesRead === 0) return;
    for (let written = 0; written < bytesRead;) written += (await output.write(chunk, written, bytesRead - written)).bytesWritten;
  }
}

function numberedName(name: string, attempt: number, maxBytes: number): string {
  // Keeps a signed file's double extension together; a leading dot is a name, not an extension.
  return fitName(cleanName(name), maxBytes, { suffix: attempt === 1 ? '' : ` (${attempt})` });
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
