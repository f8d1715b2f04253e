// The local API token: generated on first start, stored in a file only this user can read.
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { readFile, chmod } from 'node:fs/promises';
import { writeDurably } from '../util/fsync.ts';

export async function loadOrCreateApiToken(file: string): Promise<string> {
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length >= 32) {
      if (process.platform !== 'win32') await chmod(file, 0o600);
      return token;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(32).toString('base64url');
  await writeDurably(file, `${token}\n`);
  return token;
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
