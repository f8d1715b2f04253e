// out/ files appear whole or not at all: each is written to a dot-file in the same folder (the agent
// ignores dot-files), flushed to disk, then renamed to its name.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP_PREFIX = '.tmp-';

export async function writeFileAtomically(dir: string, name: string, data: Uint8Array | string): Promise<void> {
  // A short temp name: the final one may already be near the 255-byte limit.
  const temporary = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, join(dir, name));
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** Removes temp files a crash left behind (they were never renamed, so nobody was told of them). */
export async function removeStaleTemporaries(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith(TEMP_PREFIX)) await unlink(join(dir, name)).catch(() => undefined);
  }
}
