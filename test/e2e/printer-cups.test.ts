// Printing through real CUPS to the agent's virtual printer: `recapito printer install`, then
// `lp` of a PDF, a text file and a PNG: each is captured as a PDF, queued and delivered by the
// sandbox hub. With the agent down while a job is printed, CUPS keeps it; when the agent is back,
// the job arrives, once.
import { afterAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { ensureCups, freePort, needsCupsAdmin, removeCupsQueue } from '../helpers/cups.ts';
import { needs } from '../helpers/system-tools.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { saveSettings } from '../../src/core/config/config-store.ts';
import { writePrinterUrls } from '../../src/core/host/run-agent.ts';
import { printerCommand } from '../../src/cli/commands/printer.ts';
import { cupsQueueName } from '../../src/core/printer/os-queue/queue-manager.ts';

const execFileAsync = promisify(execFile);
// CUPS turns the text file and the PNG into PDF with its filters; Ghostscript draws the PNG.
const cups = (await ensureCups()).and(needsCupsAdmin()).and(needs('gs', 'texttopdf'));
const DISPLAY_NAME = 'Recapito – Stampa Srl';
const QUEUE = cupsQueueName(DISPLAY_NAME);

let harness: Harness | null = null;
afterAll(async () => {
  await removeCupsQueue(QUEUE).catch(() => undefined);
  await harness?.close();
});

async function lp(file: string, title: string): Promise<string> {
  const { stdout } = await execFileAsync(cups.path('lp'), ['-d', QUEUE, '-t', title, file]);
  return stdout.trim();
}

function printed(h: Harness, name: string) {
  return h.agent.documents({ limit: 100 }).documents.filter((d) => d.source === 'printer' && d.name === name);
}

cups.describe('virtual printer through real CUPS', () => {
  it('installs the queue, and a PDF, a text file and a PNG printed with lp arrive as PDFs and are delivered', async () => {
    const port = await freePort();
    const h = (harness = await startHarness({
      settings: (s) => ({
        ...s,
        printer: { ...s.printer, enabled: true, port },
        profiles: [{ ...s.profiles[0]!, printer: { enabled: true, queueName: DISPLAY_NAME } }],
      }),
    }));
    // What `recapito serve` leaves for the CLI: the settings and the printer's URL.
    await saveSettings(join(h.dataDir, 'config.json'), h.settings);
    await writePrinterUrls(join(h.dataDir, 'printer-url'), h.agent);
    // Before the install the agent reports the missing queue in health, with the command to run.
    await h.agent.printer.checkOsQueues();
    expect(h.agent.status().printers[0]).toMatchObject({ installed: false, error: expect.stringContaining('recapito printer install') });
    expect(await printerCommand(['install', '--data', h.dataDir])).toBe(0);
    const { stdout: lpstat } = await execFileAsync(cups.path('lpstat'), ['-v', QUEUE]);
    expect(lpstat).toContain(`ipp://127.0.0.1:${port}/ipp/print/test`);

    await writeFile(join(h.root, 'fattura.pdf'), makePdf('Fattura stampata 2026/17'));
    await writeFile(join(h.root, 'nota.txt'), 'Nota di credito 4\nImporto: 12,50 EUR\n');
    const { stdout: _png } = await execFileAsync(cups.path('gs'), [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-sDEVICE=png16m',
      '-r72',
      '-g200x100',
      `-sOutputFile=${join(h.root, 'logo.png')}`,
      '-c',
      '1 0 0 setrgbcolor 0 0 200 100 rectfill showpage',
    ]);
    await lp(join(h.root, 'fattura.pdf'), 'Fattura 2026-17');
    await lp(join(h.root, 'nota.txt'), 'Nota di credito 4');
    await lp(join(h.root, 'logo.png'), 'Logo');

    for (const name of ['Fattura 2026-17.pdf', 'Nota di credito 4.pdf', 'Logo.pdf']) {
      const [document] = await waitFor(
        `${name} printed`,
        () => {
          const found = printed(h, name);
          return found.length ? found : null;
        },
        60_000,
        200,
      );
      expect(document!.kind).toBe('pdf');
      await h.waitForState(document!.id, 'delivered', 30_000);
      const detail = h.agent.document(document!.id)!;
      expect(detail.metadata['printer']).toMatchObject({ queue: DISPLAY_NAME, format: 'application/pdf' });
      expect((await h.agent.content(document!.id))!.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    }
    await h.agent.printer.checkOsQueues();
    expect(h.agent.status().printers).toEqual([expect.objectContaining({ profile: 'test', queueName: DISPLAY_NAME, installed: true, error: null })]);

    // The agent is down while a job is printed: CUPS keeps it, and it arrives once when the agent is back.
    await h.restartAgent(undefined, async () => {
      await writeFile(join(h.root, 'offline.pdf'), makePdf('stampata ad agente fermo'));
      await lp(join(h.root, 'offline.pdf'), 'Fattura offline');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const { stdout: pending } = await execFileAsync(cups.path('lpstat'), ['-o', QUEUE]);
      expect(pending).toContain(QUEUE); // still in CUPS' queue
    });
    const [offline] = await waitFor(
      'the held job after the restart',
      () => {
        const found = printed(h, 'Fattura offline.pdf');
        return found.length ? found : null;
      },
      90_000,
      250,
    );
    await h.waitForState(offline!.id, 'delivered', 30_000);
    // A second copy of the held job would come before a job printed after it (CUPS sends a queue's
    // jobs one at a time, in order): print one more and wait for it, instead of sleeping "long enough".
    await writeFile(join(h.root, 'after.pdf'), makePdf('stampata dopo'));
    await lp(join(h.root, 'after.pdf'), 'Fattura dopo');
    await waitFor('the job printed after it', () => printed(h, 'Fattura dopo.pdf').length > 0, 90_000, 250);
    expect(printed(h, 'Fattura offline.pdf')).toHaveLength(1);
    expect(h.hub.listDocuments().filter((d) => d.fileName === 'Fattura offline.pdf')).toHaveLength(1);

    expect(await printerCommand(['uninstall', '--data', h.dataDir])).toBe(0);
  }, 240_000);
});
