// The bad-input corpus (test/fixtures/bad-inputs/manifest.json) through every channel each entry
// applies to, all files at once, one agent per channel: the watched folder, the local API upload,
// the virtual printer (IPP over HTTP, no CUPS) and the hub's SFTP status files (a real sshd). Each
// entry must end in a visible state with a reason (the document's state and reason through the
// local API, the errors/ note, the IPP status, out/malformed/ and the log), the agent keeps going
// (a good file dropped after the bad ones is delivered) and nothing is lost.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { apiRequest, startApiHarness, TEST_TOKEN } from '../helpers/local-api-request.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import {
  CHANNELS,
  CorpusBytes,
  entriesFor,
  expected,
  fillStatusTemplate,
  loadCorpus,
  renderTable,
  TABLE_END,
  TABLE_START,
  type Channel,
  type CorpusEntry,
  type Outcome,
} from '../helpers/bad-input-corpus.ts';
import { startLocalApi, type LocalApi } from '../../src/core/api/local-api-server.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { LOG_FILE_NAME } from '../../src/core/log/logger.ts';
import { cleanName } from '../../src/core/util/file-names.ts';
import type { DocumentDetail } from '../../src/contract/local-api.ts';
import { encodeIppMessage } from '../../src/core/printer/ipp/encoder.ts';
import { decodeIppMessage } from '../../src/core/printer/ipp/decoder.ts';
import { attr, findAttribute, v, type IppAttribute } from '../../src/core/printer/ipp/attributes.ts';
import { GROUP_TAG, OPERATION, statusName } from '../../src/core/printer/ipp/tags.ts';
import { documentNameForJob } from '../../src/core/printer/printer-service.ts';
import type { DocumentRecord } from '../../src/core/store/documents.ts';

const corpus = loadCorpus();
const bytes = new CorpusBytes();
const DOC = fileURLToPath(new URL('../../docs/bad-inputs.md', import.meta.url));
/** Backstop for a whole channel's corpus to settle: a loaded 2-core machine, 21 MB files, a 100,000-entry ZIP. */
const SETTLE_MS = 60_000;
/** Backstop for one channel's test: its agent, the corpus, the good file after (about 3-10 s unloaded). */
const CHANNEL_TIMEOUT_MS = 120_000;

const toClose: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
});

type DocumentOutcome = Exclude<Outcome, { ipp: string } | { statusFile: string }>;

/** The document's state and reason as the local API shows them, and the reason code the store keeps. */
async function viewThroughApi(api: LocalApi, harness: Harness, id: string): Promise<{ detail: DocumentDetail; record: DocumentRecord }> {
  const answer = await apiRequest(api.port, `/api/v1/documents/${id}`);
  expect(answer.status, answer.body).toBe(200);
  return { detail: answer.json() as unknown as DocumentDetail, record: harness.agent.store.documents.get(id)! };
}

const settled = (record: DocumentRecord | undefined, wanted: 'invalid' | 'delivered'): boolean =>
  record !== undefined && (record.state === wanted || (wanted === 'delivered' && ['invalid', 'failed', 'rejected'].includes(record.state)));

/** Checks one document against what the manifest expects of it; returns a list of mismatches (empty: fine). */
function mismatches(label: string, record: DocumentRecord, detail: DocumentDetail, want: { state: string; code?: string; reason?: string }): string[] {
  const wrong: string[] = [];
  if (detail.state !== want.state) wrong.push(`${label}: state ${detail.state} (${record.reasonCode}: ${detail.reason}), expected ${want.state}`);
  if (want.code !== undefined && record.reasonCode !== want.code) wrong.push(`${label}: code ${record.reasonCode}, expected ${want.code} (${detail.reason})`);
  if (want.state === 'invalid' && !detail.reason) wrong.push(`${label}: invalid without a reason`);
  if (want.reason !== undefined && want.state === 'invalid' && !new RegExp(want.reason).test(detail.reason ?? ''))
    wrong.push(`${label}: reason "${detail.reason}" does not match /${want.reason}/`);
  return wrong;
}

