// The official samples in test/fixtures (see its SOURCES.md) and small documents made in tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import yazl from 'yazl';

export const SHARED_FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const FATTURAPA_SAMPLES = ['IT01234567890_FPA01.xml', 'IT01234567890_FPA02.xml', 'IT01234567890_FPR01.xml'] as const;

export function fixture(...path: string[]): Buffer {
  return readFileSync(join(SHARED_FIXTURES, ...path));
}

/**
 * The official samples as three different invoices. FPA01 and FPA02 are the same invoice (seller
 * IT01234567890, TD01 number 123 of 2017-01-18), so preflight rightly refuses whichever comes
 * second as a duplicate; tests that want every sample delivered use FPA02 renumbered 124.
 */
export function distinctSamples(): { name: (typeof FATTURAPA_SAMPLES)[number]; bytes: Buffer }[] {
  return FATTURAPA_SAMPLES.map((name) => {
    const bytes = fixture('fatturapa', name);
    if (name !== 'IT01234567890_FPA02.xml') return { name, bytes };
    const renumbered = bytes.toString('utf8').replace('<Numero>123</Numero>', '<Numero>124</Numero>');
    if (renumbered === bytes.toString('utf8')) throw new Error('FPA02 no longer holds invoice number 123');
    return { name, bytes: Buffer.from(renumbered, 'utf8') };
  });
}

/** A small, well-formed one-page PDF whose text contains `text`. */
export function makePdf(text: string): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A ZIP archive of these entries, compressed, made in memory. */
export function makeZip(entries: { name: string; data: Buffer }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const archive = new yazl.ZipFile();
    for (const entry of entries) archive.addBuffer(entry.data, entry.name, { compress: true });
    archive.end();
    const chunks: Buffer[] = [];
    archive.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}
