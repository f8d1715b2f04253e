import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyBytes, DEFAULT_CLASSIFY_LIMITS } from '../../src/core/inspect/classify.ts';
import type { Classification } from '../../src/core/inspect/classify.ts';
import { SHARED_FIXTURES } from '../helpers/fixtures.ts';
import { startCpuClock } from '../helpers/cpu-time.ts';

const FIXTURES = SHARED_FIXTURES;
const fixture = (path: string): Buffer => readFileSync(join(FIXTURES, path));

function expectRefused(result: Classification, code: string): string {
  if (result.ok) throw new Error(`expected refusal ${code}, got kind ${result.kind}`);
  expect(result.code).toBe(code);
  return result.reason;
}

function expectKind(result: Classification, kind: string): Extract<Classification, { ok: true }> {
  if (!result.ok) throw new Error(`expected ${kind}, refused ${result.code}: ${result.reason}`);
  expect(result.kind).toBe(kind);
  return result;
}

// --- tiny DER builder, enough for a CMS ContentInfo skeleton ---
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Buffer.from([0x80 | octets.length, ...octets]);
}
const der = (tag: number, content: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
const SIGNED_DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
const DATA_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]);

/** ContentInfo { signedData, [0] { SignedData { version 1, ..., eContent } } } carrying `payload`. */
function signedData(payload: Buffer): Buffer {
  const encapsulated = der(0x30, Buffer.concat([DATA_OID, der(0xa0, der(0x04, payload))]));
  const body = der(0x30, Buffer.concat([der(0x02, Buffer.from([1])), der(0x31, Buffer.alloc(0)), encapsulated]));
  return der(0x30, Buffer.concat([SIGNED_DATA_OID, der(0xa0, body)]));
}

