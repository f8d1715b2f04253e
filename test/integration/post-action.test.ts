import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moveFileDurably, moveToErrors, moveToSent, uniqueDestination, unlinkFile } from '../../src/core/intake/post-action.ts';
import { needs, requires } from '../helpers/system-tools.ts';
import { writeDurably } from '../../src/core/util/fsync.ts';

let root: string;

beforeEach(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'recapito-post-action-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function put(path: string, content: string): Promise<string> {
  await fs.mkdir(join(path, '..'), { recursive: true });
  await fs.writeFile(path, content);
  return path;
}

const read = (path: string): Promise<string> => fs.readFile(path, 'utf8');

// A second filesystem to exercise the EXDEV (cross-volume) path for real.
const otherVolume = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? '/dev/shm' : null;
const crossVolume = requires(otherVolume !== null, 'needs a second filesystem: /dev/shm is not a separate tmpfs here', 'mount a tmpfs on /dev/shm', {
  failInCi: false,
});
/** mkfifo puts a FIFO in place; Windows has none. */
const crossVolumeFifo = crossVolume.and(
  process.platform === 'win32' ? requires(false, 'POSIX only', 'Windows has no FIFOs', { failInCi: false }) : needs('mkfifo'),
);

describe('uniqueDestination', () => {
  it('returns the name when free, then numbered names, keeping .xml.p7m together', async () => {
    expect(await uniqueDestination(root, 'a.pdf')).toBe(join(root, 'a.pdf'));
    await put(join(root, 'a.pdf'), '1');
    expect(await uniqueDestination(root, 'a.pdf')).toBe(join(root, 'a (2).pdf'));
    await put(join(root, 'a (2).pdf'), '2');
    expect(await uniqueDestination(root, 'a.pdf')).toBe(join(root, 'a (3).pdf'));

    await put(join(root, 'IT01234567890_A1.xml.p7m'), 'x');
    expect(await uniqueDestination(root, 'IT01234567890_A1.xml.p7m')).toBe(join(root, 'IT01234567890_A1 (2).xml.p7m'));
    await put(join(root, 'README'), 'x');
    expect(await uniqueDestination(root, 'README')).toBe(join(root, 'README (2)'));
    await put(join(root, 'fattura 2024.01.pdf'), 'x');
    expect(await uniqueDestination(root, 'fattura 2024.01.pdf')).toBe(join(root, 'fattura 2024.01 (2).pdf'));
  });

  it('works for a folder that does not exist yet', async () => {
    expect(await uniqueDestination(join(root, 'not', 'yet'), 'a.pdf')).toBe(join(root, 'not', 'yet', 'a.pdf'));
  });
});

