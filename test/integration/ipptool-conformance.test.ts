// CUPS' own conformance suites against the virtual printer: ipp-1.1.test, ipp-2.0.test and
// ipp-everywhere.test, run by the real ipptool, must pass with 0 failures.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startIppPrinterServer, type IppPrinterServer } from '../../src/core/printer/ipp-printer-server.ts';
import { prepareIpptoolWorkFolder } from '../helpers/ipptool-samples.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { needs } from '../helpers/system-tools.ts';

const run = promisify(execFile);
const SUITES = ['ipp-1.1.test', 'ipp-2.0.test', 'ipp-everywhere.test'];

// ipptool runs the suites; Ghostscript makes the sample documents they send.
const tools = needs('ipptool', 'gs');

tools.describe('CUPS ipptool conformance suites', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let work: string;
  let server: IppPrinterServer;
  let rendered: string[] = [];
  const received: { format: string; sha256: string; size: number }[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('recapito-ipptool-');
    work = join(temp.dir, 'work');
    rendered = (await prepareIpptoolWorkFolder(work, SUITES)).rendered;
    let jobId = 1;
    server = await startIppPrinterServer({
      port: 0,
      queues: [{ profileId: 'conformance', name: 'Recapito – Conformance' }],
      spoolDir: join(temp.dir, 'spool'),
      nextJobId: () => jobId++,
      onDocument: async (document) => {
        received.push({
          format: document.documentFormat,
          size: document.size,
          sha256: createHash('sha256')
            .update(await readFile(document.file))
            .digest('hex'),
        });
      },
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await temp?.cleanup();
  });

  /** Runs one suite the way the design documents it; on failure, the failing tests with their reasons. */
  async function ipptool(suite: string, extraArgs: string[] = []): Promise<string> {
    const uri = `ipp://127.0.0.1:${server.port}/ipp/print/conformance`;
    try {
      const { stdout } = await run(tools.path('ipptool'), [...extraArgs, '-tI', '-T', '30', '-f', 'document-a4.pdf', uri, suite], {
        cwd: work,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      });
      return stdout;
    } catch (error) {
      const { stdout = '', stderr = '', code } = error as { stdout?: string; stderr?: string; code?: number };
      const lines = stdout.split('\n');
      const failures = lines.flatMap((line, index) =>
        line.includes('[FAIL]') ? [line, ...lines.slice(index + 1).filter((_, i, rest) => rest.slice(0, i + 1).every((l) => /^\s{8}/.test(l)))] : [],
      );
      throw new Error(`ipptool ${suite} exited with ${code}:\n${failures.join('\n') || stdout.slice(-4000)}\n${stderr}`);
    }
  }

  it.each(SUITES)(
    'passes %s with 0 failures',
    async (suite) => {
      const output = await ipptool(suite);
      expect(output).not.toContain('[FAIL]');
      expect(output).toMatch(/\[PASS\]/);
    },
    120_000,
  );

  it('passes ipp-everywhere.test as an IPP/2.0 client too', async () => {
    const output = await ipptool('ipp-everywhere.test', ['-V', '2.0']);
    expect(output).not.toContain('[FAIL]');
  }, 120_000);

  it('received the PWG Raster samples intact, including the deflate and gzip ones', async () => {
    const samples = new Map<string, string>();
    for (const file of rendered)
      samples.set(
        createHash('sha256')
          .update(await readFile(file))
          .digest('hex'),
        file,
      );
    const rasters = received.filter((document) => document.format === 'image/pwg-raster');
    // Each rendered sample is sent plain, with deflate and with gzip.
    expect(rasters.length).toBeGreaterThanOrEqual(rendered.length * 3);
    for (const raster of rasters) expect(samples.has(raster.sha256), `a received raster (${raster.size} bytes) matches no sample`).toBe(true);
    expect(received.some((document) => document.format === 'application/pdf')).toBe(true);
    expect(received.some((document) => document.format === 'image/jpeg')).toBe(true);
  });
});
