// The sandbox hub's SFTP face on a real local folder, used the way the agent uses it through sshd:
// uploads written as in/.<key>.part then renamed, status files and SDI notifications read from out/.
// A reader runs alongside every test and fails it if it ever sees a partial out/ file, or a status
// file before a file it names.
import { randomUUID } from 'node:crypto';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HubDocument, HubEvent } from '../../src/contract/hub-protocol.ts';
import { parseXml } from '../../src/core/xml/safe-xml.ts';
import { createSandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import type { SandboxHub, SandboxHubOptions } from '../../src/sandbox-hub/sandbox-hub.ts';
import { SandboxHttpsClient } from '../../src/sandbox-hub/sandbox-hub-client.ts';
import { encodeSafeName } from '../../src/sandbox-hub/sftp/file-names.ts';
import { EventNotifier } from '../../src/sandbox-hub/processing/event-notifier.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const STATUS_FILE = /^(\d{12})__(.+)__([a-z_]+)\.json$/;
const POLL_MS = 50;

interface StatusFile {
  name: string;
  seq: number;
  key: string;
  status: string;
  event: HubEvent;
}

const toClose: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
});

async function setup(hubOptions: Partial<SandboxHubOptions> = {}): Promise<{ root: string; options: SandboxHubOptions; hub: SandboxHub; reader: OutReader }> {
  const temp = await makeTempDir('sandbox-hub-sftp-');
  toClose.push(temp.cleanup);
  const root = join(temp.dir, 'sftp-root');
  const options: SandboxHubOptions = { dataDir: join(temp.dir, 'hub'), sftp: { rootDir: root, pollIntervalMs: POLL_MS }, ...hubOptions };
  const hub = await start(options);
  const reader = new OutReader(join(root, 'out'));
  toClose.push(() => reader.stop());
  return { root, options, hub, reader };
}

async function start(options: SandboxHubOptions): Promise<SandboxHub> {
  const hub = await createSandboxHub(options);
  toClose.push(() => hub.close());
  return hub;
}

/** As the agent uploads: a dot-file first, renamed to its final name once complete. */
async function drop(root: string, key: string, originalName: string, bytes: Buffer): Promise<string> {
  const part = join(root, 'in', `.${key}.part`);
  await writeFile(part, bytes);
  const name = `${key}__${encodeSafeName(originalName)}`;
  await rename(part, join(root, 'in', name));
  return name;
}

async function visible(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
}

async function statusFiles(root: string, key?: string): Promise<StatusFile[]> {
  const files: StatusFile[] = [];
  for (const name of await visible(join(root, 'out'))) {
    const match = STATUS_FILE.exec(name);
    if (!match || (key !== undefined && match[2] !== key)) continue;
    const event = JSON.parse(await readFile(join(root, 'out', name), 'utf8')) as HubEvent;
    files.push({ name, seq: Number(match[1]), key: match[2] as string, status: match[3] as string, event });
  }
  return files.sort((a, b) => a.seq - b.seq);
}

async function statusesOf(root: string, key: string): Promise<string[]> {
  return (await statusFiles(root, key)).map((file) => file.status);
}

async function settle(root: string, key: string, finalStatus: string): Promise<StatusFile[]> {
  return waitFor(
    `${key} to reach ${finalStatus} in out/`,
    async () => {
      const files = await statusFiles(root, key);
      return files.some((file) => file.status === finalStatus) ? files : null;
    },
    20_000,
    20,
  );
}

/**
 * Waits until the SFTP face has made `count` more whole passes over in/ and out/: the positive sign
 * that what it would have done by then (a status file it must not write) would be done. Each pass
 * ends waiting on the hub's notifier; the first wait seen may end a pass begun before, hence + 1.
 */
async function passes(count: number): Promise<void> {
  const waits = vi.spyOn(EventNotifier.prototype, 'wait');
  try {
    await waitFor(`${count} more passes of the SFTP face`, () => waits.mock.calls.length >= count + 1, 20_000, 10);
  } finally {
    waits.mockRestore();
  }
}

/**
 * Lists and reads out/ continuously, as an impatient agent would: every status file it sees must
 * parse, every notification must be whole XML, and the files a status file names must already be there.
 */
class OutReader {
  readonly problems: string[] = [];
  reads = 0;
  private running = true;
  private readonly dir: string;
  private readonly loop: Promise<void>;
  private readonly watcher: FSWatcher;

