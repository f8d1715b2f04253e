// File names cut in UTF-8 bytes (never inside a character), escaped for text notes, and refused
// before capture when the hub cannot take them; and the places that write names use those rules.
import { describe, expect, it } from 'vitest';
import {
  MAX_NAME_BYTES,
  cleanName,
  cutToBytes,
  escapeForNote,
  fileNameProblem,
  fitName,
  splitExtension,
  temporaryName,
  utf8Length,
} from '../../src/core/util/file-names.ts';
import { uploadFileName } from '../../src/core/hub/sftp-hub-client.ts';
import { parseInboxName } from '../../src/sandbox-hub/sftp/file-names.ts';
import { plainFileName, safeBaseName } from '../../src/core/sync/return-folder/safe-file-name.ts';
import { documentNameForJob } from '../../src/core/printer/printer-service.ts';
import { inspectCapture } from '../../src/core/intake/inspect-capture.ts';
import { DEFAULT_ZIP_LIMITS } from '../../src/core/intake/zip-expander.ts';
import { makePdf, makeZip } from '../helpers/fixtures.ts';

/** Encodes and decodes strictly: throws on a lone surrogate or a split sequence. */
function assertWholeUtf8(text: string): void {
  expect(text.isWellFormed(), JSON.stringify(text)).toBe(true);
  const bytes = Buffer.from(text, 'utf8');
  expect(new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toBe(text);
}

const ONE_OF_EACH = 'aè€😀'; // 1, 2, 3 and 4 bytes (the emoji is a surrogate pair)

describe('cutToBytes', () => {
  it.each([
    ['2-byte', 'è'.repeat(40)],
    ['3-byte', '€'.repeat(30)],
    ['4-byte (surrogate pairs)', '😀'.repeat(20)],
    ['mixed', ONE_OF_EACH.repeat(8)],
    ['combining marks', 'e\u0301'.repeat(20)],
  ])('cuts %s text at every byte limit to the longest whole-character prefix', (_label, text) => {
    const total = utf8Length(text);
    for (let limit = 0; limit <= total + 2; limit += 1) {
      const cut = cutToBytes(text, limit);
      assertWholeUtf8(cut);
      expect(text.startsWith(cut)).toBe(true);
      expect(utf8Length(cut)).toBeLessThanOrEqual(limit);
      if (cut.length < text.length) {
        // The longest such prefix: the next character would not fit.
        const next = String.fromCodePoint(text.codePointAt(cut.length)!);
        expect(utf8Length(cut) + utf8Length(next)).toBeGreaterThan(limit);
      } else {
        expect(cut).toBe(text);
      }
    }
  });

  it('measures with any length function (percent-encoding: three per byte)', () => {
    const encoded = (text: string) => encodeURIComponent(text).length;
    expect(cutToBytes('èèè', 11, encoded)).toBe('è'); // 'è' is %C3%A8, 6 characters
    expect(cutToBytes('èèè', 12, encoded)).toBe('èè');
  });
});

describe('fitName', () => {
  it('returns a name that fits as it is', () => {
    expect(fitName('Fattura n°5 è.pdf', 255)).toBe('Fattura n°5 è.pdf');
  });

  it('cuts the stem and keeps the extension, double ones included', () => {
    const pdf = fitName(`${'è'.repeat(200)}.pdf`, 255);
    expect(pdf).toBe(`${'è'.repeat(125)}.pdf`);
    const signed = fitName(`IT01234567890_${'é'.repeat(200)}.xml.p7m`, 100);
    expect(signed.endsWith('.xml.p7m')).toBe(true);
    expect(utf8Length(signed)).toBeLessThanOrEqual(100);
    assertWholeUtf8(signed);
    const emoji = fitName(`${'😀'.repeat(100)}.xml`, 255);
    expect(emoji).toBe(`${'😀'.repeat(62)}.xml`);
  });

  it('puts a numbering suffix before the extension, within the limit', () => {
    expect(fitName('a.xml.p7m', 255, { suffix: ' (2)' })).toBe('a (2).xml.p7m');
    expect(fitName('README', 255, { suffix: ' (2)' })).toBe('README (2)');
    const long = fitName(`${'x'.repeat(300)}.pdf`, 245, { suffix: ' (12)' });
    expect(utf8Length(long)).toBe(245);
    expect(long.endsWith(' (12).pdf')).toBe(true);
  });

  it('treats a long or spaced "extension" as part of the name, and leaves no trailing dot or space', () => {
    expect(splitExtension('Fattura n. 5 del 2024')).toEqual({ stem: 'Fattura n. 5 del 2024', extension: '' });
    expect(splitExtension('.hidden')).toEqual({ stem: '.hidden', extension: '' });
    expect(splitExtension('fattura 2024.01.pdf')).toEqual({ stem: 'fattura 2024.01', extension: '.pdf' });
    const cut = fitName(`${'ab. '.repeat(100)}`, 50);
    expect(cut).not.toMatch(/[. ]$/);
    expect(utf8Length(cut)).toBeLessThanOrEqual(50);
  });

  it('temporary names beside a 255-byte name still fit', () => {
    const name = `${'è'.repeat(125)}.pdf`;
    expect(utf8Length(name)).toBe(254);
    const temporary = temporaryName(name, 'a1b2c3d4e5f6.tmp');
    expect(utf8Length(temporary)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(temporary.startsWith('.è')).toBe(true);
    expect(temporary.endsWith('.a1b2c3d4e5f6.tmp')).toBe(true);
    assertWholeUtf8(temporary);
  });
});

describe('escapeForNote', () => {
  const controls: [string, string][] = [
    ['\n', '\\n'],
    ['\r', '\\r'],
    ['\t', '\\t'],
    ['\u0000', '\\u{0000}'],
    ['\u001b', '\\u{001B}'],
    ['\u007f', '\\u{007F}'],
    ['\u0085', '\\u{0085}'], // NEL, a C1 line end
    ['\u009b', '\\u{009B}'],
    ['\u2028', '\\u{2028}'],
    ['\u2029', '\\u{2029}'],
    ['\u202e', '\\u{202E}'],
    ['\u202a', '\\u{202A}'],
    ['\u2066', '\\u{2066}'],
    ['\u2069', '\\u{2069}'],
    ['\u200e', '\\u{200E}'],
    ['\u061c', '\\u{061C}'],
    ['\ud800', '\\u{D800}'], // a lone surrogate
  ];

  it.each(controls)('shows %j as %s', (character, shown) => {
    expect(escapeForNote(`a${character}b`)).toBe(`a${shown}b`);
  });

  it('escapes every C0, DEL and C1 character, so no name can start a line', () => {
    for (let code = 0; code <= 0x9f; code += 1) {
      if (code > 0x1f && code < 0x7f) continue;
      const escaped = escapeForNote(`x${String.fromCharCode(code)}y`);
      expect(escaped, `U+${code.toString(16)}`).toMatch(/^x\\(?:[nrt]|u\{[0-9A-F]{4}\})y$/);
    }
    const forged = escapeForNote('fattura.pdf\r\nReason:        all fine\u2028Time: never');
    expect(forged.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/)).toHaveLength(1);
  });

  it('leaves ordinary names alone', () => {
    for (const name of ['Fattura n°5 è.pdf', 'IT01234567890_FPR01.xml', 'C:\\Users\\Mario\\fattura.pdf', '請求書 😀.pdf']) {
      expect(escapeForNote(name)).toBe(name);
    }
  });
});

describe('cleanName', () => {
  it('replaces controls, line separators, bidi characters and lone surrogates with _', () => {
    expect(cleanName('a\nb\u0085c\u2028d\u202Efdp.exe\ud800')).toBe('a_b_c_d_fdp.exe_');
    expect(cleanName('Fattura n°5 è 😀.pdf')).toBe('Fattura n°5 è 😀.pdf');
  });
});

describe('fileNameProblem', () => {
  it('accepts ordinary names, SDI names or not, Windows-reserved characters and exactly 255 bytes', () => {
    const name255 = `a${'è'.repeat(125)}.pdf`;
    expect(utf8Length(name255)).toBe(255);
    for (const name of ['Fattura n°5 è.pdf', 'Fattura 12.xml', 'IT01234567890_00001.xml.p7m', 'a:b?.pdf', ' spazio .pdf', '😀.pdf', name255]) {
      expect(fileNameProblem(name), name).toBeNull();
    }
  });

  it('refuses control characters (C0, DEL, C1) and line separators, naming them escaped', () => {
    for (const character of ['\n', '\r', '\t', '\u0000', '\u007f', '\u0085', '\u009f', '\u2028']) {
      const problem = fileNameProblem(`Fattura${character}1.pdf`);
      expect(problem?.code, JSON.stringify(character)).toBe('bad_name');
      expect(problem?.reason).toMatch(/control character/);
      expect(problem?.reason).not.toMatch(/[\n\r\u0085\u2028]/);
    }
    expect(fileNameProblem('a\nb.pdf')?.reason).toContain('"a\\nb.pdf"');
  });

  it('refuses names over 255 UTF-8 bytes, blank names and lone surrogates', () => {
    const tooLong = fileNameProblem(`${'è'.repeat(180)}.pdf`);
    expect(tooLong).toMatchObject({ code: 'bad_name', reason: expect.stringMatching(/364 bytes long .* 255/) });
    expect(fileNameProblem(`${'x'.repeat(256)}`)?.code).toBe('bad_name');
    expect(fileNameProblem('')?.code).toBe('bad_name');
    expect(fileNameProblem('   ')?.reason).toMatch(/no name/);
    expect(fileNameProblem('a\ud800.pdf')?.reason).toMatch(/surrogate/);
  });
});

describe('where names are written', () => {
  const key = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

  it('SFTP: the upload name fits 255 bytes and always decodes to whole characters, extension kept', () => {
    for (const name of [`${'è'.repeat(127)}.xml.p7m`, `${'😀'.repeat(60)}.pdf`, `${'x'.repeat(230)}è€😀.xml`, `${'€'.repeat(85)}`]) {
      const uploaded = uploadFileName(key, name);
      expect(uploaded.length, name).toBeLessThanOrEqual(255);
      const parsed = parseInboxName(uploaded);
      expect(parsed.ok, `${uploaded}: ${parsed.ok ? '' : parsed.problem}`).toBe(true);
      if (!parsed.ok) continue;
      assertWholeUtf8(parsed.fileName);
      expect(name.startsWith(splitExtension(parsed.fileName).stem)).toBe(true);
      expect(splitExtension(parsed.fileName).extension).toBe(splitExtension(name).extension);
    }
    expect(uploadFileName(key, 'Fattura n° 1.pdf')).toBe(`${key}__Fattura%20n%C2%B0%201.pdf`);
  });

  it('return folder: the status file names of any captured name fit 255 bytes', () => {
    const qualifier = `.${key}.status.json`;
    for (const name of [`${'è'.repeat(180)}.pdf`, `${'😀'.repeat(100)}.xml`, 'x'.repeat(255), 'a\nb\u202E.pdf']) {
      const base = safeBaseName(name, utf8Length(qualifier));
      assertWholeUtf8(base);
      expect(utf8Length(`${base}${qualifier}`), name).toBeLessThanOrEqual(255);
      expect(base).not.toMatch(/[\n\u202E]/);
    }
    expect(safeBaseName(`${'è'.repeat(180)}.pdf`, utf8Length(qualifier)).endsWith('.pdf')).toBe(true);
    expect(safeBaseName('fattura-001.xml', utf8Length(qualifier))).toBe('fattura-001.xml');
  });

  it('return folder: hub file names are copied up to 255 bytes, never with controls or bidi characters', () => {
    expect(plainFileName(`IT01234567890_${'è'.repeat(100)}.xml`)).not.toBeNull(); // 218 bytes, 118 characters
    expect(plainFileName('x'.repeat(256))).toBeNull();
    expect(plainFileName('IT01_RC\u202E_001.xml')).toBeNull();
    expect(plainFileName('IT01_RC\u0085_001.xml')).toBeNull();
  });

  it('printer: job names become whole-character names of at most 255 bytes ending in .pdf', () => {
    const long = documentNameForJob(`${'x'.repeat(179)}😀${'y'.repeat(300)}`, 7);
    assertWholeUtf8(long);
    expect(utf8Length(long)).toBeLessThanOrEqual(255);
    expect(long.endsWith('.pdf')).toBe(true);
    expect(fileNameProblem(long)).toBeNull();
    expect(documentNameForJob('Fattura\u0085 12\u202E', 7)).toBe('Fattura_ 12_.pdf');
    expect(documentNameForJob('Fattura 2024-17', 7)).toBe('Fattura 2024-17.pdf');
    expect(documentNameForJob(null, 42)).toBe('stampa-42.pdf');
  });
});

describe('inspectCapture refuses names the hub cannot take', () => {
  const limits = { maxFileBytes: 10 * 1024 * 1024, zip: DEFAULT_ZIP_LIMITS };

  it('a badly named file is one invalid bad_name part that keeps its bytes', async () => {
    const pdf = makePdf('fattura');
    const [part, ...rest] = await inspectCapture('Fattura\n1.pdf', pdf, limits);
    expect(rest).toHaveLength(0);
    expect(part).toMatchObject({ kind: 'pdf', invalid: { code: 'bad_name', reason: expect.stringContaining('Fattura\\n1.pdf') } });
    expect(part!.bytes.equals(pdf)).toBe(true);
    const [ordinary] = await inspectCapture('Fattura n°5 è.pdf', pdf, limits);
    expect(ordinary!.invalid).toBeNull();
  });

  it('a ZIP entry with a control character in its name is refused on its own; its siblings go on', async () => {
    const zip = await makeZip([
      { name: 'buona.pdf', data: makePdf('buona') },
      { name: 'cattiva\u0007.pdf', data: makePdf('cattiva') },
    ]);
    const parts = await inspectCapture('lotto.zip', zip, limits);
    expect(parts.map((p) => [p.name, p.invalid?.code ?? null])).toEqual([
      ['buona.pdf', null],
      ['cattiva\u0007.pdf', 'bad_name'],
    ]);
    const [archive] = await inspectCapture('lotto\n.zip', zip, limits);
    expect(archive).toMatchObject({ kind: 'zip', invalid: { code: 'bad_name' } });
  });
});
