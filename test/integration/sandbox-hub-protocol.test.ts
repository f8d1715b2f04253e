// Hub protocol v1 as the sandbox hub answers it over real HTTPS: idempotency, digests, keys,
// credits, the event feed (limits, 410, long poll), look-ups and enrollment.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HubAccount, HubDocument, HubEventsPage } from '../../src/contract/hub-protocol.ts';
import { createSandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import type { SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { SandboxHttpsClient } from '../../src/sandbox-hub/sandbox-hub-client.ts';
import { EventNotifier } from '../../src/sandbox-hub/processing/event-notifier.ts';
import { fixture, makePdf } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const MAX_BYTES = 64 * 1024;
const RETENTION = 6;

let hub: SandboxHub;
let client: SandboxHttpsClient;
let apiKey: string;
let cleanup: () => Promise<void>;
const invoice = fixture('fatturapa', 'IT01234567890_FPR01.xml');

beforeAll(async () => {
  const temp = await makeTempDir('sandbox-hub-protocol-');
  cleanup = temp.cleanup;
  hub = await createSandboxHub({ dataDir: temp.dir, maxDocumentBytes: MAX_BYTES, eventRetention: RETENTION, longPollMaxSeconds: 3 });
  client = await SandboxHttpsClient.fromFiles(hub.url, hub.caFile);
  apiKey = hub.createApiKey();
});

afterAll(async () => {
  client?.close();
  await hub?.close();
  await cleanup?.();
});

function errorCode(response: { json<T>(): T }): string {
  return response.json<{ error: { code: string; message: string } }>().error.code;
}

async function events(query: string, key = apiKey): Promise<HubEventsPage> {
  const response = await client.get(key, `/v1/events?${query}`);
  expect(response.status, response.body.toString()).toBe(200);
  return response.json<HubEventsPage>();
}

async function lastSeq(): Promise<number> {
  const response = await client.get(apiKey, `/v1/events?since=0&limit=1000`);
  return response.status === 410 ? response.json<{ lastSeq: number }>().lastSeq : response.json<HubEventsPage>().lastSeq;
}

describe('sandbox hub: uploads', () => {
  it('answers a replay of the same key and bytes with 200 and the first body, and 409 for other bytes', async () => {
    const key = randomUUID();
    const first = await client.upload(apiKey, invoice, { contentType: 'application/xml', idempotencyKey: key, fileName: 'Fattura è 1.xml' });
    expect(first.status).toBe(201);
    const created = first.json<{ id: string; status: string; receivedAt: string }>();
    expect(created).toMatchObject({ id: expect.stringMatching(/^doc_/), status: 'received' });

    const replay = await client.upload(apiKey, invoice, { contentType: 'application/xml', idempotencyKey: key });
    expect(replay.status).toBe(200);
    expect(replay.json()).toEqual(created);

    const conflict = await client.upload(apiKey, makePdf('other bytes'), { contentType: 'application/pdf', idempotencyKey: key });
    expect(conflict.status).toBe(409);
    expect(errorCode(conflict)).toBe('idempotency_conflict');

    const records = hub.listDocuments().filter((record) => record.idempotencyKey === key);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: created.id, uploads: 3, fileName: 'Fattura è 1.xml', size: invoice.length, contentType: 'application/xml' });
  });

  it('verifies Content-Digest and requires Idempotency-Key and a body', async () => {
    const wrong = await client.upload(apiKey, invoice, {
      contentType: 'application/xml',
      idempotencyKey: randomUUID(),
      headers: { 'content-digest': `sha-256=:${Buffer.alloc(32, 7).toString('base64')}:` },
    });
    expect(wrong.status).toBe(400);
    expect(errorCode(wrong)).toBe('digest_mismatch');

    const noDigest = await client.request('POST', '/v1/documents', {
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/xml', 'idempotency-key': randomUUID() },
      body: invoice,
    });
    expect(noDigest.status).toBe(400);
    expect(errorCode(noDigest)).toBe('missing_content_digest');

    const noKey = await client.upload(apiKey, invoice, { contentType: 'application/xml', idempotencyKey: '', headers: {} });
    expect(noKey.status).toBe(400);
    expect(errorCode(noKey)).toBe('missing_idempotency_key');

    const empty = await client.upload(apiKey, Buffer.alloc(0), { contentType: 'application/xml', idempotencyKey: randomUUID() });
    expect(empty.status).toBe(400);
    expect(errorCode(empty)).toBe('empty_document');
  });

  it('answers 413 above maxDocumentBytes, stores nothing, and keeps serving', async () => {
    const before = hub.listDocuments().length;
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(MAX_BYTES * 4, 0x20)]);
    const response = await client.upload(apiKey, big, { contentType: 'application/pdf', idempotencyKey: randomUUID() });
    expect(response.status).toBe(413);
    expect(errorCode(response)).toBe('document_too_large');
    expect(hub.listDocuments()).toHaveLength(before);
    expect((await client.get(apiKey, '/v1/account')).status).toBe(200);
  });

  it('refuses an unknown X-Company and X-Source, accepts a known company by id or VAT number', async () => {
    const upload = (headers: Record<string, string>) =>
      client.upload(apiKey, makePdf(randomUUID()), { contentType: 'application/pdf', idempotencyKey: randomUUID(), headers });
    expect(errorCode(await upload({ 'x-company': 'cmp_nobody' }))).toBe('unknown_company');
    expect(errorCode(await upload({ 'x-source': 'fax' }))).toBe('invalid_source');
    expect((await upload({ 'x-company': 'cmp_beta', 'x-source': 'printer' })).status).toBe(201);
    expect((await upload({ 'x-company': 'IT01234567890' })).status).toBe(201);
  });
});