/** Waits for every document of an entry to settle and compares them with the expectation. */
async function checkDocuments(api: LocalApi, harness: Harness, label: string, documents: () => DocumentRecord[], want: DocumentOutcome): Promise<string[]> {
  if ('parts' in want) {
    const wrong: string[] = [];
    for (const part of want.parts) {
      const found = await waitFor(
        `${label}/${part.name} settled`,
        () => {
          const record = documents().find((d) => d.name === part.name);
          return settled(record, part.state) ? record : null;
        },
        SETTLE_MS,
      );
      const { detail, record } = await viewThroughApi(api, harness, found.id);
      wrong.push(...mismatches(`${label}/${part.name}`, record, detail, part));
    }
    if (documents().length !== want.parts.length) wrong.push(`${label}: ${documents().length} documents, expected ${want.parts.length}`);
    return wrong;
  }
  if (want.state === 'ignored') return [];
  const found = await waitFor(
    `${label} settled`,
    () => {
      const all = documents();
      return all.length > 0 && all.every((record) => settled(record, want.state)) ? all : null;
    },
    SETTLE_MS,
  );
  if (found.length !== 1) return [`${label}: ${found.length} documents, expected 1`];
  const { detail, record } = await viewThroughApi(api, harness, found[0]!.id);
  return mismatches(label, record, detail, want);
}

const isDocumentOutcome = (o: Outcome): o is DocumentOutcome => !('ipp' in o) && !('statusFile' in o);
const allDocuments = (harness: Harness): DocumentRecord[] =>
  harness.agent
    .documents({ limit: 500 })
    .documents.map((d) => harness.agent.store.documents.get(d.id)!)
    .filter(Boolean);

/** A local API on an agent the harness started (startApiHarness for an agent with other settings). */
async function apiOn(harness: Harness): Promise<LocalApi> {
  const log = createLogger({ dir: join(harness.dataDir, 'logs'), level: 'info', maxFileBytes: 1 << 20, maxFiles: 1 });
  const api = await startLocalApi({ agent: harness.agent, token: TEST_TOKEN, host: '127.0.0.1', port: 0, log, maxUploadBytes: 25 * 1024 * 1024, uiDir: null });
  toClose.push(() => api.close());
  return api;
}

/** Drops a good PDF after the corpus and waits for it to be delivered: the agent kept going. */
async function goodFileAfter(harness: Harness, name: string, send: (bytes: Buffer) => Promise<void>): Promise<void> {
  await send(makePdf(`good after the corpus ${name}`));
  const document = await waitFor(`${name} captured`, () => allDocuments(harness).find((d) => d.name === name), SETTLE_MS);
  await harness.waitForState(document.id, 'delivered', SETTLE_MS);
}