describe('moveFileDurably', () => {
  it('moves within a volume, creating the destination folders', async () => {
    const source = await put(join(root, 'in', 'a.pdf'), 'pdf bytes');
    const destination = join(root, 'deep', 'er', 'a.pdf');
    await moveFileDurably(source, destination);
    expect(await read(destination)).toBe('pdf bytes');
    expect(existsSync(source)).toBe(false);
  });

  crossVolume.it('moves across volumes (EXDEV): copy, fsync, unlink, keeping the date and leaving no temp file', async () => {
    const otherRoot = await fs.mkdtemp(join(otherVolume ?? '', 'recapito-exdev-'));
    try {
      const source = await put(join(otherRoot, 'b.xml'), '<fattura/>');
      const oldDate = new Date('2024-03-01T10:00:00Z');
      await fs.utimes(source, oldDate, oldDate);
      const destination = join(root, 'sent', 'b.xml');
      await moveFileDurably(source, destination);
      expect(await read(destination)).toBe('<fattura/>');
      expect(existsSync(source)).toBe(false);
      expect((await fs.stat(destination)).mtimeMs).toBe(oldDate.getTime());
      expect(await fs.readdir(join(root, 'sent'))).toEqual(['b.xml']);
    } finally {
      await fs.rm(otherRoot, { recursive: true, force: true });
    }
  });

  crossVolumeFifo.it('across volumes, neither follows a link nor blocks on a FIFO put in the source’s place', async () => {
    const otherRoot = await fs.mkdtemp(join(otherVolume ?? '', 'recapito-exdev-'));
    try {
      const secret = await put(join(otherRoot, 'secret.txt'), 'outside');
      await fs.symlink(secret, join(otherRoot, 'link.xml'));
      await expect(moveFileDurably(join(otherRoot, 'link.xml'), join(root, 'sent', 'link.xml'))).rejects.toThrow(/symbolic link/);
      execFileSync(crossVolumeFifo.path('mkfifo'), [join(otherRoot, 'pipe.xml')]);
      await expect(moveFileDurably(join(otherRoot, 'pipe.xml'), join(root, 'sent', 'pipe.xml'))).rejects.toThrow(/named pipe/);
      expect(await fs.readdir(join(root, 'sent')).catch(() => [])).toEqual([]);
    } finally {
      await fs.rm(otherRoot, { recursive: true, force: true });
    }
  });

  it('fails clearly when the source is gone', async () => {
    await expect(moveFileDurably(join(root, 'missing.pdf'), join(root, 'out', 'missing.pdf'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writeDurably', () => {
  it('writes and replaces whole content, leaving no temp files', async () => {
    const path = join(root, 'status.json');
    await writeDurably(path, '{"state":"queued"}');
    expect(await read(path)).toBe('{"state":"queued"}');
    await writeDurably(path, Buffer.from('{"state":"delivered"}'));
    expect(await read(path)).toBe('{"state":"delivered"}');
    expect(await fs.readdir(root)).toEqual(['status.json']);
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
  });

  it('without createFolder, rejects when the folder is missing, and leaves nothing behind', async () => {
    await expect(writeDurably(join(root, 'nope', 'x.txt'), 'x', { createFolder: false })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readdir(root)).toEqual([]);
  });

  it('removes its temporary file when the rename fails', async () => {
    const target = join(root, 'occupied');
    await fs.mkdir(join(target, 'child'), { recursive: true }); // a non-empty folder cannot be replaced by a file
    await expect(writeDurably(target, 'x')).rejects.toThrow();
    expect(await fs.readdir(root)).toEqual(['occupied']);
  });
});

describe('moveToErrors / moveToSent / unlinkFile', () => {
  it('moves a file to errors/ with a reason file beside it', async () => {
    const source = await put(join(root, 'fattura.pdf'), 'not really a pdf');
    const moved = await moveToErrors(source, root, 'not a PDF: the content does not start with %PDF-');
    expect(moved).toBe(join(root, 'errors', 'fattura.pdf'));
    expect(await read(moved)).toBe('not really a pdf');
    expect(existsSync(source)).toBe(false);
    const note = await read(`${moved}.error.txt`);
    expect(note).toContain('not a PDF: the content does not start with %PDF-');
    expect(note).toContain(`Original path: ${source}`);
    expect(note).toMatch(/Time: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect((await fs.readdir(join(root, 'errors'))).sort()).toEqual(['fattura.pdf', 'fattura.pdf.error.txt']);
  });

  it('never overwrites: a second file of the same name gets its own name and note', async () => {
    await moveToErrors(await put(join(root, 'x.pdf'), 'first'), root, 'reason one');
    const second = await moveToErrors(await put(join(root, 'x.pdf'), 'second'), root, 'reason two');
    expect(basename(second)).toBe('x (2).pdf');
    expect(await read(join(root, 'errors', 'x.pdf'))).toBe('first');
    expect(await read(second)).toBe('second');
    expect(await read(join(root, 'errors', 'x.pdf.error.txt'))).toContain('reason one');
    expect(await read(`${second}.error.txt`)).toContain('reason two');
  });

  it('does not reuse a name whose stale reason file is still there', async () => {
    await put(join(root, 'errors', 'c.pdf.error.txt'), 'old reason');
    const moved = await moveToErrors(await put(join(root, 'c.pdf'), 'c'), root, 'new reason');
    expect(basename(moved)).toBe('c (2).pdf');
    expect(await read(join(root, 'errors', 'c.pdf.error.txt'))).toBe('old reason');
  });

  it('moves to sent/, numbering clashes, and parallel moves of the same name never overwrite each other', async () => {
    const first = await moveToSent(await put(join(root, 'a.xml'), 'a'), root);
    expect(first).toBe(join(root, 'sent', 'a.xml'));
    const sources = await Promise.all(Array.from({ length: 10 }, (_, index) => put(join(root, `src${index}`, 'dup.xml'), `copy ${index}`)));
    const destinations = await Promise.all(sources.map((source) => moveToSent(source, root)));
    expect(new Set(destinations).size).toBe(10);
    const contents = await Promise.all(destinations.map((destination) => read(destination)));
    expect(contents.sort()).toEqual(Array.from({ length: 10 }, (_, index) => `copy ${index}`).sort());
    expect(destinations).toContain(join(root, 'sent', 'dup.xml'));
    expect(destinations).toContain(join(root, 'sent', 'dup (10).xml'));
  });

  it('leaves no placeholder in sent/ when the move fails', async () => {
    await expect(moveToSent(join(root, 'ghost.pdf'), root)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await fs.readdir(join(root, 'sent'))).toEqual([]);
  });

  it('removes a file and names its folder to fsync; one already gone is fine, with nothing to fsync', async () => {
    const path = await put(join(root, 'done.pdf'), 'x');
    expect(await unlinkFile(path)).toEqual([root]);
    expect(existsSync(path)).toBe(false);
    await expect(unlinkFile(path)).resolves.toEqual([]);
  });
});

describe('long and hostile names', () => {
  const bytes = (name: string) => Buffer.byteLength(name, 'utf8');

  it('moves a refused file with a 250-byte name to errors/ with its note; a second one gets (2), both fitting 255 bytes', async () => {
    const name = `${'è'.repeat(123)}.pdf`; // 250 bytes: '<name>.error.txt' would be 260
    expect(bytes(name)).toBe(250);
    const first = await moveToErrors(await put(join(root, name), 'one'), root, 'reason one');
    const second = await moveToErrors(await put(join(root, name), 'two'), root, 'reason two');
    for (const moved of [first, second]) {
      expect(bytes(`${basename(moved)}.error.txt`)).toBeLessThanOrEqual(255);
      expect(basename(moved).endsWith('.pdf')).toBe(true);
      expect(Buffer.from(basename(moved), 'utf8').toString('utf8')).toBe(basename(moved));
      expect(await read(`${moved}.error.txt`)).toContain(`Original name: ${name}`);
    }
    expect(basename(second).endsWith(' (2).pdf')).toBe(true);
    expect(await read(first)).toBe('one');
    expect(await read(second)).toBe('two');
    expect(await fs.readdir(root)).toEqual(['errors']);
  });

  it('moves a 255-byte name to sent/ as it is, and a second one as "(2)" within 255 bytes', async () => {
    const name = `a${'è'.repeat(125)}.pdf`;
    expect(bytes(name)).toBe(255);
    const first = await moveToSent(await put(join(root, name), 'one'), root);
    expect(basename(first)).toBe(name);
    const second = await moveToSent(await put(join(root, name), 'two'), root);
    expect(bytes(basename(second))).toBeLessThanOrEqual(255);
    expect(basename(second).endsWith(' (2).pdf')).toBe(true);
    const third = await uniqueDestination(join(root, 'sent'), name);
    expect(basename(third).endsWith(' (3).pdf')).toBe(true);
    expect(bytes(basename(third))).toBeLessThanOrEqual(255);
  });

  it('a newline or a bidi override in a name cannot forge a line of the note, and is cleaned from the name in errors/', async () => {
    const name = 'Fattura.pdf\nReason:        nothing wrong, send it\u202Etxt.exe';
    const source = await put(join(root, name), 'x');
    const moved = await moveToErrors(source, root, [`${name}: the file name contains a control character`, 'second\r\nreason']);
    expect(basename(moved)).toBe('Fattura.pdf_Reason:        nothing wrong, send it_txt.exe');
    const lines = (await read(`${moved}.error.txt`)).split(/\r\n|\n/);
    expect(lines.filter((line) => line.startsWith('Reason:'))).toEqual([
      'Reason:        Fattura.pdf\\nReason:        nothing wrong, send it\\u{202E}txt.exe: the file name contains a control character',
    ]);
    expect(lines).toContain('               second\\r\\nreason');
    expect(lines).toContain('Original name: Fattura.pdf\\nReason:        nothing wrong, send it\\u{202E}txt.exe');
    expect(lines.every((line) => /^(|Recapito .*|File: .*|Original (name|path): .*|Time: .*|Reason: .*| {15}\S.*)$/.test(line))).toBe(true);
  });
});
