// Replaces a file in a folder another program reads: a hidden temporary file in the same folder,
// fsync, rename over the target, fsync of the folder. A reader sees the old file or the whole new
// one, never a part. On Windows a rename fails while a reader holds the target open without
// sharing delete; that lasts milliseconds, so the rename is retried.
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fsyncDirectory } from '../../util/fsync.ts';
import { temporaryName } from '../../util/file-names.ts';

const BUSY_CODES = new Set(['EPERM', 'EACCES', 'EBUSY']);
const RENAME_ATTEMPTS = 20;

export async function replaceFileAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const folder = dirname(file);
  // Starts with a dot and ends in .tmp: an ERP looking for *.xml or *.status.json never picks it up.
  const temporary = join(folder, temporaryName(basename(file), `${randomBytes(6).toString('hex')}.tmp`));
  // Private (0600): the status and the SDI notifications name the parties and their tax codes.
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await renameRetryingWhileBusy(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(folder);
}

async function renameRetryingWhileBusy(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!BUSY_CODES.has(code) || attempt >= RENAME_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(25 * attempt, 250)));
    }
  }
}