const pdf = (body = 'BT /F1 12 Tf (Fattura) Tj ET'): Buffer =>
  Buffer.from(`%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\nstream\n${body}\nendstream\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'latin1');

describe('classifyBytes: FatturaPA and SDI samples', () => {
  it('recognises the official FatturaPA samples with their transmission details', () => {
    const fpa = expectKind(classifyBytes(fixture('fatturapa/IT01234567890_FPA01.xml'), 'IT01234567890_FPA01.xml'), 'fatturapa');
    expect(fpa.contentType).toBe('application/xml');
    expect(fpa.details).toEqual({ formato: 'FPA12', codiceDestinatario: 'AAAAAA' });
    expect(expectKind(classifyBytes(fixture('fatturapa/IT01234567890_FPA02.xml'), 'a.xml'), 'fatturapa').details.formato).toBe('FPA12');
    const fpr = expectKind(classifyBytes(fixture('fatturapa/IT01234567890_FPR01.xml'), 'b.xml'), 'fatturapa');
    expect(fpr.details).toEqual({ formato: 'FPR12', codiceDestinatario: 'ABC1234' });
  });

  it('reads PECDestinatario and accepts a UTF-8 BOM', () => {
    const text = fixture('fatturapa/IT01234567890_FPR01.xml')
      .toString('utf8')
      .replace(
        '<CodiceDestinatario>ABC1234</CodiceDestinatario>',
        '<CodiceDestinatario>0000000</CodiceDestinatario><PECDestinatario>buyer@pec.example.it</PECDestinatario>',
      );
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const result = expectKind(classifyBytes(bytes, 'x.xml'), 'fatturapa');
    expect(result.details).toEqual({ formato: 'FPR12', codiceDestinatario: '0000000', pecDestinatario: 'buyer@pec.example.it' });
    // Whitespace before the root is XML; whitespace before the XML declaration is not (SDI would refuse it too).
    const withoutDeclaration = text.replace(/^<\?xml[^>]*\?>/, '');
    expectKind(classifyBytes(Buffer.from(`\r\n  ${withoutDeclaration}`), 'y.xml'), 'fatturapa');
    expect(expectRefused(classifyBytes(Buffer.from(`\r\n${text}`), 'z.xml'), 'xml_malformed')).toContain('declaration');
  });

  it('accepts a UTF-16 invoice and the v1.0 namespace of simplified invoices', () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(fixture('fatturapa/IT01234567890_FPA01.xml').toString('utf8').replace('UTF-8', 'UTF-16'), 'utf16le'),
    ]);
    expect(expectKind(classifyBytes(utf16, 'u.xml'), 'fatturapa').details.formato).toBe('FPA12');
    const simplified = Buffer.from(
      '<p:FatturaElettronicaSemplificata versione="FSM10" xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0">' +
        '<FatturaElettronicaHeader><DatiTrasmissione><CodiceDestinatario>ABC1234</CodiceDestinatario></DatiTrasmissione></FatturaElettronicaHeader>' +
        '</p:FatturaElettronicaSemplificata>',
    );
    expect(expectKind(classifyBytes(simplified, 's.xml'), 'fatturapa').details).toEqual({ formato: 'FSM10', codiceDestinatario: 'ABC1234' });
  });

  it('recognises every official SDI notification sample and its type', () => {
    const files = readdirSync(join(FIXTURES, 'sdi')).filter((name) => name.endsWith('.xml'));
    expect(files.length).toBe(8);
    for (const name of files) {
      const expectedType = /_([A-Z]{2})_\d+\.xml$/.exec(name)?.[1];
      const result = expectKind(classifyBytes(fixture(`sdi/${name}`), name), 'sdi_notification');
      expect(result.details.notificationType, name).toBe(expectedType);
      expect(result.contentType).toBe('application/xml');
    }
  });

  it('recognises ScartoEsitoCommittente (SE), which has no official sample', () => {
    const se = Buffer.from(
      '<?xml version="1.0"?><t:ScartoEsitoCommittente xmlns:t="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" versione="1.0"><IdentificativoSdI>1</IdentificativoSdI></t:ScartoEsitoCommittente>',
    );
    expect(expectKind(classifyBytes(se, 'se.xml'), 'sdi_notification').details.notificationType).toBe('SE');
  });

  it('refuses other XML, naming its root, including a FatturaElettronica outside the namespace', () => {
    const reason = expectRefused(classifyBytes(Buffer.from('<html><body>x</body></html>'), 'fattura.xml'), 'xml_not_fatturapa');
    expect(reason).toContain('<html>');
    const noNamespace = expectRefused(classifyBytes(Buffer.from('<FatturaElettronica versione="FPR12"/>'), 'f.xml'), 'xml_not_fatturapa');
    expect(noNamespace).toContain('no namespace');
    const unknownSdi = expectRefused(
      classifyBytes(Buffer.from('<t:Qualcosa xmlns:t="http://www.fatturapa.gov.it/sdi/messaggi/v1.0"/>'), 'q.xml'),
      'xml_not_fatturapa',
    );
    expect(unknownSdi).toContain('<Qualcosa>');
  });

  it('refuses malformed XML with the parser message', () => {
    const reason = expectRefused(classifyBytes(Buffer.from('<FatturaElettronica><a></FatturaElettronica>'), 'bad.xml'), 'xml_malformed');
    expect(reason).toMatch(/malformed XML: .+/);
  });
});

describe('classifyBytes: hostile XML', () => {
  it('refuses a billion-laughs document without expanding it', () => {
    const lol = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, level) => ` <!ENTITY lol${level + 1} "${`&lol${level === 0 ? '' : level};`.repeat(10)}">`),
      ']>',
      '<lolz>&lol9;</lolz>',
    ].join('\n');
    const cpuMs = startCpuClock(); // CPU time: what an expansion would burn, whatever the load
    const reason = expectRefused(classifyBytes(Buffer.from(lol), 'lol.xml'), 'xml_doctype');
    expect(reason).toMatch(/DTD/);
    expect(reason).toMatch(/safety/);
    expect(cpuMs()).toBeLessThan(1000);
  });

  it('refuses an XXE document (external entity reading a local file)', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE p:FatturaElettronica [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      '<p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2" versione="FPR12">&xxe;</p:FatturaElettronica>';
    const result = classifyBytes(Buffer.from(xxe), 'IT01234567890_X.xml');
    expectRefused(result, 'xml_doctype');
    expect(JSON.stringify(result)).not.toContain('root:');
  });

  it('refuses a DOCTYPE hidden after a long comment', () => {
    const hidden = `<?xml version="1.0"?><!--${'x'.repeat(70 * 1024)}--><!DOCTYPE a [<!ENTITY e "e">]><a>&e;</a>`;
    expectRefused(classifyBytes(Buffer.from(hidden), 'h.xml'), 'xml_doctype');
  });
});

describe('classifyBytes: PDF', () => {
  it('accepts a complete PDF, even with a little junk before the header', () => {
    expect(classifyBytes(pdf(), 'fattura.pdf')).toEqual({ ok: true, kind: 'pdf', contentType: 'application/pdf', details: {} });
    expectKind(classifyBytes(Buffer.concat([Buffer.from('garbage from a print spooler\n'), pdf()]), 'x.bin'), 'pdf');
    // Content decides: a PDF named .xml is a PDF.
    expectKind(classifyBytes(pdf(), 'misnamed.xml'), 'pdf');
  });

  it('refuses a truncated PDF (no %%EOF near the end)', () => {
    const whole = pdf('x'.repeat(10_000));
    const reason = expectRefused(classifyBytes(whole.subarray(0, whole.length - 3000), 'cut.pdf'), 'pdf_truncated');
    expect(reason).toMatch(/^the PDF is truncated: /);
  });

  it('refuses a fake .pdf, explaining that the content is not PDF despite the name', () => {
    const reason = expectRefused(classifyBytes(Buffer.from('Fattura n. 12 del 2024, totale 100 EUR'), 'fattura.PDF'), 'unsupported_type');
    expect(reason).toBe('not a PDF: the content does not start with %PDF- although the name ends in .pdf');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(expectRefused(classifyBytes(png, 'scan.pdf'), 'unsupported_type')).toContain('PNG image');
    expect(expectRefused(classifyBytes(Buffer.from('hello'), 'notes.txt'), 'unsupported_type')).toMatch(/^unsupported file type/);
  });
});

describe('classifyBytes: P7M', () => {
  const signedInvoice = signedData(fixture('fatturapa/IT01234567890_FPR01.xml'));

  it('recognises DER CMS SignedData (long-form length), even when the payload contains %PDF-', () => {
    const result = expectKind(classifyBytes(signedInvoice, 'IT01234567890_FPR01.xml.p7m'), 'p7m');
    expect(result.contentType).toBe('application/pkcs7-mime');
    expect(result.details).toEqual({ p7mEncoding: 'der' });
    expectKind(classifyBytes(signedData(pdf()), 'signed.pdf.p7m'), 'p7m');
    expectKind(classifyBytes(signedData(Buffer.from('tiny')), 'short-form.p7m'), 'p7m');
  });

  it('recognises BER indefinite-length SignedData', () => {
    const inner = der(0xa0, der(0x30, der(0x02, Buffer.from([1]))));
    const indefinite = Buffer.concat([Buffer.from([0x30, 0x80]), SIGNED_DATA_OID, inner, Buffer.from([0, 0])]);
    expectKind(classifyBytes(indefinite, 'ber.p7m'), 'p7m');
  });

  it('recognises base64 P7M, wrapped in lines or PEM armour', () => {
    const wrapped = signedInvoice.toString('base64').replace(/(.{76})/g, '$1\r\n');
    const result = expectKind(classifyBytes(Buffer.from(wrapped), 'IT01234567890_FPR01.xml.p7m'), 'p7m');
    expect(result.details).toEqual({ p7mEncoding: 'base64' });
    const pem = `-----BEGIN PKCS7-----\n${signedInvoice.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`;
    expect(expectKind(classifyBytes(Buffer.from(pem), 'x.p7m'), 'p7m').details.p7mEncoding).toBe('base64');
  });

  it('refuses a truncated P7M and DER that is not SignedData', () => {
    const reason = expectRefused(classifyBytes(signedInvoice.subarray(0, signedInvoice.length - 100), 'cut.xml.p7m'), 'p7m_truncated');
    expect(reason).toContain('truncated');
    const certificateLike = der(0x30, Buffer.concat([der(0x30, der(0x02, Buffer.from([1]))), DATA_OID]));
    expect(expectRefused(classifyBytes(certificateLike, 'cert.p7m'), 'unsupported_type')).toMatch(/^not a signed file: .* although the name ends in \.p7m$/);
    const randomBase64 = Buffer.from(Buffer.from('just some words, not a signature').toString('base64'));
    expectRefused(classifyBytes(randomBase64, 'text.p7m'), 'unsupported_type');
  });
});

describe('classifyBytes: ZIP, size limits', () => {
  it('recognises ZIP archives by their header, including the empty archive', () => {
    const local = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from('%PDF-1.4 stored inside')]);
    expect(classifyBytes(local, 'batch.bin')).toEqual({ ok: true, kind: 'zip', contentType: 'application/zip', details: {} });
    const empty = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);
    expectKind(classifyBytes(empty, 'empty.zip'), 'zip');
  });

  it('refuses an Office document, which is a ZIP container but not a batch', () => {
    const name = Buffer.from('[Content_Types].xml');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(name.length, 26);
    const docx = Buffer.concat([header, name, Buffer.from('<Types/>')]);
    expect(expectRefused(classifyBytes(docx, 'fattura.docx'), 'unsupported_type')).toContain('Office');
  });

  it('refuses empty files and files over the limit', () => {
    expectRefused(classifyBytes(Buffer.alloc(0), 'empty.pdf'), 'empty');
    expect(DEFAULT_CLASSIFY_LIMITS.maxBytes).toBe(20 * 1024 * 1024);
    expect(expectRefused(classifyBytes(pdf(), 'big.pdf', { maxBytes: 100 }), 'too_large')).toContain('limit');
    const overDefault = Buffer.alloc(DEFAULT_CLASSIFY_LIMITS.maxBytes + 1, 0x20);
    overDefault.write('%PDF-1.7');
    expectRefused(classifyBytes(overDefault, 'huge.pdf'), 'too_large');
  });
});
