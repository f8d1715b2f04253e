// Fault injection (status, reset, timeout, process-then-reset) and the admin HTTP API, over real HTTPS.
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubAccount } from '../../src/contract/hub-protocol.ts';
import { createSandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import type { SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { SandboxAdminClient, SandboxHttpsClient } from '../../src/sandbox-hub/sandbox-hub-client.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

let hub: SandboxHub;
let client: SandboxHttpsClient;
let apiKey: string;
let dataDir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await makeTempDir('sandbox-hub-faults-');
  ({ dir: dataDir, cleanup } = temp);
  hub = await createSandboxHub({ dataDir });
  client = await SandboxHttpsClient.fromFiles(hub.url, hub.caFile);
  apiKey = hub.createApiKey();
});

afterEach(() => hub.clearFaults());

afterAll(async () => {
  client?.close();
  await hub?.close();
  await cleanup?.();
});

function uploadPdf(key: string, signal?: AbortSignal) {
  return client.upload(apiKey, makePdf(key), { contentType: 'application/pdf', idempotencyKey: key, ...(signal ? { signal } : {}) });
}

function stored(key: string) {
  return hub.listDocuments().filter((record) => record.idempotencyKey === key);
}

describe('sandbox hub: fault injection', () => {
  it('answers an injected status with a protocol body and Retry-After, for `times` requests only', async () => {
    hub.injectFaults([{ route: 'POST /v1/documents', status: 503, retryAfterSeconds: 7, times: 2 }]);
    const key = randomUUID();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await uploadPdf(key);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('7');
      expect(response.json()).toMatchObject({ error: { code: 'service_unavailable', message: expect.stringContaining('Injected') } });
    }
    expect(stored(key)).toEqual([]);
    expect((await client.get(apiKey, '/v1/account')).status).toBe(200); // other routes untouched
    expect((await uploadPdf(key)).status).toBe(201);
  });

  it("matches '*' on every /v1 route and never the admin API", async () => {
    hub.injectFaults([{ route: '*', status: 429, retryAfterSeconds: 1 }]);
    expect((await client.get(apiKey, '/v1/account')).status).toBe(429);
    expect((await client.get(apiKey, '/v1/events')).status).toBe(429);
    const admin = new SandboxAdminClient(client, hub.adminToken);
    await admin.clearFaults();
    expect((await client.get(apiKey, '/v1/account')).status).toBe(200);
  });

  it('resets the connection without answering or storing anything', async () => {
    hub.injectFaults([{ route: 'POST /v1/documents', kind: 'reset', times: 1 }]);
    const key = randomUUID();
    await expect(uploadPdf(key)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(stored(key)).toEqual([]);
    expect((await uploadPdf(key)).status).toBe(201);
  });

  it('holds the request without answering until the client gives up', async () => {
    hub.injectFaults([{ route: 'GET /v1/account', kind: 'timeout' }]);
    const started = Date.now();
    await expect(client.get(apiKey, '/v1/account', AbortSignal.timeout(400))).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    hub.clearFaults();
    expect((await client.get(apiKey, '/v1/account')).status).toBe(200);
  });

  it('process-then-reset stores the document, drops the answer, and the retry gets the 200 replay', async () => {
    hub.injectFaults([{ route: 'POST /v1/documents', kind: 'process-then-reset', times: 1 }]);
    const key = randomUUID();
    await expect(uploadPdf(key)).rejects.toThrow(/socket hang up|ECONNRESET/);
    const [record] = stored(key);
    expect(record).toMatchObject({ uploads: 1, contentType: 'application/pdf' });
    const retry = await uploadPdf(key);
    expect(retry.status).toBe(200);
    expect(retry.json<{ id: string }>().id).toBe(record?.id);
    expect(stored(key)).toMatchObject([{ uploads: 2 }]);
  });

  it('refuses a rule it cannot apply', () => {
    expect(() => hub.injectFaults([{ route: '', status: 500 }])).toThrow(/route/);
    expect(() => hub.injectFaults([{ route: '*', status: 42 }])).toThrow(/status/);
  });
});

describe('sandbox hub: admin HTTP API', () => {
  it('writes the admin token (0600) and the URL into the data folder', async () => {
    expect((await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()).toBe(hub.adminToken);
    expect((await stat(join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'tls', 'ca-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'tls', 'server-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dataDir, 'url'), 'utf8')).trim()).toBe(hub.url);
  });

  it('needs the admin token', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${apiKey}` }];
    for (const headers of attempts) {
      const response = await client.request('GET', '/_sandbox/documents', { headers });
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'invalid_admin_token' } });
    }
    const refused = await client.request('POST', '/_sandbox/credits', { headers: { 'content-type': 'application/json' }, body: '{"remaining":0}' });
    expect(refused.status).toBe(401);
    expect((await client.get(apiKey, '/v1/account')).json<HubAccount>().credits.remaining).toBeGreaterThan(0);
  });

  it('manages keys, credits, faults, activation codes and lists documents', async () => {
    const admin = new SandboxAdminClient(client, hub.adminToken);
    const key = await admin.createApiKey({ expiresAt: null });
    expect((await client.get(key, '/v1/account')).status).toBe(200);
    await admin.setKeyExpiry(key, '2000-01-01T00:00:00Z');
    expect((await client.get(key, '/v1/account')).status).toBe(401);
    await admin.setKeyExpiry(key, null);
    await admin.revokeApiKey(key);
    expect((await client.get(key, '/v1/account')).json()).toMatchObject({ error: { code: 'api_key_revoked' } });

    await admin.setCredits(0);
    expect((await uploadPdf(randomUUID())).status).toBe(402);
    await admin.setCredits(5);
    const uploadKey = randomUUID();
    expect((await uploadPdf(uploadKey)).status).toBe(201);
    expect((await admin.listDocuments()).find((record) => record.idempotencyKey === uploadKey)).toMatchObject({ uploads: 1, status: expect.any(String) });

    await admin.injectFaults([{ route: 'GET /v1/account', status: 500, times: 1 }]);
    expect((await client.get(apiKey, '/v1/account')).status).toBe(500);
    expect((await client.get(apiKey, '/v1/account')).status).toBe(200);

    const code = await admin.createActivationCode();
    const enrolled = await client.request('POST', '/v1/enrollments', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ activationCode: code, deviceName: 'x' }),
    });
    expect(enrolled.status).toBe(201);

    const bad = await client.request('POST', '/_sandbox/faults', {
      headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ route: '*', kind: 'explode' }] }),
    });
    expect(bad.status).toBe(400);
    await expect(admin.revokeApiKey('rk_sandbox_unknown')).rejects.toThrow(/404/);
  });
});
