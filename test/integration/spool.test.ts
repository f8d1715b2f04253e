// The spool on both of its paths: small files (synchronous calls but for the fsyncs) and large
// ones (asynchronous). Each stores, reads back, repairs a truncated copy, and refuses to hand out a
// damaged or missing one.
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMALL_FILE_BYTES, Spool, SpoolCorruptError } from '../../src/core/store/spool.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let cleanup: (() => Promise<void>) | null = null;
let spool: Spool | null = null;
afterEach(async () => {
  await spool?.close();
  await cleanup?.();
  spool = null;
  cleanup = null;
});

async function freshSpool(): Promise<Spool> {
  const temp = await makeTempDir();
  cleanup = temp.cleanup;
  return (spool = new Spool(join(temp.dir, 'spool')));
}

const SIZES = [
  ['small', 4 * 1024],
  ['large', SMALL_FILE_BYTES + 1],
] as const;

describe('spool', () => {
  for (const [label, size] of SIZES) {
    describe(`a ${label} file (${size} bytes)`, () => {
      const bytes = Buffer.alloc(size, label);

      it('is stored by its hash, read back with or without its size, and stored once', async () => {
        const s = await freshSpool();
        const sha256 = await s.put(bytes);
        expect((await readFile(s.pathFor(sha256))).equals(bytes)).toBe(true);
        expect((await s.read(sha256, size)).equals(bytes)).toBe(true);
        expect((await s.read(sha256)).equals(bytes)).toBe(true);
        const before = await stat(s.pathFor(sha256));
        expect(await s.put(bytes)).toBe(sha256);
        expect((await stat(s.pathFor(sha256))).mtimeMs).toBe(before.mtimeMs);
      });

      it('writes a truncated copy again when the same bytes come back', async () => {
        const s = await freshSpool();
        const sha256 = await s.put(bytes);
        await truncate(s.pathFor(sha256), 10);
        await s.put(bytes);
        expect((await s.read(sha256, size)).equals(bytes)).toBe(true);
      });

      it('refuses a damaged copy of the same size, on either read path', async () => {
        const s = await freshSpool();
        const sha256 = await s.put(bytes);
        const damaged = Buffer.from(bytes);
        damaged[size - 1] = 0x00;
        await writeFile(s.pathFor(sha256), damaged);
        await expect(s.read(sha256, size)).rejects.toBeInstanceOf(SpoolCorruptError);
        await expect(s.read(sha256)).rejects.toBeInstanceOf(SpoolCorruptError);
      });

      it('reports a missing copy as ENOENT, on either read path', async () => {
        const s = await freshSpool();
        const sha256 = await s.put(bytes);
        await unlink(s.pathFor(sha256));
        await expect(s.read(sha256, size)).rejects.toMatchObject({ code: 'ENOENT' });
        await expect(s.read(sha256)).rejects.toMatchObject({ code: 'ENOENT' });
      });
    });
  }
});
