// Opening files that someone else may have placed: never follow a symbolic link in the last path
// component, never block on a FIFO or a device (opening a FIFO for reading waits for a writer and
// holds one of libuv's four pool threads — the whole agent's file I/O — until then), and read only
// what is a regular file once open. Windows has no O_NOFOLLOW or FIFOs in folders: there a reparse
// point is followed, so callers that must not read outside a folder also compare the opened file's
// identity with the one they checked (see intake/stable-file.ts).
import { constants, type BigIntStats } from 'node:fs';
import * as fs from 'node:fs/promises';

const NON_BLOCKING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const NON_BLOCKING_NO_FOLLOW = NON_BLOCKING | (constants.O_NOFOLLOW ?? 0);

export interface OpenOptions {
  /** For paths the user configured (a CA file may well be a link into /etc/ssl): follow, but still never block. */
  followLinks?: boolean;
}

function readFlags(options: OpenOptions, platform: NodeJS.Platform = process.platform): number {
  if (platform === 'win32') return constants.O_RDONLY;
  return options.followLinks ? NON_BLOCKING : NON_BLOCKING_NO_FOLLOW;
}

/** The path is (or became) something other than a regular file; `kind` says what. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREGULAR';
  readonly kind: string;
  constructor(path: string, kind: string) {
    super(`${path} is ${kind}, not a regular file; not read`);
    this.name = 'NotRegularFileError';
    this.kind = kind;
  }
}

function fileKind(stats: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Opens a regular file for reading, or throws NotRegularFileError (symbolic link, FIFO, device…). */
export async function openRegularFile(path: string, options: OpenOptions = {}): Promise<{ handle: fs.FileHandle; stats: BigIntStats }> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, readFlags(options));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // O_NOFOLLOW on a symbolic link: ELOOP (Linux, macOS), EMLINK (FreeBSD). ENXIO: a socket.
    if (code === 'ELOOP' || code === 'EMLINK') throw new NotRegularFileError(path, 'a symbolic link');
    if (code === 'ENXIO') throw new NotRegularFileError(path, 'a socket or device');
    throw error;
  }
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) throw new NotRegularFileError(path, fileKind(stats));
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The whole content of a regular file (see openRegularFile). */
export async function readRegularFile(path: string): Promise<Buffer>;
export async function readRegularFile(path: string, encoding: 'utf8', options?: OpenOptions): Promise<string>;
export async function readRegularFile(path: string, encoding?: 'utf8', options: OpenOptions = {}): Promise<Buffer | string> {
  const { handle } = await openRegularFile(path, options);
  try {
    return encoding ? await handle.readFile(encoding) : await handle.readFile();
  } finally {
    await handle.close();
  }
}