describe('sandbox hub: keys and credits', () => {
  it('answers 401 with a code for a missing, unknown, expired or revoked key', async () => {
    expect(errorCode(await client.request('GET', '/v1/account'))).toBe('missing_api_key');
    const unknown = await client.get('rk_sandbox_not-a-key', '/v1/account');
    expect(unknown.status).toBe(401);
    expect(errorCode(unknown)).toBe('invalid_api_key');

    const expiring = hub.createApiKey({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await client.get(expiring, '/v1/account')).status).toBe(200);
    hub.setKeyExpiry(expiring, new Date(Date.now() - 1000).toISOString());
    const expired = await client.get(expiring, '/v1/account');
    expect(expired.status).toBe(401);
    expect(errorCode(expired)).toBe('api_key_expired');
    const upload = await client.upload(expiring, invoice, { contentType: 'application/xml', idempotencyKey: randomUUID() });
    expect(upload.status).toBe(401);
    hub.setKeyExpiry(expiring, null);
    expect((await client.get(expiring, '/v1/account')).status).toBe(200);

    const revoked = hub.createApiKey();
    hub.revokeApiKey(revoked);
    expect(errorCode(await client.get(revoked, '/v1/events'))).toBe('api_key_revoked');
  });

  it('reports the account and its key', async () => {
    const key = hub.createApiKey({ expiresAt: '2099-01-01T00:00:00.000Z' });
    const account = (await client.get(key, '/v1/account')).json<HubAccount>();
    expect(account.account).toEqual({ id: 'acc_sandbox', name: 'Sandbox account' });
    expect(account.key).toMatchObject({ id: expect.stringMatching(/^key_/), expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(account.companies.map((company) => company.id)).toContain('cmp_alpha');
  });

  it('answers 402 with no credits, still replays known keys, and accepts again after setCredits', async () => {
    const known = randomUUID();
    expect((await client.upload(apiKey, makePdf(known), { contentType: 'application/pdf', idempotencyKey: known })).status).toBe(201);
    hub.setCredits(0);
    try {
      const refused = await client.upload(apiKey, makePdf('no credits'), { contentType: 'application/pdf', idempotencyKey: randomUUID() });
      expect(refused.status).toBe(402);
      expect(errorCode(refused)).toBe('credits_exhausted');
      expect((await client.get(apiKey, '/v1/account')).json<HubAccount>().credits.remaining).toBe(0);
      expect((await client.upload(apiKey, makePdf(known), { contentType: 'application/pdf', idempotencyKey: known })).status).toBe(200);
    } finally {
      hub.setCredits(2);
    }
    expect((await client.upload(apiKey, makePdf('credits back'), { contentType: 'application/pdf', idempotencyKey: randomUUID() })).status).toBe(201);
    expect((await client.get(apiKey, '/v1/account')).json<HubAccount>().credits.remaining).toBe(1);
    hub.setCredits(1000);
  });
});

describe('sandbox hub: event feed', () => {
  it('pages with limit, and answers 410 with lastSeq for a cursor older than the retention or ahead of the feed', async () => {
    const id = (await client.upload(apiKey, invoice, { contentType: 'application/xml', idempotencyKey: randomUUID() })).json<{ id: string }>().id;
    await waitFor('delivery', async () => (await client.get(apiKey, `/v1/documents/${id}`)).json<HubDocument>().status === 'delivered');
    const last = await lastSeq();
    expect(last).toBeGreaterThan(RETENTION);

    const old = await client.get(apiKey, '/v1/events?since=0');
    expect(old.status).toBe(410);
    expect(old.json()).toMatchObject({ error: { code: 'cursor_expired' }, lastSeq: last });

    const ahead = await client.get(apiKey, `/v1/events?since=${last + 50}`);
    expect(ahead.status).toBe(410);

    const page = await events(`since=${last - RETENTION}&limit=2`);
    expect(page.events.map((event) => event.seq)).toEqual([last - RETENTION + 1, last - RETENTION + 2]);
    expect(page.lastSeq).toBe(last - RETENTION + 2);
    const tail = await events(`since=${last - 4}&limit=1000`);
    expect(tail.events.map((event) => event.seq)).toEqual([last - 3, last - 2, last - 1, last]);
    expect(tail.events.at(-1)).toMatchObject({ documentId: id, status: 'delivered', notification: { type: 'RC' } });
    expect(tail.lastSeq).toBe(last);

    expect((await client.get(apiKey, '/v1/events?since=-1')).status).toBe(400);
    expect((await client.get(apiKey, '/v1/events?limit=abc')).status).toBe(400);
  });

  it('long poll: answers as soon as an event arrives, else after the (capped) timeout', async () => {
    const since = await lastSeq();
    const started = Date.now();
    const empty = await events(`since=${since}&timeout=30`);
    const waited = Date.now() - started;
    expect(empty.events).toEqual([]);
    expect(empty.lastSeq).toBe(since);
    expect(waited).toBeGreaterThanOrEqual(2900); // longPollMaxSeconds is 3 for this hub
    expect(waited).toBeLessThan(15_000); // a poll that ignored the cap would wait the 30 s asked for

    // The hub is in this process: the poll waits on its notifier, and the upload wakes it at once.
    const waits = vi.spyOn(EventNotifier.prototype, 'wait');
    let answeredAt = 0;
    const polling = events(`since=${since}&timeout=3`).then((page) => {
      answeredAt = Date.now();
      return page;
    });
    const key = randomUUID();
    await waitFor('the poll to wait', () => waits.mock.calls.length > 0, 20_000, 10);
    waits.mockRestore();
    await client.upload(apiKey, makePdf(key), { contentType: 'application/pdf', idempotencyKey: key });
    const uploadedAt = Date.now();
    const page = await polling;
    // Woken by the event, the poll answers with the upload (both answers come from this process's
    // event loop, however busy the machine); at its 3 s timeout it would answer seconds later.
    expect(answeredAt - uploadedAt).toBeLessThan(1000);
    expect(page.events[0]).toMatchObject({ idempotencyKey: key, status: 'received', seq: since + 1 });
  });
});

describe('sandbox hub: look-ups and enrollment', () => {
  it('finds documents by hub id or idempotency key, alone or in batches of up to 100', async () => {
    const key = randomUUID();
    const { id } = (await client.upload(apiKey, makePdf(key), { contentType: 'application/pdf', idempotencyKey: key })).json<{ id: string }>();
    expect((await client.get(apiKey, `/v1/documents/${key}`)).json<HubDocument>().id).toBe(id);
    const batch = (await client.get(apiKey, `/v1/documents?ids=${id},${encodeURIComponent(key)},unknown-one`)).json<{ documents: HubDocument[] }>();
    expect(batch.documents.map((doc) => doc.id)).toEqual([id]);
    expect(batch.documents[0]?.idempotencyKey).toBe(key);
    expect(batch.documents[0]?.history[0]?.status).toBe('received');

    const tooMany = Array.from({ length: 101 }, (_, index) => `k${index}`).join(',');
    expect(errorCode(await client.get(apiKey, `/v1/documents?ids=${tooMany}`))).toBe('too_many_ids');
    const missing = await client.get(apiKey, '/v1/documents/doc_nope');
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('document_not_found');
    expect((await client.get(apiKey, `/v1/documents/${id}/files/nope.xml`)).status).toBe(404);
  });

  it('enrolls a device once per activation code; the new key works', async () => {
    const code = hub.createActivationCode();
    const enroll = (activationCode: string) =>
      client.request('POST', '/v1/enrollments', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ activationCode, deviceName: 'PC cassa' }),
      });
    const first = await enroll(code);
    expect(first.status).toBe(201);
    const enrolled = first.json<{ apiKey: string; key: { id: string; expiresAt: string | null }; account: { id: string } }>();
    expect(enrolled.account.id).toBe('acc_sandbox');
    expect((await client.get(enrolled.apiKey, '/v1/account')).json<HubAccount>().key.id).toBe(enrolled.key.id);

    const again = await enroll(code);
    expect(again.status).toBe(403);
    expect(errorCode(again)).toBe('invalid_activation_code');
    expect((await enroll('SBX-WRONG-CODE')).status).toBe(403);
    expect((await client.request('POST', '/v1/enrollments', { headers: { 'content-type': 'application/json' }, body: '{' })).status).toBe(400);
  });
});