  constructor(dir: string) {
    this.dir = dir;
    this.loop = this.run();
    // Besides listing in a loop, read each file the moment it appears (inotify), when a
    // non-atomic write would still be empty or half-written.
    this.watcher = watch(dir, (_event, name) => {
      if (name && !name.startsWith('.')) void this.check(name, null); // never rejects: records problems
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.watcher.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let names: string[];
      try {
        names = await visible(this.dir);
      } catch {
        names = [];
      }
      const listed = new Set(names);
      for (const name of names) await this.check(name, listed);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** `listed`: the listing the name came from, to check the files it names were there too. */
  private async check(name: string, listed: Set<string> | null): Promise<void> {
    let text: string;
    try {
      text = await readFile(join(this.dir, name), 'utf8');
    } catch {
      return; // deleted since the listing (the test plays the agent and removes applied files)
    }
    this.reads += 1;
    try {
      if (name.endsWith('.json')) {
        const event = JSON.parse(text) as HubEvent;
        for (const file of event.files ?? []) {
          if (listed && !listed.has(`${event.idempotencyKey}__${file}`)) this.problems.push(`${name} was listed before the file it names: ${file}`);
        }
      } else if (name.endsWith('.xml')) {
        parseXml(text);
      }
    } catch (error) {
      this.problems.push(`${name} was read incomplete: ${(error as Error).message}`);
    }
  }
}

describe('sandbox hub: SFTP face', () => {
  it('processes a PDF and the official samples from in/ and writes their status files and notifications to out/', async () => {
    const { root, hub, reader } = await setup();
    expect(hub.sftpRootDir).toBe(root);
    expect((await stat(join(root, 'in'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'out'))).mode & 0o777).toBe(0o700);

    // An upload still being written: a dot-file the hub must never touch.
    const partFile = join(root, 'in', '.still-uploading.part');
    await writeFile(partFile, 'half a PDF');
    const partMtime = (await stat(partFile)).mtimeMs;

    const uploads = [
      {
        key: randomUUID(),
        name: 'Fattura n° 7 (marzo).pdf',
        bytes: makePdf('Fattura 7'),
        final: 'delivered',
        statuses: ['received', 'processing', 'sent', 'delivered'],
      },
      {
        key: randomUUID(),
        name: 'IT01234567890_FPR01.xml',
        bytes: fixture('fatturapa', 'IT01234567890_FPR01.xml'),
        final: 'delivered',
        statuses: ['received', 'processing', 'sent', 'delivered'],
      },
      {
        key: randomUUID(),
        name: 'IT01234567890_FPA01.xml',
        bytes: fixture('fatturapa', 'IT01234567890_FPA01.xml'),
        final: 'accepted',
        statuses: ['received', 'processing', 'sent', 'delivered', 'accepted'],
      },
      {
        key: randomUUID(),
        name: 'IT01234567890_FPA02.xml',
        bytes: fixture('fatturapa', 'IT01234567890_FPA02.xml'),
        final: 'accepted',
        statuses: ['received', 'processing', 'sent', 'delivered', 'accepted'],
      },
    ];
    for (const upload of uploads) await drop(root, upload.key, upload.name, upload.bytes);
    expect(await readdir(join(root, 'in'))).toContain(`${uploads[0]?.key}__Fattura%20n%C2%B0%207%20%28marzo%29.pdf`);

    // The same documents, seen over HTTPS, have the same events as the status files.
    const client = await SandboxHttpsClient.fromFiles(hub.url, hub.caFile);
    toClose.push(() => client.close());
    const apiKey = hub.createApiKey();

    for (const upload of uploads) {
      const files = await settle(root, upload.key, upload.final);
      expect(files.map((file) => file.status)).toEqual(upload.statuses);
      const document = (await client.get(apiKey, `/v1/documents/${upload.key}`)).json<HubDocument>();
      expect(files.map((file) => file.event)).toEqual(document.history);
      for (const file of files) {
        expect(file.name).toBe(`${String(file.event.seq).padStart(12, '0')}__${upload.key}__${file.event.status}.json`);
        for (const named of file.event.files ?? []) {
          const onDisk = await readFile(join(root, 'out', `${upload.key}__${named}`));
          expect(onDisk.equals((await client.get(apiKey, `/v1/documents/${upload.key}/files/${named}`)).body)).toBe(true);
        }
      }
      const notifications = files.flatMap((file) => file.event.files ?? []);
      expect(notifications).toEqual(
        upload.final === 'accepted'
          ? [expect.stringMatching(/_RC_001\.xml$/), expect.stringMatching(/_NE_002\.xml$/)]
          : [expect.stringMatching(/_RC_001\.xml$/)],
      );
    }

    // Every status file of every document is in one global seq order.
    const all = await statusFiles(root);
    expect(all.map((file) => file.name)).toEqual(all.map((file) => file.name).sort());
    expect(new Set(all.map((file) => file.seq)).size).toBe(all.length);

    const records = hub.listDocuments();
    expect(records).toHaveLength(4);
    expect(records.every((record) => record.channel === 'sftp' && record.uploads === 1)).toBe(true);
    expect(records.find((record) => record.idempotencyKey === uploads[0]?.key)).toMatchObject({
      fileName: 'Fattura n° 7 (marzo).pdf',
      contentType: 'application/pdf',
    });
    expect(records.find((record) => record.idempotencyKey === uploads[2]?.key)).toMatchObject({ contentType: 'application/xml' });

    expect(await visible(join(root, 'in'))).toEqual([]);
    expect(await readFile(partFile, 'utf8')).toBe('half a PDF');
    expect((await stat(partFile)).mtimeMs).toBe(partMtime);

    // An HTTPS upload to the same account leaves out/ alone.
    const httpsKey = randomUUID();
    expect((await client.upload(apiKey, makePdf('over https'), { contentType: 'application/pdf', idempotencyKey: httpsKey })).status).toBe(201);
    await waitFor(
      'the HTTPS document to be delivered',
      () => hub.listDocuments().find((record) => record.idempotencyKey === httpsKey)?.status === 'delivered',
      20_000,
      20,
    );
    await passes(4);
    expect((await visible(join(root, 'out'))).filter((name) => name.includes(httpsKey))).toEqual([]);
    expect(hub.listDocuments().find((record) => record.idempotencyKey === httpsKey)?.channel).toBe('https');

    await reader.stop();
    expect(reader.reads).toBeGreaterThan(20);
    expect(reader.problems).toEqual([]);
  });

  it('replays the same key and bytes, refuses other bytes, unsupported files and names that break the pattern', async () => {
    const { root, hub, reader } = await setup();
    const key = randomUUID();
    const pdf = makePdf('twice');
    await drop(root, key, 'twice.pdf', pdf);
    await settle(root, key, 'delivered');

    // Same key, same bytes: nothing new, the file just leaves in/.
    await drop(root, key, 'twice.pdf', pdf);
    await waitFor('the replayed file to leave in/', async () => (await visible(join(root, 'in'))).length === 0, 20_000, 20);
    // Same key, other bytes: one failed status file, and the file leaves in/.
    await drop(root, key, 'twice.pdf', makePdf('other bytes'));
    const failed = await settle(root, key, 'failed');
    expect(failed.map((file) => file.status)).toEqual(['received', 'processing', 'sent', 'delivered', 'failed']);
    expect(failed[4]?.event).toMatchObject({
      documentId: '',
      idempotencyKey: key,
      status: 'failed',
      errors: [{ code: 'idempotency_conflict', description: expect.stringContaining('different bytes') }],
    });
    expect(hub.listDocuments()).toEqual([expect.objectContaining({ idempotencyKey: key, uploads: 3, status: 'delivered' })]);

    // Bytes that are no PDF, XML or P7M, and a ZIP: failed with the reason, no document.
    const textKey = randomUUID();
    const zipKey = randomUUID();
    await drop(root, textKey, 'notes.txt', Buffer.from('just some text'));
    await drop(root, zipKey, 'batch.zip', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(40)]));
    expect((await settle(root, textKey, 'failed'))[0]?.event.errors).toEqual([
      { code: 'unsupported_media_type', description: expect.stringContaining('neither a PDF') },
    ]);
    expect((await settle(root, zipKey, 'failed'))[0]?.event.errors).toEqual([{ code: 'unsupported_media_type', description: expect.stringContaining('ZIP') }]);

    // A base64 P7M (armoured) is recognised as one; without an invoice inside SDI rejects it (NS 00102).
    const p7mKey = randomUUID();
    const der = Buffer.concat([Buffer.from([0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]), Buffer.alloc(64, 1)]);
    await drop(root, p7mKey, 'signed.xml.p7m', Buffer.from(`-----BEGIN PKCS7-----\n${der.toString('base64')}\n-----END PKCS7-----\n`));
    const p7m = await settle(root, p7mKey, 'rejected');
    expect(p7m.at(-1)?.event.errors).toEqual([expect.objectContaining({ code: '00102' })]);
    expect(hub.listDocuments().find((record) => record.idempotencyKey === p7mKey)?.contentType).toBe('application/pkcs7-mime');

    // Names that break the pattern are moved aside, never processed, and get no status file.
    await writeFile(join(root, 'in', 'no-separator.pdf'), pdf);
    await writeFile(join(root, 'in', `${randomUUID()}__bad name.pdf`), pdf);
    await mkdir(join(root, 'in', 'a-folder'));
    await waitFor('the misnamed entries to move to in/.rejected/', async () => (await visible(join(root, 'in'))).length === 0, 20_000, 20);
    const rejected = await readdir(join(root, 'in', '.rejected'));
    expect(rejected).toHaveLength(3);
    expect(rejected).toEqual(expect.arrayContaining(['a-folder', expect.stringMatching(/__bad name\.pdf$/), 'no-separator.pdf']));
    expect(hub.listDocuments()).toHaveLength(2);

    const statusCount = (await statusFiles(root)).length;
    await passes(5);
    expect((await statusFiles(root)).length).toBe(statusCount);
    await reader.stop();
    expect(reader.problems).toEqual([]);
  });

  it('holds uploads while credits are exhausted: one held status file, the file stays, and goes through when credits return', async () => {
    const { root, hub, reader } = await setup();
    hub.setCredits(0);
    const key = randomUUID();
    const name = await drop(root, key, 'waiting.pdf', makePdf('waiting'));

    const held = await settle(root, key, 'held');
    expect(held).toHaveLength(1);
    expect(held[0]?.event).toMatchObject({
      documentId: '',
      idempotencyKey: key,
      status: 'held',
      errors: [{ code: 'credits_exhausted', description: expect.any(String) }],
    });
    await passes(8); // many more polls
    expect(await statusesOf(root, key)).toEqual(['held']);
    expect(await visible(join(root, 'in'))).toEqual([name]);
    expect(hub.listDocuments()).toEqual([]);

    hub.setCredits(5);
    const files = await settle(root, key, 'delivered');
    expect(files.map((file) => file.status)).toEqual(['held', 'received', 'processing', 'sent', 'delivered']);
    expect(await visible(join(root, 'in'))).toEqual([]);
    expect(hub.listDocuments()).toEqual([expect.objectContaining({ idempotencyKey: key, channel: 'sftp' })]);
    await reader.stop();
    expect(reader.problems).toEqual([]);
  });

  it('never shows a partial out/ file, even to a reader watching a burst of 25 documents', async () => {
    const { root, hub, reader } = await setup();
    const keys = Array.from({ length: 25 }, () => randomUUID());
    await Promise.all(keys.map((key, index) => drop(root, key, `burst-${index}.pdf`, makePdf(`burst ${index} ${'x'.repeat(2000)}`))));
    for (const key of keys) await settle(root, key, 'delivered');
    expect(hub.listDocuments()).toHaveLength(25);
    await reader.stop();
    expect(reader.reads).toBeGreaterThan(125);
    expect(reader.problems).toEqual([]);
  });

  it('carries on after a restart: pending SDI steps write their out/ files, files the agent deleted are not written again', async () => {
    const { root, options, hub, reader } = await setup({ sdiDelaysMs: { outcome: 1000 } });
    const paKey = randomUUID();
    await drop(root, paKey, 'IT01234567890_FPA01.xml', fixture('fatturapa', 'IT01234567890_FPA01.xml'));
    await settle(root, paKey, 'sent');
    await hub.close();

    // The agent applies what it found and deletes it; meanwhile it uploads another file.
    for (const name of await visible(join(root, 'out'))) await rm(join(root, 'out', name));
    const pdfKey = randomUUID();
    await drop(root, pdfKey, 'while-down.pdf', makePdf('while the hub was down'));
    // Closed: no pass can show that nothing comes, so a short wait of a few poll periods.
    await new Promise((resolve) => setTimeout(resolve, 4 * POLL_MS));
    expect(await visible(join(root, 'out'))).toEqual([]); // closed: no polling any more
    expect(await visible(join(root, 'in'))).toHaveLength(1);

    const second = await start(options);
    expect(second.sftpRootDir).toBe(root);
    const pa = await settle(root, paKey, 'accepted');
    expect(pa.map((file) => file.status)).toEqual(['delivered', 'accepted']);
    expect(await readFile(join(root, 'out', `${paKey}__${pa[0]?.event.files?.[0]}`), 'utf8')).toContain('RicevutaConsegna');
    expect((await settle(root, pdfKey, 'delivered')).map((file) => file.status)).toEqual(['received', 'processing', 'sent', 'delivered']);
    expect(await visible(join(root, 'in'))).toEqual([]);
    await reader.stop();
    expect(reader.problems).toEqual([]);
  });
});