describe('bad-input corpus', () => {
  it('is kept as data: at least 40 kinds, every file present, names unique per channel, docs/bad-inputs.md generated from it', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    for (const group of ['xml', 'zip', 'pdf', 'p7m', 'ipp', 'print', 'name', 'status'])
      expect(
        corpus.some((e) => e.group === group),
        group,
      ).toBe(true);
    for (const channel of CHANNELS) {
      expect(entriesFor(corpus, channel).length, channel).toBeGreaterThan(0);
      const names = entriesFor(corpus, channel)
        .map((e) => e.as)
        .filter((name) => name !== undefined);
      expect(new Set(names).size, `${channel}: names are unique`).toBe(names.length);
    }
    for (const entry of corpus) expect((await bytes.of(entry)).length, entry.kind).toBeGreaterThanOrEqual(0);
    // Every file in the folder is in the manifest: none is left over from a removed kind.
    const listed = new Set(corpus.map((e) => e.file).filter(Boolean));
    const stored = (await readdir(fileURLToPath(new URL('../fixtures/bad-inputs/', import.meta.url)), { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile() && d.name !== 'manifest.json')
      .map((d) => join(d.parentPath, d.name).split('/bad-inputs/')[1]);
    expect(stored.filter((path) => !listed.has(path))).toEqual([]);

    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(TABLE_START);
    const end = doc.indexOf(TABLE_END);
    expect(start, 'docs/bad-inputs.md holds the table markers').toBeGreaterThanOrEqual(0);
    const table = renderTable(corpus);
    if (process.env['UPDATE_BAD_INPUTS_DOC'] === '1') {
      await writeFile(DOC, doc.slice(0, start) + table + doc.slice(end + TABLE_END.length));
      return;
    }
    // Out of date: run this file with UPDATE_BAD_INPUTS_DOC=1 and commit docs/bad-inputs.md.
    expect(doc.slice(start, end + TABLE_END.length)).toBe(table);
  });

  it(
    'folder: each file ends in sent/ or errors/ with its reason, a dot-file is left alone, and the agent keeps going',
    async () => {
      const { harness, api, close } = await startApiHarness();
      toClose.push(close);
      const entries = entriesFor(corpus, 'folder');
      // Written under a dot-name and renamed, as a careful writer does: the watcher sees each file whole.
      await Promise.all(
        entries.map(async (entry) => {
          const temporary = join(harness.dropDir, `.writing-${entry.kind}`);
          await writeFile(temporary, await bytes.of(entry));
          await rename(temporary, join(harness.dropDir, entry.as!));
        }),
      );

      const wrong: string[] = [];
      for (const entry of entries) {
        const want = expected(entry, 'folder');
        if (!isDocumentOutcome(want)) throw new Error(`${entry.kind}: no folder outcome`);
        const documents = (): DocumentRecord[] =>
          allDocuments(harness).filter((d) => (d.metadata['archive'] === undefined ? d.name === entry.as : d.metadata['archive'] === entry.as));
        wrong.push(...(await checkDocuments(api, harness, `folder ${entry.kind}`, documents, want)));
      }
      await goodFileAfter(harness, 'buona-dopo.pdf', (pdf) => writeFile(join(harness.dropDir, 'buona-dopo.pdf'), pdf));
      expect(wrong).toEqual([]);

      // Nothing lost: each file is in errors/ with its note (every part refused), in sent/, or left where it was.
      const ignored = entries.filter((e) => (expected(e, 'folder') as { state?: string }).state === 'ignored').map((e) => e.as!);
      const leftInDrop = async (): Promise<string[]> => (await readdir(harness.dropDir)).filter((name) => name !== 'sent' && name !== 'errors');
      // The post-actions run after each capture's commit: wait until only the ignored files remain.
      await waitFor('every post-action done', async () => (await leftInDrop()).length === ignored.length, SETTLE_MS);
      const sent = await readdir(join(harness.dropDir, 'sent'));
      const errors = await readdir(join(harness.dropDir, 'errors'));
      const left = await leftInDrop();
      for (const entry of entries) {
        const want = expected(entry, 'folder');
        const onDisk = cleanName(entry.as!);
        if ('state' in want && want.state === 'ignored') {
          expect(left, entry.kind).toContain(entry.as);
          expect(
            allDocuments(harness).some((d) => d.name === entry.as),
            entry.kind,
          ).toBe(false);
        } else if ('state' in want && want.state === 'invalid') {
          expect(errors, entry.kind).toContain(onDisk);
          const note = await readFile(join(harness.dropDir, 'errors', `${onDisk}.error.txt`), 'utf8');
          expect(note, entry.kind).toMatch(new RegExp(want.reason));
        } else {
          expect(sent, entry.kind).toContain(onDisk);
        }
      }
      expect(left.sort()).toEqual(ignored.sort());
      expectHubHoldsDelivered(harness, entries, 'folder', 1);
    },
    CHANNEL_TIMEOUT_MS,
  );

  it(
    'local API upload: each upload answers 201 and ends in a visible state with a reason; the agent keeps going',
    async () => {
      const { harness, api, close } = await startApiHarness();
      toClose.push(close);
      const entries = entriesFor(corpus, 'api');
      const uploaded = await Promise.all(
        entries.map(async (entry) => {
          const answer = await apiRequest(api.port, '/api/v1/documents', {
            method: 'POST',
            headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': encodeURIComponent(entry.as!) },
            body: await bytes.of(entry),
          });
          expect(answer.status, `${entry.kind}: ${answer.body}`).toBe(201);
          const ids = (answer.json()['documents'] as { id: string }[]).map((d) => d.id);
          return { entry, ids };
        }),
      );
      const wrong: string[] = [];
      for (const { entry, ids } of uploaded) {
        const want = expected(entry, 'api');
        if (!isDocumentOutcome(want)) throw new Error(`${entry.kind}: no API outcome`);
        const documents = (): DocumentRecord[] => ids.map((id) => harness.agent.store.documents.get(id)!);
        wrong.push(...(await checkDocuments(api, harness, `api ${entry.kind}`, documents, want)));
      }
      await goodFileAfter(harness, 'buona-dopo.pdf', async (pdf) => {
        const answer = await apiRequest(api.port, '/api/v1/documents', {
          method: 'POST',
          headers: { 'Content-Type': 'application/pdf', 'X-Filename': 'buona-dopo.pdf' },
          body: pdf,
        });
        expect(answer.status).toBe(201);
      });
      expect(wrong).toEqual([]);
      expectHubHoldsDelivered(harness, entries, 'api', 1);
    },
    CHANNEL_TIMEOUT_MS,
  );

  it(
    'printer: a malformed IPP request gets its IPP error, a printed bad document ends invalid with its reason; the printer keeps printing',
    async () => {
      const harness = await startHarness({ settings: (s) => ({ ...s, printer: { ...s.printer, enabled: true, port: 0 } }) });
      toClose.push(() => harness.close());
      const api = await apiOn(harness);
      const printerUrl = harness.agent.printer.urls()[0]!.url.replace(/^ipp:/, 'http:');
      const entries = entriesFor(corpus, 'printer');

      const wrong: string[] = [];
      const jobs: { entry: CorpusEntry; jobId: number }[] = [];
      // One at a time, as a spooler sends them (the printer answers server-error-busy past a few at once).
      for (const entry of entries) {
        const want = expected(entry, 'printer');
        const body = entry.group === 'ipp' ? await bytes.of(entry) : Buffer.concat([printJob(jobNameOf(entry), entry.format), await bytes.of(entry)]);
        const response = await fetch(printerUrl, { method: 'POST', headers: { 'Content-Type': 'application/ipp' }, body: new Uint8Array(body) });
        expect(response.status, entry.kind).toBe(200);
        const { message } = decodeIppMessage(new Uint8Array(await response.arrayBuffer()));
        const status = statusName(message.code);
        const statusMessage = valueOf(message.groups[0]?.attributes, 'status-message');
        if ('ipp' in want) {
          if (status !== want.ipp) wrong.push(`printer ${entry.kind}: IPP ${status} (${statusMessage}), expected ${want.ipp}`);
          else if (!new RegExp(want.reason).test(statusMessage))
            wrong.push(`printer ${entry.kind}: status-message "${statusMessage}" does not match /${want.reason}/`);
          continue;
        }
        if (status !== 'successful-ok') {
          wrong.push(`printer ${entry.kind}: IPP ${status} (${statusMessage}), expected successful-ok`);
          continue;
        }
        const jobId = valueOf(message.groups.find((g) => g.tag === GROUP_TAG.job)?.attributes, 'job-id');
        jobs.push({ entry, jobId: Number(jobId) });
      }
      for (const { entry, jobId } of jobs) {
        const want = expected(entry, 'printer') as DocumentOutcome;
        const documents = (): DocumentRecord[] =>
          allDocuments(harness).filter((d) => (d.metadata['printer'] as { jobId?: number } | undefined)?.jobId === jobId);
        wrong.push(...(await checkDocuments(api, harness, `printer ${entry.kind}`, documents, want)));
        const names = documents().map((d) => d.name);
        expect(names, entry.kind).toEqual([documentNameForJob(jobNameOf(entry), jobId)]);
      }
      expect(wrong).toEqual([]);
      // A refused request makes no document: every printer document is one of the jobs above.
      expect(allDocuments(harness).length).toBe(jobs.length);
      await goodFileAfter(harness, 'buona-dopo.pdf', async (pdf) => {
        const response = await fetch(printerUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/ipp' },
          body: new Uint8Array(Buffer.concat([printJob('buona-dopo'), pdf])),
        });
        expect(statusName(decodeIppMessage(new Uint8Array(await response.arrayBuffer())).message.code)).toBe('successful-ok');
      });
      expectHubHoldsDelivered(harness, entries, 'printer', 1);
    },
    CHANNEL_TIMEOUT_MS,
  );

  it(
    'SFTP status files: a malformed one is moved to out/malformed/ and logged with its problem, the feed goes on, no status is lost',
    async () => {
      const harness = await startHarness({ transport: 'sftp' });
      toClose.push(() => harness.close());
      const outDir = join(harness.hub.sftpRootDir!, 'out');
      const entries = entriesFor(corpus, 'sftp');

      // A document the agent sent, delivered: the status files below are about it (or about no document).
      await goodFileAfter(harness, 'prima.pdf', (pdf) => writeFile(join(harness.dropDir, 'prima.pdf'), pdf));
      const known = allDocuments(harness).find((d) => d.name === 'prima.pdf')!;
      const knownBefore = { state: known.state, hubSeq: known.hubSeq };

      // An account's seqs need not be contiguous (hub-protocol.md): the corpus takes a range the hub
      // skips, so a well-formed status file in it cannot hide one of the hub's own.
      const hubDb = new Database(join(harness.root, 'hub', 'hub.sqlite'));
      let first: number;
      try {
        hubDb.pragma('busy_timeout = 5000');
        first = (hubDb.prepare("UPDATE sqlite_sequence SET seq = seq + 1000 WHERE name = 'events' RETURNING seq").get() as { seq: number }).seq - 999;
      } finally {
        hubDb.close();
      }
      const unknown = randomUUID();
      const placed = await Promise.all(
        entries.map(async (entry, index) => {
          const values = { seq: first + index, known: known.id, unknown };
          const name = fillStatusTemplate(entry.statusFile!, values, 'name');
          const content = fillStatusTemplate((await bytes.of(entry)).toString('utf8'), values, 'content');
          // As the hub writes: a dot-name first, renamed when whole.
          await writeFile(join(outDir, `.${name}`), content);
          await rename(join(outDir, `.${name}`), join(outDir, name));
          return { entry, name };
        }),
      );
      await goodFileAfter(harness, 'buona-dopo.pdf', (pdf) => writeFile(join(harness.dropDir, 'buona-dopo.pdf'), pdf));

      const logFile = join(harness.dataDir, 'logs', LOG_FILE_NAME);
      const logLines = (): string[] => readFileSync(logFile, 'utf8').split('\n');
      const malformedDir = join(outDir, 'malformed');
      const wrong: string[] = [];
      for (const { entry, name } of placed) {
        const want = expected(entry, 'sftp');
        if (!('statusFile' in want)) throw new Error(`${entry.kind}: no SFTP outcome`);
        const reason = new RegExp(want.reason);
        if (want.statusFile === 'malformed') {
          await waitFor(
            `${entry.kind} moved to out/malformed/`,
            async () => (await readdir(malformedDir).catch(() => [] as string[])).includes(name),
            SETTLE_MS,
          );
          // The warning is written before the move; the log file may be flushed a moment later.
          const line = await waitFor(`a log line naming ${name}`, () => logLines().find((l) => l.includes('malformed status file') && l.includes(name)));
          if (!reason.test(line)) wrong.push(`sftp ${entry.kind}: log line "${line.slice(0, 300)}" does not match /${want.reason}/`);
        } else {
          await waitFor(`${entry.kind} applied and removed`, async () => !(await readdir(outDir)).includes(name), SETTLE_MS);
          if ((await readdir(malformedDir).catch(() => [] as string[])).includes(name)) wrong.push(`sftp ${entry.kind}: moved to out/malformed/`);
          await waitFor(`a log line matching /${want.reason}/ naming ${unknown}`, () => logLines().some((l) => reason.test(l) && l.includes(unknown)));
        }
      }
      expect(wrong).toEqual([]);
      // The document they named kept the state its real statuses gave it.
      const after = harness.agent.store.documents.get(known.id)!;
      expect({ state: after.state, hubSeq: after.hubSeq }).toEqual(knownBefore);
      expect(
        harness.hub
          .listDocuments()
          .map((d) => d.fileName)
          .sort(),
      ).toEqual(['buona-dopo.pdf', 'prima.pdf']);
    },
    CHANNEL_TIMEOUT_MS,
  );
});

