// The agent's log files for the support bundle, newest first, within a byte budget: recapito.log,
// then recapito.1.log, recapito.2.log… (the logger's rotation). A file that does not fit whole gives
// its last bytes, from the first whole line; files past the budget are listed as left out. Only
// regular files are read (never a link or a FIFO someone put in the folder), and nothing is written.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openRegularFile } from '../util/regular-file.ts';

export interface LogTailFile {
  name: string;
  /** The file's size on disk. */
  size: number;
  /** What is kept: the whole file, or its tail from the first whole line. */
  bytes: Buffer;
  truncated: boolean;
}

export interface LogTail {
  files: LogTailFile[];
  leftOut: { name: string; size: number; why: string }[];
}

const LOG_NAME = /^recapito(?:\.(\d+))?\.log$/;

/** The logger's files in `dir`, newest first: recapito.log, recapito.1.log, recapito.2.log… */
export async function logFileNames(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names
    .map((name) => ({ name, match: LOG_NAME.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .sort((a, b) => Number(a.match[1] ?? 0) - Number(b.match[1] ?? 0))
    .map((entry) => entry.name);
}

export async function readLogTail(dir: string, budgetBytes: number): Promise<LogTail> {
  const tail: LogTail = { files: [], leftOut: [] };
  let left = budgetBytes;
  for (const name of await logFileNames(dir)) {
    let opened;
    try {
      opened = await openRegularFile(join(dir, name));
    } catch (error) {
      tail.leftOut.push({ name: `logs/${name}`, size: 0, why: `not read: ${(error as Error).message}` });
      continue;
    }
    const { handle, stats } = opened;
    try {
      const size = Number(stats.size);
      if (left <= 0) {
        tail.leftOut.push({ name: `logs/${name}`, size, why: `over the bundle's log budget of ${budgetBytes} bytes (newer logs come first)` });
        continue;
      }
      const take = Math.min(size, left);
      const buffer = Buffer.alloc(take);
      const { bytesRead } = await handle.read(buffer, 0, take, size - take);
      let bytes = buffer.subarray(0, bytesRead);
      const truncated = take < size;
      if (truncated) {
        // Start at a whole line: a cut line could hold half of something the scrubber would miss.
        const newline = bytes.indexOf(0x0a);
        bytes = newline >= 0 ? bytes.subarray(newline + 1) : Buffer.alloc(0);
      }
      tail.files.push({ name, size, bytes, truncated });
      left -= take;
    } finally {
      await handle.close();
    }
  }
  return tail;
}
