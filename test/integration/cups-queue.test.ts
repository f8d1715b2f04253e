// The CUPS queue manager against real CUPS, with CUPS's own reference IPP Everywhere printer
// (ippeveprinter) standing in for the agent's printer server.
import { it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';
import {
  cupsQueueNames,
  ensureCups,
  freePort,
  needsCupsAdmin,
  needsIppEvePrinter,
  removeCupsQueue,
  startIppEvePrinter,
  type IppEvePrinter,
} from '../helpers/cups.ts';
import { isRoot, needs, requires } from '../helpers/system-tools.ts';
import { createQueueManager, QueueError, type CommandRunner } from '../../src/core/printer/os-queue/queue-manager.ts';
import { CupsQueueManager } from '../../src/core/printer/os-queue/cups-queue-manager.ts';
import { defaultCommandRunner } from '../../src/core/printer/os-queue/command-runner.ts';
import { parseLpoptions } from '../../src/core/printer/os-queue/cups-output.ts';
import { probeIppPrinter } from '../../src/core/printer/os-queue/ipp-probe.ts';
import { printerCommand } from '../../src/cli/commands/printer.ts';

const execFileAsync = promisify(execFile);
const cups = (await ensureCups()).and(needsIppEvePrinter());
/** Adding a queue (the refusals below stop before lpadmin adds anything). */
const admin = needsCupsAdmin();
/**
 * Seeing lpadmin refuse takes a user who may not administer CUPS: as root, user nobody (setpriv);
 * otherwise the user running the tests, if it is not in lpadmin.
 */
const refusal = isRoot()
  ? needs('setpriv')
  : requires(
      !admin.ok,
      'needs a user that may not administer CUPS: this one is in lpadmin',
      'run the tests as root (the test then runs lpadmin as user nobody)',
      { failInCi: false },
    );
const C_LOCALE = { ...process.env, LC_ALL: 'C', LANG: 'C' };

/** Unique per run: the CUPS scheduler is shared with whatever else runs on this machine. */
const tag = randomBytes(3).toString('hex');

async function caught(promise: Promise<unknown>): Promise<QueueError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof QueueError) return error;
    throw error;
  }
  throw new Error('expected a QueueError, but the call succeeded');
}

