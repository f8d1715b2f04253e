// File-system probes the folder watcher builds stability on: what a path is right now, whether a
// writer still holds it, whether the watched folder itself is reachable.
import * as fs from 'node:fs/promises';

export interface FileSnapshot {
  size: number;
  mtimeMs: number;
}

export type FileProbe =
  | ({ status: 'file' } & FileSnapshot)
  | { status: 'gone' }
  | { status: 'not_a_file' }
  | { status: 'error'; message: string };

/** lstat, so a symlink is never followed out of the watched folder. */
export async function probeFile(path: string): Promise<FileProbe> {
  try {
    const stats = await fs.lstat(path);
    if (!stats.isFile()) return { status: 'not_a_file' };
    return { status: 'file', size: stats.size, mtimeMs: stats.mtimeMs };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'gone' };
    return { status: 'error', message: describe(error) };
  }
}

export function sameSnapshot(a: FileSnapshot | undefined, b: FileSnapshot | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;
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
    if (UNREACHABLE_CODES.has(errorCode(error) ?? '')) return { status: 'missing', message: `folder ${folder} is missing or unreachable (${errorCode(error)})` };
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
