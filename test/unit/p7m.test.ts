// CAdES envelopes (.xml.p7m) opened the ways Italian signing tools write them: DER, base64 (plain
// or PEM), BER with indefinite lengths and a chunked content, signed twice; the signer read from
// its certificate; damaged and detached envelopes refused with a reason.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { P7mError, extractSignedContent } from '../../src/core/inspect/invoice/p7m.ts';
import { FATTURAPA_SAMPLES, fixture } from '../helpers/fixtures.ts';
import { buildP7m, createTestSigner, toBase64P7m, toIndefiniteLengthBer } from '../helpers/p7m.ts';
import type { TestSigner } from '../helpers/p7m.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { needs } from '../helpers/system-tools.ts';

let signer: TestSigner;
let temp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  signer = await createTestSigner();
  temp = await makeTempDir('recapito-p7m-');
});
afterAll(() => temp.cleanup());

const expectedSigner = () => ({
  commonName: 'ROSSI MARIO',
  fiscalCode: 'RSSMRA80A01H501U',
  issuer: 'Test Qualified Signatures CA',
  serialNumber: signer.serialNumberHex,
  signingTime: '2024-03-15T10:30:00.000Z',
  notAfter: '2029-06-30T23:59:59.000Z',
});

async function p7mError(action: () => Promise<unknown>): Promise<P7mError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof P7mError) return error;
    throw error;
  }
  throw new Error('expected a P7mError');
}

describe('extractSignedContent', () => {
  it.each(FATTURAPA_SAMPLES)('opens a DER envelope around %s: the exact bytes and the signer', async (sample) => {
    const xml = fixture('fatturapa', sample);
    const opened = await extractSignedContent(await buildP7m(xml, signer));
    expect(opened.content.equals(xml)).toBe(true);
    expect(opened.encoding).toBe('der');
    expect(opened.signers).toEqual([expectedSigner()]);
  });

  it('opens base64 envelopes, with CRLF line breaks or PEM armour', async () => {
    const xml = fixture('fatturapa', 'IT01234567890_FPR01.xml');
    const der = await buildP7m(xml, signer);
    for (const text of [toBase64P7m(der), toBase64P7m(der, { pem: true })]) {
      expect(text[0]).not.toBe(0x30);
      const opened = await extractSignedContent(text);
      expect(opened.encoding).toBe('base64');
      expect(opened.content.equals(xml)).toBe(true);
      expect(opened.signers).toEqual([expectedSigner()]);
    }
  });

  it('opens BER with indefinite lengths and the content in 1,000-byte chunks, DER or base64', async () => {
    const xml = fixture('fatturapa', 'IT01234567890_FPA02.xml');
    const ber = toIndefiniteLengthBer(await buildP7m(xml, signer));
    expect([...ber.subarray(0, 2)]).toEqual([0x30, 0x80]); // really indefinite, not DER
    expect(ber.includes(Buffer.from([0x24, 0x80, 0x04, 0x82, 0x03, 0xe8]))).toBe(true); // chunked content
    for (const bytes of [ber, toBase64P7m(ber)]) {
      const opened = await extractSignedContent(bytes);
      expect(opened.content.equals(xml)).toBe(true);
      expect(opened.signers).toEqual([expectedSigner()]);
    }
  });

  it('opens an envelope signed twice (one wrapped in the other), outer signer first', async () => {
    const xml = fixture('fatturapa', 'IT01234567890_FPA01.xml');
    const second = await createTestSigner({ commonName: 'BIANCHI ANNA', subjectSerialNumber: 'TINIT-BNCNNA85C41F205X' });
    const inner = toIndefiniteLengthBer(await buildP7m(xml, signer));
    const opened = await extractSignedContent(await buildP7m(inner, second));
    expect(opened.content.equals(xml)).toBe(true);
    expect(opened.signers.map((s) => [s.commonName, s.fiscalCode])).toEqual([
      ['BIANCHI ANNA', 'BNCNNA85C41F205X'],
      ['ROSSI MARIO', 'RSSMRA80A01H501U'],
    ]);
  });

  it('finds the fiscal code in an older certificate CN, and reports none when there is none', async () => {
    const xml = Buffer.from('<x/>');
    const older = await createTestSigner({ commonName: 'RSSMRA80A01H501U/7420000000000012.abcdEF==', subjectSerialNumber: null });
    expect((await extractSignedContent(await buildP7m(xml, older))).signers[0]?.fiscalCode).toBe('RSSMRA80A01H501U');
    const company = await createTestSigner({ commonName: 'ALPHA SRL', subjectSerialNumber: 'VATIT-01234567890' });
    expect((await extractSignedContent(await buildP7m(xml, company))).signers[0]?.fiscalCode).toBe('01234567890');
    const anonymous = await createTestSigner({ commonName: 'Firma di prova', subjectSerialNumber: null });
    expect((await extractSignedContent(await buildP7m(xml, anonymous))).signers[0]).toMatchObject({ commonName: 'Firma di prova', fiscalCode: null });
  });

  it('refuses a detached signature: the invoice is not inside', async () => {
    const detached = await buildP7m(fixture('fatturapa', 'IT01234567890_FPR01.xml'), signer, { detached: true });
    const error = await p7mError(() => extractSignedContent(detached));
    expect(error.code).toBe('p7m_no_content');
    expect(error.message).toMatch(/detached signature/);
  });

  it('refuses damaged envelopes with p7m_corrupt and a reason', async () => {
    const der = await buildP7m(fixture('fatturapa', 'IT01234567890_FPR01.xml'), signer);
    const notSigned = Buffer.from('300f06092a864886f70d010701a0020400', 'hex'); // ContentInfo of type data
    const damaged: [string, Buffer, RegExp][] = [
      ['truncated DER', der.subarray(0, Math.floor(der.length / 2)), /damaged/],
      ['truncated BER', toIndefiniteLengthBer(der).subarray(0, der.length - 40), /damaged/],
      ['a SEQUENCE of garbage', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]), /not a CMS envelope/],
      ['not signed data', notSigned, /not signed data/],
      ['random text', Buffer.from('this is not a signed file at all!'), /neither a binary \(DER\) nor a base64/],
      ['base64 of garbage', Buffer.from(Buffer.from('hello world, nothing signed').toString('base64')), /neither/],
      ['empty', Buffer.alloc(0), /neither/],
    ];
    for (const [label, bytes, reason] of damaged) {
      const error = await p7mError(() => extractSignedContent(bytes));
      expect([label, error.code]).toEqual([label, 'p7m_corrupt']);
      expect(error.message, label).toMatch(reason);
    }
  });

  const openssl = needs('openssl');
  openssl.it('builds envelopes that OpenSSL verifies too (the test envelopes are real CMS)', async () => {
    const xml = fixture('fatturapa', 'IT01234567890_FPA01.xml');
    const der = await buildP7m(xml, signer);
    for (const [name, bytes] of [
      ['der.p7m', der],
      ['ber.p7m', toIndefiniteLengthBer(der)],
    ] as const) {
      const input = join(temp.dir, name);
      const output = join(temp.dir, `${name}.xml`);
      await writeFile(input, bytes);
      execFileSync(openssl.path('openssl'), ['cms', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', input, '-out', output], { stdio: 'pipe' });
      expect((await readFile(output)).equals(xml)).toBe(true);
    }
  });
});
