// The return folder on real folders with a real Store and Spool: the files an ERP finds after a
// delivered, a rejected and a not-delivered invoice; files copied once; `.status.json` never seen
// half-written by a reader in another process; the CSV export through the route and the CLI.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify from 'fastify';
import { Store } from '../../src/core/store/store.ts';
import { Spool } from '../../src/core/store/spool.ts';
import { createLogger, type Logger } from '../../src/core/log/logger.ts';
import { ReturnFolderWriter, type ReturnStatus } from '../../src/core/sync/return-folder.ts';
import type { DocumentState } from '../../src/contract/states.ts';
import type { NewDocument } from '../../src/core/store/documents.ts';
import { createAgent, type Agent } from '../../src/core/agent/agent.ts';
import { defaultSettings } from '../../src/core/config/settings-schema.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { dataPaths } from '../../src/core/config/data-dir.ts';
import { registerExportRoutes } from '../../src/core/api/routes/export.ts';
import { exportCommand } from '../../src/cli/commands/export.ts';
import { fixture } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const SDI_FILE = 'IT01234567890_11111.xml.p7m';
const notificationName = (type: string): string => `IT01234567890_11111_${type}_001.xml`;

let root: string;
let cleanup: () => Promise<void>;
let store: Store;
let spool: Spool;
let log: Logger;
let returnDir: string;
let writer: ReturnFolderWriter;
let seq = 0;

beforeEach(async () => {
  ({ dir: root, cleanup } = await makeTempDir('recapito-return-'));
  store = new Store(join(root, 'recapito.sqlite'), 'test');
  spool = new Spool(join(root, 'spool'));
  log = createLogger({ dir: join(root, 'logs'), level: 'debug', maxFileBytes: 1024 * 1024, maxFiles: 1 });
  returnDir = join(root, 'esiti');
  writer = new ReturnFolderWriter({ store, spool, log, folderFor: (profile) => (profile === 'acme' ? returnDir : null) });
});

afterEach(async () => {
  await writer.idle();
  await spool.close();
  store.close();
  await cleanup();
});

function capture(name: string, options: Partial<NewDocument> & { now?: string } = {}): string {
  const id = options.id ?? `doc-${name}-${Math.random().toString(36).slice(2, 8)}`;
  const { now, ...rest } = options;
  store.transaction(() =>
    store.documents.insert(
      {
        id,
        profile: 'acme',
        source: 'folder',
        name,
        kind: 'fatturapa',
        size: 100,
        sha256: 'a'.repeat(64),
        spooled: true,
        state: 'queued',
        metadata: { formato: 'FPR12' },
        ...rest,
      },
      now,
    ),
  );
  return id;
}

/** What the status follower does for a hub event: files into the spool and document_files, then the transition. */
async function hubEvent(
  id: string,
  state: DocumentState,
  extra: { files?: { name: string; kind: string; bytes: Buffer }[]; message?: string; errors?: { code: string; description: string }[]; reason?: string } = {},
): Promise<void> {
  const stored: { name: string; kind: string; bytes: Buffer; sha256: string }[] = [];
  for (const file of extra.files ?? []) stored.push({ ...file, sha256: await spool.put(file.bytes, { durable: false }) });
  seq += 1;
  store.transaction(() => {
    for (const file of stored) store.documents.addFile(id, { name: file.name, kind: file.kind, size: file.bytes.byteLength, sha256: file.sha256 });
    store.documents.transition(
      id,
      {
        state,
        hubId: `hub-${id}`,
        hubStatus: state,
        hubSeq: seq,
        ...(state === 'queued' || state === 'sending' || state === 'received' ? {} : { sdiId: '111', sdiFileName: SDI_FILE }),
        ...(extra.reason ? { reason: extra.reason } : {}),
      },
      { type: 'document.hub_status', message: extra.message ?? null, data: { status: state, ...(extra.errors ? { errors: extra.errors } : {}) } },
    );
  });
  await writer.write(id);
}

async function sendToSdi(id: string): Promise<void> {
  await hubEvent(id, 'received');
  await hubEvent(id, 'processing');
  await hubEvent(id, 'sent', {
    message: `Sent to SDI as ${SDI_FILE}`,
    files: [{ name: SDI_FILE, kind: 'signed', bytes: Buffer.from('signed invoice bytes') }],
  });
}

