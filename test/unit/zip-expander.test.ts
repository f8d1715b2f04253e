import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_FIXTURES } from '../helpers/fixtures.ts';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { DEFAULT_ZIP_LIMITS, expandZip, ZipRefusedError } from '../../src/core/intake/zip-expander.ts';
import type { ZipLimits } from '../../src/core/intake/zip-expander.ts';
import { startCpuClock } from '../helpers/cpu-time.ts';

interface TestEntry {
  name: string;
  data?: Buffer | string;
  compress?: boolean;
  directory?: boolean;
}

async function buildZip(entries: TestEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) {
    if (entry.directory) zip.addEmptyDirectory(entry.name);
    else zip.addBuffer(Buffer.from(entry.data ?? `content of ${entry.name}`), entry.name, { compress: entry.compress ?? true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Replaces every occurrence of a same-length byte string (entry names in local and central headers). */
function patchBytes(zip: Buffer, from: string, to: string): Buffer {
  expect(from.length).toBe(to.length);
  const patched = Buffer.from(zip);
  let found = 0;
  for (let index = patched.indexOf(from); index !== -1; index = patched.indexOf(from, index + 1)) {
    patched.write(to, index, 'latin1');
    found += 1;
  }
  expect(found).toBeGreaterThanOrEqual(2);
  return patched;
}

/** Offsets of every central directory header (signature PK\x01\x02). */
function centralHeaders(zip: Buffer): number[] {
  const offsets: number[] = [];
  for (let index = zip.indexOf('PK\x01\x02'); index !== -1; index = zip.indexOf('PK\x01\x02', index + 1)) offsets.push(index);
  return offsets;
}

async function refusal(bytes: Buffer, limits?: ZipLimits): Promise<ZipRefusedError> {
  const error = await expandZip(bytes, limits).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ZipRefusedError);
  return error as ZipRefusedError;
}

const invoice = readFileSync(join(SHARED_FIXTURES, 'fatturapa', 'IT01234567890_FPR01.xml'));

describe('expandZip: good archives', () => {
  it('expands files with their paths and bytes, skipping folders, __MACOSX and dot-files', async () => {
    const zip = await buildZip([
      { name: 'batch', directory: true },
      { name: 'batch/IT01234567890_FPR01.xml', data: invoice },
      { name: 'a.pdf', data: '%PDF-1.4 fake', compress: false },
      { name: '__MACOSX/batch/._IT01234567890_FPR01.xml', data: 'resource fork' },
      { name: '.DS_Store', data: 'finder' },
      { name: 'batch/.hidden/x.xml', data: '<x/>' },
      { name: 'Thumbs.db', data: 'thumbs' },
    ]);
    const { files, skipped } = await expandZip(zip);
    expect(files.map((file) => file.path)).toEqual(['batch/IT01234567890_FPR01.xml', 'a.pdf']);
    expect(files[0]?.name).toBe('IT01234567890_FPR01.xml');
    expect(files[0]?.bytes.equals(invoice)).toBe(true);
    expect(files[1]?.bytes.toString()).toBe('%PDF-1.4 fake');
    expect(Object.fromEntries(skipped.map((entry) => [entry.path, entry.reason]))).toEqual({
      'batch/': 'folder entry',
      '__MACOSX/batch/._IT01234567890_FPR01.xml': expect.stringContaining('__MACOSX'),
      '.DS_Store': expect.stringContaining('hidden'),
      'batch/.hidden/x.xml': expect.stringContaining('hidden'),
      'Thumbs.db': expect.stringContaining('Windows'),
    });
  });

  it('expands an empty archive to nothing', async () => {
    expect(await expandZip(await buildZip([]))).toEqual({ files: [], skipped: [] });
  });

  it('expands a nested ZIP (detected by content, not name) with the nested path', async () => {
    const inner = await buildZip([{ name: 'IT01234567890_1.xml', data: invoice }]);
    const outer = await buildZip([
      { name: 'a.pdf', data: '%PDF-1.4' },
      { name: 'batch/inner.zip', data: inner },
      { name: 'renamed.dat', data: inner, compress: false },
    ]);
    const { files } = await expandZip(outer);
    expect(files.map((file) => file.path)).toEqual(['a.pdf', 'batch/inner.zip/IT01234567890_1.xml', 'renamed.dat/IT01234567890_1.xml']);
    expect(files[1]?.name).toBe('IT01234567890_1.xml');
    expect(files[1]?.bytes.equals(invoice)).toBe(true);
  });

  it('accepts Windows backslash separators that do not escape', async () => {
    const zip = patchBytes(await buildZip([{ name: 'dir/file.xml', data: '<a/>' }]), 'dir/file.xml', 'dir\\file.xml');
    const { files } = await expandZip(zip);
    expect(files.map((file) => [file.path, file.name])).toEqual([['dir/file.xml', 'file.xml']]);
  });

  it('accepts a small, very repetitive file (the ratio only matters for large output)', async () => {
    const { files } = await expandZip(await buildZip([{ name: 'padding.xml', data: Buffer.alloc(512 * 1024, 0x20) }]));
    expect(files[0]?.bytes.length).toBe(512 * 1024);
  });
});

describe('expandZip: refusals', () => {
  it('refuses a real zip bomb (50 MB of zeros) quickly, by compression ratio', async () => {
    const bomb = await buildZip([{ name: 'IT01234567890_1.xml', data: Buffer.alloc(50 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const cpuMs = startCpuClock(); // CPU time (inflating counts, in any thread): unaffected by a busy machine
    const error = await refusal(bomb);
    expect(error.code).toBe('zip_bomb');
    expect(error.message).toContain('IT01234567890_1.xml');
    expect(cpuMs()).toBeLessThan(2000);
  });

  it('counts the bytes actually inflated: a header that lies about the size does not get through', async () => {
    const honest = await buildZip([{ name: 'liar.xml', data: Buffer.alloc(5 * 1024 * 1024) }]);
    const forged = Buffer.from(honest);
    const [central] = centralHeaders(forged);
    forged.writeUInt32LE(100, (central ?? 0) + 24); // central directory: uncompressed size
    forged.writeUInt32LE(100, 22); // local header: uncompressed size

    const bomb = await refusal(forged);
    expect(bomb.code).toBe('zip_bomb');
    expect(bomb.message).toContain('claimed 100');

    const tooLarge = await refusal(forged, { ...DEFAULT_ZIP_LIMITS, maxRatio: 1_000_000, maxEntryBytes: 1024 * 1024 });
    expect(tooLarge.code).toBe('zip_too_large');
    expect(tooLarge.message).toMatch(/liar\.xml inflates to more than 1048576 bytes/);

    const mismatch = await refusal(forged, { ...DEFAULT_ZIP_LIMITS, maxRatio: 1_000_000 });
    expect(mismatch.code).toBe('zip_corrupt');
    expect(mismatch.message).toContain('header declares 100');
  });

  it('refuses entries and archives over the byte limits, from the headers', async () => {
    const zip = await buildZip([
      { name: 'one.xml', data: Buffer.alloc(3000, 0x41), compress: false },
      { name: 'two.xml', data: Buffer.alloc(3000, 0x42), compress: false },
    ]);
    const perEntry = await refusal(zip, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 2000 });
    expect(perEntry.code).toBe('zip_too_large');
    expect(perEntry.message).toContain('one.xml');
    const total = await refusal(zip, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 5000 });
    expect(total.code).toBe('zip_too_large');
    expect(total.message).toContain('two.xml');
  });

  it('refuses names that escape: ../, absolute, drive letter, backslash traversal', async () => {
    const cases: Array<[string, string]> = [
      ['xx/evil.xml', '../evil.xml'],
      ['xetc/passwd', '/etc/passwd'],
      ['CC/win.xml', 'C:/win.xml'],
      ['a/xx/xx/b.xml', 'a/..\\..\\b.xml'],
    ];
    for (const [placeholder, hostile] of cases) {
      const zip = patchBytes(
        await buildZip([
          { name: 'ok.xml', data: '<a/>' },
          { name: placeholder, data: 'owned' },
        ]),
        placeholder,
        hostile,
      );
      const error = await refusal(zip);
      expect(error.code, hostile).toBe('zip_path_traversal');
      expect(error.message).toContain(JSON.stringify(hostile));
    }
  });

  it('refuses a traversal even where the entry would otherwise be skipped', async () => {
    const zip = patchBytes(await buildZip([{ name: '__MACOSX/xx/x', data: 'x' }]), '__MACOSX/xx/x', '__MACOSX/../x');
    expect((await refusal(zip)).code).toBe('zip_path_traversal');
  });

  it('refuses encrypted entries', async () => {
    const zip = Buffer.from(await buildZip([{ name: 'secret.xml', data: invoice }]));
    const [central] = centralHeaders(zip);
    zip.writeUInt16LE(zip.readUInt16LE((central ?? 0) + 8) | 0x1, (central ?? 0) + 8);
    zip.writeUInt16LE(zip.readUInt16LE(6) | 0x1, 6);
    const error = await refusal(zip);
    expect(error.code).toBe('zip_encrypted');
    expect(error.message).toContain('secret.xml');
  });

  it('refuses too many entries, counting nested archives in the same budget', async () => {
    const many = await buildZip(Array.from({ length: 12 }, (_, index) => ({ name: `f${index}.xml`, data: '<a/>' })));
    const error = await refusal(many, { ...DEFAULT_ZIP_LIMITS, maxEntries: 10 });
    expect(error.code).toBe('zip_too_many_entries');
    expect(error.message).toContain('12');

    const inner = await buildZip(Array.from({ length: 6 }, (_, index) => ({ name: `i${index}.xml`, data: '<a/>' })));
    const outer = await buildZip([...Array.from({ length: 5 }, (_, index) => ({ name: `o${index}.xml`, data: '<a/>' })), { name: 'inner.zip', data: inner }]);
    expect((await expandZip(outer, { ...DEFAULT_ZIP_LIMITS, maxEntries: 12 })).files).toHaveLength(11);
    expect((await refusal(outer, { ...DEFAULT_ZIP_LIMITS, maxEntries: 11 })).code).toBe('zip_too_many_entries');

    const thousandAndOne = await buildZip(Array.from({ length: 1001 }, (_, index) => ({ name: `n${index}.xml`, data: 'x', compress: false })));
    expect((await refusal(thousandAndOne)).code).toBe('zip_too_many_entries');
  });

  it('refuses nesting deeper than maxDepth', async () => {
    const deepest = await buildZip([{ name: 'x.xml', data: '<a/>' }]);
    const middle = await buildZip([{ name: 'level2.zip', data: deepest }]);
    const outer = await buildZip([{ name: 'level1.zip', data: middle }]);
    const error = await refusal(outer);
    expect(error.code).toBe('zip_too_deep');
    expect(error.message).toContain('level1.zip/level2.zip');
    const { files } = await expandZip(outer, { ...DEFAULT_ZIP_LIMITS, maxDepth: 3 });
    expect(files.map((file) => file.path)).toEqual(['level1.zip/level2.zip/x.xml']);
  });

  it('refuses corrupt archives: garbage, truncated, damaged data, damaged nested archive', async () => {
    expect((await refusal(Buffer.from('PK\x03\x04 this is not really a zip file at all'))).code).toBe('zip_corrupt');
    const good = await buildZip([{ name: 'a.xml', data: invoice }]);
    const truncated = await refusal(good.subarray(0, good.length - 10));
    expect(truncated.code).toBe('zip_corrupt');
    expect(truncated.message).toMatch(/damaged or not a valid ZIP/);

    const stored = Buffer.from(await buildZip([{ name: 'stored.xml', data: 'ABCDEFGHIJ', compress: false }]));
    stored[stored.indexOf('ABCDEFGHIJ') + 3] = 0x5a;
    const crc = await refusal(stored);
    expect(crc.code).toBe('zip_corrupt');
    expect(crc.message).toContain('checksum');

    const inner = await buildZip([{ name: 'x.xml', data: invoice }]);
    const outer = await buildZip([{ name: 'inner.zip', data: inner.subarray(0, inner.length - 5) }]);
    const nested = await refusal(outer);
    expect(nested.code).toBe('zip_corrupt');
    expect(nested.message).toContain('nested archive inner.zip');
  });
});