cups.describe('CUPS print queues (real cupsd + ippeveprinter)', () => {
  let temp: { dir: string; cleanup: () => Promise<void> };
  let printer: IppEvePrinter;
  const made: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('recapito-cups-');
    printer = await startIppEvePrinter(join(temp.dir, 'printer'), `Recapito Test ${tag}`);
  });

  afterEach(async () => {
    for (const name of made.splice(0)) await removeCupsQueue(name);
  });

  afterAll(async () => {
    await printer?.stop();
    await temp?.cleanup();
  });

  admin.it('installs a driverless queue that prints to the IPP server, and removes it', async () => {
    const manager = createQueueManager('linux');
    const queue = `RecapitoTest-${tag}`;
    made.push(queue);
    expect(manager.system).toBe('cups');
    expect(await manager.status(queue)).toEqual({ installed: false });

    await manager.install({ name: queue, uri: printer.uri, description: 'Recapito test queue' });

    expect(await manager.status(queue)).toEqual({ installed: true, uri: printer.uri, driverless: true, enabled: true, accepting: true });
    // The PPD really was built from the printer's attributes, and the queue is not offered to the LAN.
    const { stdout: ppdOptions } = await execFileAsync(cups.path('lpoptions'), ['-p', queue, '-l'], { env: C_LOCALE });
    expect(ppdOptions).toMatch(/^PageSize\//m);
    const { stdout: attributes } = await execFileAsync(cups.path('lpoptions'), ['-p', queue], { env: C_LOCALE });
    expect(parseLpoptions(attributes)).toMatchObject({ 'printer-info': 'Recapito test queue', 'printer-is-shared': 'false' });
    // A stopped queue, or one that refuses jobs, is reported as such.
    await execFileAsync(cups.path('cupsdisable'), [queue], { env: C_LOCALE });
    await execFileAsync(cups.path('cupsreject'), [queue], { env: C_LOCALE });
    expect(await manager.status(queue)).toMatchObject({ installed: true, enabled: false, accepting: false });
    await execFileAsync(cups.path('cupsenable'), [queue], { env: C_LOCALE });
    await execFileAsync(cups.path('cupsaccept'), [queue], { env: C_LOCALE });
    expect(await manager.status(queue)).toMatchObject({ enabled: true, accepting: true });

    const document = join(temp.dir, 'invoice.pdf');
    await writeFile(document, minimalPdf());
    const before = await printer.jobs();
    await execFileAsync(cups.path('lp'), ['-d', queue, '-t', 'fattura-1', document], { env: C_LOCALE });
    const received = await waitFor(
      'ippeveprinter to receive the job',
      async () => {
        const jobs = (await printer.jobs()).filter((file) => !before.includes(file));
        return jobs.length > 0 ? jobs : null;
      },
      20_000,
    );
    expect(received[0]).toMatch(/\.pdf$/);
    // Let CUPS close the job before the queue goes (its backend is still asking for the job state).
    await waitFor(
      'CUPS to finish the job',
      async () => (await execFileAsync(cups.path('lpstat'), ['-o', queue], { env: C_LOCALE }).catch(() => ({ stdout: 'error' }))).stdout.trim() === '',
      20_000,
      100,
    );

    await manager.uninstall(queue);
    expect(await manager.status(queue)).toEqual({ installed: false });
    expect(await cupsQueueNames()).not.toContain(queue);
    await manager.uninstall(queue); // idempotent
  });

  admin.it('derives a CUPS-safe queue name from a display name with spaces, an en dash and quotes, and keeps the display name as description', async () => {
    const manager = createQueueManager('linux');
    const displayName = `Recapito – Dell'Acqua “Rossi” Srl ${tag}`;
    const queue = manager.queueName(displayName);
    made.push(queue);
    expect(queue).toBe(`Recapito-Dell_Acqua_Rossi_Srl_${tag}`);

    await manager.install({ name: displayName, uri: printer.uri });

    expect(await cupsQueueNames()).toContain(queue);
    expect(await manager.status(displayName)).toMatchObject({ installed: true, driverless: true });
    const { stdout } = await execFileAsync(cups.path('lpoptions'), ['-p', queue], { env: C_LOCALE });
    expect(parseLpoptions(stdout)['printer-info']).toBe(displayName);
    await manager.uninstall(displayName);
    expect(await cupsQueueNames()).not.toContain(queue);
  });

  it('refuses to install when nothing answers at the URI, and leaves no queue behind', async () => {
    const manager = createQueueManager('linux');
    const queue = `RecapitoDown-${tag}`;
    made.push(queue);
    const uri = `ipp://127.0.0.1:${await freePort()}/ipp/print/demo`;

    const error = await caught(manager.install({ name: queue, uri }));

    expect(error.code).toBe('server_not_answering');
    expect(error.message).toContain(uri);
    expect(error.command).toBe(`sudo lpadmin -p ${queue} -E -v ${uri} -m everywhere -o printer-is-shared=false -D ${queue}`);
    expect(await cupsQueueNames()).not.toContain(queue);
  });

  admin.it('verifies the PPD: a server that answers but describes no printer gets retried, then refused, with nothing left behind', async () => {
    // Answers every IPP request with successful-ok and no printer attributes: lpadmin exits 0 but
    // can only make a raw queue, which is the failure mode the verification exists for.
    let requests = 0;
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests++;
        const requestId = Buffer.concat(chunks).subarray(4, 8);
        response.writeHead(200, { 'Content-Type': 'application/ipp' });
        response.end(Buffer.concat([Buffer.from([1, 1, 0, 0]), requestId, emptyOperationAttributes()]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const queue = `RecapitoRaw-${tag}`;
    made.push(queue);
    try {
      const manager = new CupsQueueManager(defaultCommandRunner, { attempts: 2, retryDelayMs: 50 });
      const error = await caught(manager.install({ name: queue, uri: `ipp://127.0.0.1:${port}/ipp/print` }));
      expect(error.code).toBe('no_driver');
      expect(error.message).toContain('after 2 attempts');
      expect(error.message).toContain(`lpoptions -p ${queue} -l`);
      // Two attempts, each asked first by us and then by lpadmin.
      expect(requests).toBeGreaterThanOrEqual(4);
      expect(await cupsQueueNames()).not.toContain(queue);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  refusal.it('says clearly when the user may not administer CUPS ("lpadmin: Forbidden")', async () => {
    // The same real lpadmin, run as the unprivileged user "nobody" (or as this user, who is not in lpadmin).
    const asNobody: CommandRunner = (command, args, options) =>
      defaultCommandRunner(refusal.path('setpriv'), ['--reuid=65534', '--regid=65534', '--clear-groups', command, ...args], options);
    const manager = createQueueManager('linux', isRoot() ? asNobody : defaultCommandRunner);
    const queue = `RecapitoNobody-${tag}`;
    made.push(queue);

    const error = await caught(manager.install({ name: queue, uri: printer.uri }));

    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('sudo usermod -aG lpadmin $USER');
    expect(error.message).toContain(error.command);
    expect(error.command).toBe(`sudo lpadmin -p ${queue} -E -v ${printer.uri} -m everywhere -o printer-is-shared=false -D ${queue}`);
    expect(await cupsQueueNames()).not.toContain(queue);
    // Reading needs no rights.
    expect(await manager.status(queue)).toEqual({ installed: false });
  });

  it('the probe reads the real printer: Get-Printer-Attributes succeeds and lists PDF', async () => {
    const result = await probeIppPrinter(printer.uri);
    expect(result).toMatchObject({ ok: true, makeAndModel: expect.any(String) });
    expect(result.ok && result.documentFormats).toContain('application/pdf');
  });

  it('recapito printer: status, a refused install and uninstall from the settings in a data folder', async () => {
    const dataDir = join(temp.dir, `agent-${tag}`);
    const deadPort = await freePort();
    const profileName = `Prova ${tag}`;
    const queue = `Recapito-Prova_${tag}`;
    made.push(queue);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'config.json'), JSON.stringify({ printer: { port: deadPort }, profiles: [{ id: 'prova', name: profileName }] }));
    const lines: string[] = [];
    const capture = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };

    expect(await printerCommand(['status', '--data', dataDir], capture)).toBe(0);
    expect(lines.join('\n')).toContain(`${profileName} (prova): queue "${queue}": not installed`);

    lines.length = 0;
    expect(await printerCommand(['install', '--data', dataDir], capture)).toBe(1);
    expect(lines.join('\n')).toContain('[server_not_answering]');
    expect(lines.join('\n')).toContain(`ipp://127.0.0.1:${deadPort}/ipp/print/prova`);
    expect(await cupsQueueNames()).not.toContain(queue);

    lines.length = 0;
    expect(await printerCommand(['uninstall', '--data', dataDir], capture)).toBe(0);
    expect(lines.join('\n')).toContain(`no print queue "${queue}" was installed`);
  });
});

function emptyOperationAttributes(): Buffer {
  const attribute = (tag: number, name: string, value: string): Buffer => {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    return Buffer.concat([Buffer.from([tag, n.length >> 8, n.length & 255]), n, Buffer.from([v.length >> 8, v.length & 255]), v]);
  };
  return Buffer.concat([
    Buffer.from([0x01]),
    attribute(0x47, 'attributes-charset', 'utf-8'),
    attribute(0x48, 'attributes-natural-language', 'en'),
    Buffer.from([0x03]),
  ]);
}

/** A one-page PDF with correct xref offsets. */
function minimalPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 44 >>\nstream\nBT /F1 24 Tf 72 720 Td (Fattura 1) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body);
}
