// The virtual printer inside the agent, spoken to in IPP directly: garbage print data ends as an
// invalid document with the reason (the agent keeps printing and sending), a JPEG job becomes a PDF
// that is delivered, a truncated request gets an IPP error, and job ids keep growing across restarts.
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { needs } from '../helpers/system-tools.ts';
import { encodeIppMessage } from '../../src/core/printer/ipp/encoder.ts';
import { decodeIppMessage } from '../../src/core/printer/ipp/decoder.ts';
import { attr, v } from '../../src/core/printer/ipp/attributes.ts';

const execFileAsync = promisify(execFile);
/** Ghostscript draws the JPEG that is printed. */
const gs = needs('gs');
let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const OPERATION_ATTRIBUTES = 0x01;
const PRINT_JOB = 0x0002;

async function printJob(url: string, jobName: string, format: string, document: Buffer): Promise<number> {
  const request = encodeIppMessage({
    version: { major: 2, minor: 0 },
    code: PRINT_JOB,
    requestId: 1,
    groups: [
      {
        tag: OPERATION_ATTRIBUTES,
        attributes: [
          attr('attributes-charset', v.charset('utf-8')),
          attr('attributes-natural-language', v.naturalLanguage('it')),
          attr('printer-uri', v.uri(url)),
          attr('requesting-user-name', v.name('mario.rossi')),
          attr('job-name', v.name(jobName)),
          attr('document-format', v.mimeMediaType(format)),
        ],
      },
    ],
  });
  const response = await fetch(url.replace(/^ipp:/, 'http:'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/ipp' },
    body: new Uint8Array(Buffer.concat([request, document])),
  });
  expect(response.status).toBe(200);
  return decodeIppMessage(new Uint8Array(await response.arrayBuffer())).message.code;
}

async function start(): Promise<{ h: Harness; url: string }> {
  const h = (harness = await startHarness({ settings: (s) => ({ ...s, printer: { ...s.printer, enabled: true, port: 0 } }) }));
  const url = h.agent.printer.urls()[0]!.url;
  return { h, url };
}

const printed = (h: Harness, name: string) => h.agent.documents({ limit: 50 }).documents.find((d) => d.source === 'printer' && d.name === name);

describe('virtual printer in the agent', () => {
  it('records garbage print data as invalid with the reason, and keeps working', async () => {
    const { h, url } = await start();
    expect(await printJob(url, 'Spazzatura', 'application/pdf', Buffer.from('\x00\x01 not a pdf at all \xff'.repeat(50), 'latin1'))).toBe(0x0000);
    const garbage = await waitFor('garbage recorded', () => printed(h, 'Spazzatura.pdf'));
    expect(garbage.state).toBe('invalid');
    expect(garbage.reason).toMatch(/PDF/);

    // A truncated IPP request: an IPP error, not a crash.
    const truncated = await fetch(url.replace(/^ipp:/, 'http:'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/ipp' },
      body: new Uint8Array([0x02, 0x00, 0x00, 0x02, 0x00]),
    });
    expect([200, 400]).toContain(truncated.status);
    if (truncated.status === 200) expect(decodeIppMessage(new Uint8Array(await truncated.arrayBuffer())).message.code).toBeGreaterThanOrEqual(0x0400);

    expect(await printJob(url, 'Fattura 9', 'application/pdf', makePdf('Fattura 9'))).toBe(0x0000);
    const good = await waitFor('good job recorded', () => printed(h, 'Fattura 9.pdf'));
    await h.waitForState(good.id, 'delivered');
    expect(h.agent.document(good.id)!.metadata['printer']).toMatchObject({ user: 'mario.rossi', jobName: 'Fattura 9', format: 'application/pdf' });
  });

  gs.it('turns a printed JPEG into a delivered PDF, and job ids keep growing across a restart', async () => {
    const { h, url } = await start();
    const jpeg = join(h.root, 'scan.jpg');
    await execFileAsync(gs.path('gs'), [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-sDEVICE=jpeg',
      '-r72',
      '-g120x80',
      `-sOutputFile=${jpeg}`,
      '-c',
      '0 0 1 setrgbcolor 0 0 120 80 rectfill showpage',
    ]);
    expect(await printJob(url, 'Scansione', 'image/jpeg', await readFile(jpeg))).toBe(0x0000);
    const scan = await waitFor('jpeg recorded', () => printed(h, 'Scansione.pdf'));
    expect(scan.kind).toBe('pdf');
    await h.waitForState(scan.id, 'delivered');
    const firstJobId = (h.agent.document(scan.id)!.metadata['printer'] as { jobId: number }).jobId;

    await h.restartAgent();
    const again = h.agent.printer.urls()[0]!.url;
    expect(await printJob(again, 'Dopo il riavvio', 'application/pdf', makePdf('after restart'))).toBe(0x0000);
    const after = await waitFor('job after restart', () => printed(h, 'Dopo il riavvio.pdf'));
    expect((h.agent.document(after.id)!.metadata['printer'] as { jobId: number }).jobId).toBeGreaterThan(firstJobId);
  });
});
