// File-system probes the folder watcher builds stability on: what a path is right now, whether a
// writer still holds it, whether the watched folder itself is reachable.
import type { BigIntStats } from 'node:fs';
import * as fs from 'node:fs/promises';
import { NotRegularFileError, openRegularFile } from '../util/regular-file.ts';

export interface FileSnapshot {
  size: number;
  mtimeMs: number;
  /** `dev:ino` (exact, from bigint stats): the same name may come to hold another file. */
  identity: string;
}

export type FileProbe = ({ status: 'file'; uid: number } & FileSnapshot) | { status: 'gone' } | { status: 'not_a_file' } | { status: 'error'; message: string };

/** lstat, so a symlink is never followed out of the watched folder. */
export async function probeFile(path: string): Promise<FileProbe> {
  try {
    const stats = await fs.lstat(path, { bigint: true });
    if (!stats.isFile()) return { status: 'not_a_file' };
    return { status: 'file', ...snapshotOf(stats), uid: Number(stats.uid) };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'gone' };
    return { status: 'error', message: describe(error) };
  }
}

export function snapshotOf(stats: BigIntStats): FileSnapshot {
  // Node's own float mtimeMs (sec * 1e3 + nsec / 1e6), so it equals what a plain stat() reports.
  const seconds = stats.mtimeNs / 1_000_000_000n;
  const nanoseconds = stats.mtimeNs % 1_000_000_000n;
  return { size: Number(stats.size), mtimeMs: Number(seconds) * 1000 + Number(nanoseconds) / 1e6, identity: `${stats.dev}:${stats.ino}` };
}

export function sameSnapshot(a: FileSnapshot | undefined, b: FileSnapshot | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs && a.identity === b.identity;
}

/** The file at a path is no longer the one whose stability was checked; it was not read. */
export class SourceChangedError extends Error {
  readonly code = 'ESOURCECHANGED';
  constructor(path: string, what: string) {
    super(`${path} ${what} after it was checked; not read (it will be looked at again)`);
    this.name = 'SourceChangedError';
  }
}

/**
 * Opens exactly the file whose stability was checked: no symbolic link followed, no FIFO or device
 * opened, and the handle's device, inode, size and mtime equal to the snapshot. Everything read
 * afterwards comes from this handle, never from the path again, so swapping the name for a link
 * between the check and the read gains nothing.
 */
export async function openStableFile(path: string, expected: FileSnapshot): Promise<fs.FileHandle> {
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(path);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new SourceChangedError(path, `became ${error.kind}`);
    throw error;
  }
  const actual = snapshotOf(opened.stats);
  const difference =
    actual.identity !== expected.identity
      ? 'was replaced by another file'
      : actual.size !== expected.size || actual.mtimeMs !== expected.mtimeMs
        ? 'changed'
        : null;
  if (difference) {
    await opened.handle.close();
    throw new SourceChangedError(path, difference);
  }
  return opened.handle;
}

// Windows reports a file held open by its writer (ERP, scanner) as busy or not permitted.
const LOCKED_CODES = new Set(['EBUSY', 'EPERM', 'EACCES']);

export type ReadCheck = { status: 'readable' } | { status: 'locked'; code: string } | { status: 'gone' } | { status: 'error'; message: string };

/**
 * Windows: opens the file for reading and closes it again, where a writer's exclusive lock shows up.
 * Elsewhere no writer can lock a reader out, so asking for read permission is the same check in one
 * call instead of two.
 */
export async function checkReadable(path: string, platform: NodeJS.Platform = process.platform): Promise<ReadCheck> {
  try {
    if (platform === 'win32') await (await fs.open(path, 'r')).close();
    else await fs.access(path, fs.constants.R_OK);
    return { status: 'readable' };
  } catch (error) {
    const code = errorCode(error) ?? '';
    if (LOCKED_CODES.has(code)) return { status: 'locked', code };
    if (code === 'ENOENT') return { status: 'gone' };
    return { status: 'error', message: describe(error) };
  }
}

// Codes seen when a folder is deleted, or a network share is unmounted or unreachable.
const UNREACHABLE_CODES = new Set(['ENOENT', 'ENOTDIR', 'ENODEV', 'ENXIO', 'ESTALE', 'EHOSTDOWN', 'EHOSTUNREACH', 'ENETUNREACH', 'EIO', 'ENOTCONN']);

export type FolderProbe = { status: 'ok'; identity: string } | { status: 'missing'; message: string } | { status: 'error'; message: string };

export async function probeFolder(folder: string): Promise<FolderProbe> {
  try {
    const stats = await fs.stat(folder);
    if (!stats.isDirectory()) return { status: 'error', message: `${folder} is not a folder` };
    await fs.access(folder, fs.constants.R_OK);
    return { status: 'ok', identity: `${stats.dev}:${stats.ino}` };
  } catch (error) {
    if (UNREACHABLE_CODES.has(errorCode(error) ?? ''))
      return { status: 'missing', message: `folder ${folder} is missing or unreachable (${errorCode(error)})` };
    return { status: 'error', message: `folder ${folder} cannot be read: ${describe(error)}` };
  }
}

export function isUnreachableError(error: unknown): boolean {
  return UNREACHABLE_CODES.has(errorCode(error) ?? '');
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