/** The first value of an IPP attribute as text ('' when there is none). */
function valueOf(attributes: readonly IppAttribute[] | undefined, name: string): string {
  const value = findAttribute(attributes, name)?.values[0];
  return value && 'value' in value && (typeof value.value === 'string' || typeof value.value === 'number') ? String(value.value) : '';
}

/** The printer's job-name for an entry: its name without .pdf (the printer adds it back). */
function jobNameOf(entry: CorpusEntry): string {
  return entry.as!.replace(/\.pdf$/i, '');
}

function printJob(jobName: string, format = 'application/pdf'): Buffer {
  return encodeIppMessage({
    version: { major: 2, minor: 0 },
    code: OPERATION['Print-Job'],
    requestId: 1,
    groups: [
      {
        tag: GROUP_TAG.operation,
        attributes: [
          attr('attributes-charset', v.charset('utf-8')),
          attr('attributes-natural-language', v.naturalLanguage('it')),
          attr('printer-uri', v.uri('ipp://localhost/ipp/print')),
          attr('requesting-user-name', v.name('corpus')),
          attr('job-name', v.name(jobName)),
          attr('document-format', v.mimeMediaType(format)),
        ],
      },
    ],
  });
}

/**
 * The hub holds exactly the documents the agent shows delivered, each sent once with its bytes, and as
 * many as the manifest expects: nothing refused went out, nothing accepted was lost or sent twice.
 */
function expectHubHoldsDelivered(harness: Harness, entries: CorpusEntry[], channel: Channel, extra: number): void {
  let count = extra;
  for (const entry of entries) {
    const want = expected(entry, channel);
    if ('parts' in want) count += want.parts.filter((p) => p.state === 'delivered').length;
    else if ('state' in want && want.state === 'delivered') count += 1;
  }
  const atHub = harness.hub.listDocuments();
  const delivered = allDocuments(harness).filter((d) => d.state === 'delivered');
  expect(atHub.map((d) => ({ key: d.idempotencyKey, sha256: d.sha256, uploads: d.uploads })).sort((a, b) => a.key.localeCompare(b.key))).toEqual(
    delivered.map((d) => ({ key: d.id, sha256: d.sha256, uploads: 1 })).sort((a, b) => a.key.localeCompare(b.key)),
  );
  expect(atHub.length, `${channel}: documents at the hub`).toBe(count);
}