const readStatus = async (name: string): Promise<ReturnStatus> => JSON.parse(await readFile(join(returnDir, name), 'utf8')) as ReturnStatus;
const listing = async (): Promise<string[]> => (await readdir(returnDir)).sort();

describe('return folder', () => {
  it('after a delivery (RC): the status, the RC notification and the signed file, nothing else', async () => {
    const id = capture('fattura-001.xml');
    await writer.write(id);
    expect((await readStatus('fattura-001.xml.status.json')).state).toBe('queued');
    await sendToSdi(id);
    await hubEvent(id, 'delivered', {
      message: 'Delivered to the recipient (RC).',
      files: [{ name: notificationName('RC'), kind: 'sdi_RC', bytes: fixture('sdi', notificationName('RC')) }],
    });

    expect(await listing()).toEqual([SDI_FILE, notificationName('RC'), 'fattura-001.xml.status.json']);
    expect(await readFile(join(returnDir, notificationName('RC')))).toEqual(fixture('sdi', notificationName('RC')));
    const status = await readStatus('fattura-001.xml.status.json');
    expect(status).toMatchObject({
      id,
      name: 'fattura-001.xml',
      state: 'delivered',
      sdiId: '111',
      sdiFileName: SDI_FILE,
      hubId: `hub-${id}`,
      reason: null,
      errors: [],
      files: [SDI_FILE, notificationName('RC')],
    });
    expect(status.stateText.it).toContain('Consegnata: SDI ha recapitato la fattura al cliente');
    expect(status.stateText.en).toContain('on 2013-06-06 at 14:01');
    expect(status.history.map((h) => h.state)).toEqual(['queued', 'received', 'processing', 'sent', 'delivered']);
    expect(status.history.at(-1)!.message).toBe('Delivered to the recipient (RC).');
    expect(status.capturedAt).toBe(store.documents.get(id)!.createdAt);
  });

  it('after a rejection (NS): the error list and what to do, and the NS file', async () => {
    const id = capture('fattura-002.xml');
    await sendToSdi(id);
    const errors = [{ code: '00100', description: 'Certificato di firma scaduto' }];
    await hubEvent(id, 'rejected', {
      errors,
      reason: '00100: Certificato di firma scaduto',
      files: [{ name: notificationName('NS'), kind: 'sdi_NS', bytes: fixture('sdi', notificationName('NS')) }],
    });

    expect(await listing()).toEqual([SDI_FILE, notificationName('NS'), 'fattura-002.xml.status.json']);
    const status = await readStatus('fattura-002.xml.status.json');
    expect(status.state).toBe('rejected');
    expect(status.errors).toEqual(errors);
    expect(status.reason).toBe('00100: Certificato di firma scaduto');
    expect(status.stateText.it).toContain('00100 Certificato di firma scaduto');
    expect(status.stateText.en).toContain('NEW file name');
  });

  it('after a rejection whose NS file is not there yet, the hub’s errors still say what to fix', async () => {
    const id = capture('fattura-002b.xml');
    await sendToSdi(id);
    await hubEvent(id, 'rejected', { errors: [{ code: '00200', description: 'File non conforme al formato' }], reason: '00200: File non conforme al formato' });
    const status = await readStatus('fattura-002b.xml.status.json');
    expect(status.errors).toEqual([{ code: '00200', description: 'File non conforme al formato' }]);
    expect(status.stateText.en).toContain('00200 File non conforme al formato — the file does not follow the FatturaPA schema');
  });

  it('after a non-delivery (MC) of a B2B invoice: issued, in the cassetto fiscale, do not resend', async () => {
    const id = capture('fattura-003.xml');
    await sendToSdi(id);
    await hubEvent(id, 'not_delivered', { files: [{ name: notificationName('MC'), kind: 'sdi_MC', bytes: fixture('sdi', notificationName('MC')) }] });

    expect(await listing()).toEqual([SDI_FILE, notificationName('MC'), 'fattura-003.xml.status.json']);
    const status = await readStatus('fattura-003.xml.status.json');
    expect(status.state).toBe('not_delivered');
    expect(status.stateText.it).toContain('Emessa: la fattura è disponibile nel cassetto fiscale del cliente — non reinviarla');
    expect(status.stateText.en).toContain("Issued: the invoice is available in the buyer's cassetto fiscale — do not resend it");
  });

  it('copies each file once (an ERP that consumed it does not get it again) and leaves an unchanged status alone', async () => {
    const id = capture('fattura-004.xml', { metadata: { formato: 'FPA12' } });
    await sendToSdi(id);
    await hubEvent(id, 'delivered', { files: [{ name: notificationName('RC'), kind: 'sdi_RC', bytes: fixture('sdi', notificationName('RC')) }] });
    expect((await readStatus('fattura-004.xml.status.json')).stateText.it).toContain('15 giorni');
    await rm(join(returnDir, notificationName('RC'))); // the ERP imported and deleted it

    const before = await stat(join(returnDir, 'fattura-004.xml.status.json'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writer.write(id);
    await writer.write(id);
    expect((await stat(join(returnDir, 'fattura-004.xml.status.json'))).mtimeMs).toBe(before.mtimeMs);

    await hubEvent(id, 'accepted', { files: [{ name: notificationName('NE'), kind: 'sdi_NE', bytes: fixture('sdi', notificationName('NE')) }] });
    expect(await listing()).toEqual([SDI_FILE, notificationName('NE'), 'fattura-004.xml.status.json']);
    const status = await readStatus('fattura-004.xml.status.json');
    expect(status.state).toBe('accepted');
    expect(status.stateText.it).toContain('Accettata');
    expect(status.files).toEqual([SDI_FILE, notificationName('RC'), notificationName('NE')]);
  });

  it('writes nothing for a profile without a return folder, and never outside the folder', async () => {
    const other = capture('altro.xml', { profile: 'other' });
    await writer.write(other);
    await expect(stat(returnDir)).rejects.toThrow(/ENOENT/);

    const id = capture('fattura-005.xml');
    await hubEvent(id, 'delivered', {
      files: [
        { name: '../escaped.xml', kind: 'sdi_RC', bytes: fixture('sdi', notificationName('RC')) },
        { name: 'CON.xml', kind: 'file', bytes: Buffer.from('device name') },
      ],
    });
    expect(await listing()).toEqual(['fattura-005.xml.status.json']);
    await expect(stat(join(root, 'escaped.xml'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses to create a return folder whose parent is missing (an unmounted share), with the reason', async () => {
    const orphan = new ReturnFolderWriter({ store, spool, log, folderFor: () => join(root, 'not-mounted', 'esiti') });
    await expect(orphan.write(capture('fattura-006.xml'))).rejects.toThrow(/parent folder does not exist/);
  });

  it('two documents with one name: the newest capture owns <name>.status.json, the other gets <name>.<id>.status.json', async () => {
    const first = capture('stampa.pdf', { id: 'a-first', now: '2025-01-01T10:00:00.000Z' });
    await writer.write(first);
    const second = capture('stampa.pdf', { id: 'b-second', now: '2025-01-02T10:00:00.000Z' });
    await writer.write(second);
    const duplicate = capture('stampa.pdf', { id: 'c-duplicate', state: 'duplicate', duplicateOf: 'b-second', now: '2025-01-03T10:00:00.000Z' });
    await writer.write(duplicate);
    await writer.idle(); // the displaced first document rewrites its status under its own name in the background

    expect((await readStatus('stampa.pdf.status.json')).id).toBe('b-second');
    expect((await readStatus('stampa.pdf.a-first.status.json')).id).toBe('a-first');
    expect((await readStatus('stampa.pdf.c-duplicate.status.json')).state).toBe('duplicate');
  });

  it('an ERP reading .status.json in a tight loop while it is rewritten never sees a partial file', async () => {
    const id = capture('fattura-007.xml');
    await writer.write(id);
    const target = join(returnDir, 'fattura-007.xml.status.json');
    const stopFile = join(root, 'stop-reader');
    // Another process, as an ERP would be: read, parse, count; never wait between reads.
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `
      const fs = require('node:fs');
      const [target, stop] = process.argv.slice(1);
      let reads = 0, bad = 0, sample = null; const lengths = new Set();
      process.stdout.write('ready\\n');
      while (!fs.existsSync(stop)) {
        for (let i = 0; i < 50; i++) {
          let text;
          try { text = fs.readFileSync(target, 'utf8'); } catch (e) { bad++; sample = e.code; continue; }
          reads++;
          try { lengths.add(JSON.parse(text).history.length); } catch { bad++; sample = text.slice(-80); }
        }
      }
      process.stdout.write(JSON.stringify({ reads, bad, sample, versions: lengths.size }));
    `,
        target,
        stopFile,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    const ready = new Promise<void>((resolve) =>
      reader.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('ready\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => reader.on('exit', resolve));
    await ready; // the reader is looping before the first rewrite

    const states: DocumentState[] = ['sending', 'queued'];
    for (let i = 0; i < 150; i += 1) {
      store.transaction(() =>
        store.documents.transition(
          id,
          { state: states[i % 2]!, reason: `attempt ${i} ${'x'.repeat(i * 7)}` },
          { type: 'document.retry', message: `attempt ${i}` },
        ),
      );
      await writer.write(id);
    }
    await writeFile(stopFile, '');
    expect(await exited).toBe(0);
    const result = JSON.parse(output.slice(output.indexOf('ready\n') + 6)) as { reads: number; bad: number; sample: string | null; versions: number };
    expect(result.bad, `unreadable status seen: ${result.sample}`).toBe(0);
    expect(result.reads).toBeGreaterThan(150);
    expect(result.versions).toBeGreaterThan(10); // it really read while the file changed
    expect((await readStatus('fattura-007.xml.status.json')).history).toHaveLength(151);
    expect((await listing()).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('coalesces a burst of writes for one document and still ends with the latest state', async () => {
    const id = capture('fattura-008.xml');
    await sendToSdi(id);
    store.transaction(() => store.documents.transition(id, { state: 'delivered' }, { type: 'document.hub_status' }));
    await Promise.all(Array.from({ length: 20 }, () => writer.write(id)));
    expect((await readStatus('fattura-008.xml.status.json')).state).toBe('delivered');
  });
});

describe('CSV export', () => {
  let agent: Agent;
  let dataDir: string;

  beforeEach(async () => {
    dataDir = join(root, 'agent');
    const defaults = defaultSettings();
    const settings = { ...defaults, printer: { ...defaults.printer, enabled: false }, api: { ...defaults.api, port: 0 } };
    agent = createAgent(settings, { dataDir, secrets: await createFileSecretStore(join(dataDir, 'secrets.json'), {}), log });
    await agent.start();
    const insert = (document: Partial<NewDocument> & { id: string; name: string }, now: string): void =>
      agent.store.transaction(() =>
        agent.store.documents.insert(
          { profile: 'acme', source: 'folder', kind: 'fatturapa', size: 1, sha256: 'b'.repeat(64), spooled: true, state: 'delivered', ...document },
          now,
        ),
      );
    insert(
      {
        id: 'd1',
        name: 'fattura;1 "bis".xml',
        metadata: {
          invoice: {
            bodies: [{ number: 'FT/1', date: '2025-01-10', total: '1234.50', currency: 'EUR' }],
            seller: { name: 'ALFA SRL' },
            buyer: { name: '+BETA; SPA' },
          },
        },
      },
      '2025-01-10T09:00:00.000Z',
    );
    insert(
      {
        id: 'd2',
        name: '=HYPERLINK("http://evil.example","clic")',
        state: 'rejected',
        reason: 'riga 1\nriga 2',
        metadata: { invoice: { bodies: [{ number: '@SUM(A1)', date: '2025-01-11', total: '-10.00' }] } },
      },
      '2025-01-11T09:00:00.000Z',
    );
    insert({ id: 'd3', name: 'altro.pdf', profile: 'other', kind: 'pdf', source: 'printer' }, '2025-02-01T09:00:00.000Z');
  });

  afterEach(async () => {
    await agent.stop();
  });

  async function exportCsv(query: string): Promise<{ status: number; body: string; type: string | undefined }> {
    const app = Fastify();
    registerExportRoutes(app, () => agent);
    const response = await app.inject({ method: 'GET', url: `/api/v1/export.csv${query}` });
    await app.close();
    return { status: response.statusCode, body: response.body, type: response.headers['content-type'] };
  }

  it('writes UTF-8 with a BOM, ";" and CRLF, RFC 4180 quoting, decimal commas, and neutralises formulas', async () => {
    const { status, body, type } = await exportCsv('?profile=acme');
    expect(status).toBe(200);
    expect(type).toBe('text/csv; charset=utf-8');
    expect(
      body.startsWith(
        '\uFEFFid;name;profile;source;state;reason;sdiId;capturedAt;updatedAt;invoiceNumber;invoiceDate;invoiceTotal;invoiceCurrency;seller;buyer\r\n',
      ),
    ).toBe(true);
    const lines = body.slice(1).split('\r\n');
    expect(lines).toHaveLength(4); // header, two documents (newest first), the final CRLF
    expect(lines[1]).toMatch(
      /^d2;"'=HYPERLINK\(""http:\/\/evil\.example"",""clic""\)";acme;folder;rejected;"riga 1\nriga 2";;2025-01-11T09:00:00\.000Z;[^;]+;'@SUM\(A1\);2025-01-11;-10,00;;;$/,
    );
    expect(lines[2]).toMatch(
      /^d1;"fattura;1 ""bis"".xml";acme;folder;delivered;;;2025-01-10T09:00:00\.000Z;[^;]+;FT\/1;2025-01-10;1234,50;EUR;ALFA SRL;"'\+BETA; SPA"$/,
    );
  });

  it('filters by state and by capture dates (a bare "to" date includes that whole day); "," separator keeps decimal points', async () => {
    const rejected = await exportCsv('?state=rejected&separator=,');
    expect(rejected.body.split('\r\n')).toHaveLength(3);
    expect(rejected.body).toContain(',-10.00,,,\r\n');
    expect(rejected.body).toContain('"\'=HYPERLINK(""http://evil.example"",""clic"")"');

    const january = await exportCsv('?from=2025-01-01&to=2025-01-31');
    expect(january.body).toContain('\r\nd1;');
    expect(january.body).toContain('\r\nd2;');
    expect(january.body).not.toContain('\r\nd3;');
    const february = await exportCsv(`?from=${encodeURIComponent('2025-02-01T00:00:00Z')}`);
    expect(february.body.split('\r\n').map((line) => line.split(';')[0])).toEqual(['\uFEFFid', 'd3', '']);
  });

  it('refuses bad parameters with a reason', async () => {
    for (const [query, text] of [
      ['?state=lost', 'unknown state'],
      ['?from=2025-02-30', 'not a real date'],
      ['?to=yesterday', 'must be a date'],
      ['?separator=tab', 'separator must be'],
      ['?from=2025-02-01&to=2025-01-01', 'must be before'],
    ]) {
      const response = await exportCsv(query!);
      expect(response.status, query).toBe(400);
      expect(response.body).toContain(text);
    }
  });

  it('recapito export --csv writes the file from the running agent’s local API', async () => {
    const app = Fastify();
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers.authorization !== 'Bearer secret-token') await reply.code(401).send({ error: { code: 'unauthorized', message: 'no token' } });
    });
    registerExportRoutes(app, () => agent);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const cliData = join(root, 'cli-data');
      await mkdir(cliData, { recursive: true });
      await writeFile(dataPaths(cliData).apiUrl, url);
      await writeFile(dataPaths(cliData).apiToken, 'secret-token');
      const file = join(root, 'export', 'storico.csv');
      expect(await exportCommand(['--csv', file, '--profile', 'other', '--data', cliData])).toBe(0);
      const csv = await readFile(file, 'utf8');
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv.split('\r\n').map((line) => line.split(';')[0])).toEqual(['\uFEFFid', 'd3', '']);
      await expect(exportCommand(['--csv', file, '--state', 'nope', '--data', cliData])).rejects.toThrow(/400 unknown state "nope"/);
      expect(await exportCommand(['--data', cliData])).toBe(2);
    } finally {
      await app.close();
    }
  });
});
