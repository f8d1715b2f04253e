// A sandbox hub closed mid-flow and started again on the same data folder: same CA and admin token,
// same keys, credits and documents, and the pending SDI steps carry on from where they stopped.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HubAccount, HubDocument } from '../../src/contract/hub-protocol.ts';
import { createSandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import type { SandboxHub, SandboxHubOptions } from '../../src/sandbox-hub/sandbox-hub.ts';
import { SandboxHttpsClient } from '../../src/sandbox-hub/sandbox-hub-client.ts';
import { FaultInjector } from '../../src/sandbox-hub/http/fault-injector.ts';
import { fixture } from '../helpers/fixtures.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const toClose: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
});

async function start(options: SandboxHubOptions): Promise<{ hub: SandboxHub; client: SandboxHttpsClient }> {
  const hub = await createSandboxHub(options);
  const client = await SandboxHttpsClient.fromFiles(hub.url, hub.caFile);
  toClose.push(
    () => hub.close(),
    () => client.close(),
  );
  return { hub, client };
}

describe('sandbox hub: restart', () => {
  it('keeps TLS, token, keys, credits and documents, and finishes the SDI steps left pending', async () => {
    const temp = await makeTempDir('sandbox-hub-restart-');
    toClose.push(temp.cleanup);
    // Outcomes come 1.5 s after sending: the hub is stopped in between.
    const options: SandboxHubOptions = { dataDir: temp.dir, sdiDelaysMs: { outcome: 1500 } };
    const first = await start(options);
    const caPem = await readFile(first.hub.caFile, 'utf8');
    const apiKey = first.hub.createApiKey();
    first.hub.setCredits(10);

    const b2bKey = randomUUID();
    const paKey = randomUUID();
    const b2b = await first.client.upload(apiKey, fixture('fatturapa', 'IT01234567890_FPR01.xml'), { contentType: 'application/xml', idempotencyKey: b2bKey });
    const pa = await first.client.upload(apiKey, fixture('fatturapa', 'IT01234567890_FPA01.xml'), { contentType: 'application/xml', idempotencyKey: paKey });
    expect([b2b.status, pa.status]).toEqual([201, 201]);
    await waitFor('both documents sent to SDI', () => first.hub.listDocuments().every((record) => record.status === 'sent'), 20_000, 10);
    const before = first.hub.listDocuments();

    // Neither a request the hub is holding nor a long poll may keep close() waiting.
    const lastSeq = (await first.client.get(apiKey, '/v1/events?since=0&limit=1000')).json<{ lastSeq: number }>().lastSeq;
    // Every /v1 request asks the fault injector first: the sign that both have reached the hub.
    const arrived = vi.spyOn(FaultInjector.prototype, 'take');
    const poll = first.client.get(apiKey, `/v1/events?since=${lastSeq}&timeout=30`).then(
      (response) => response.status,
      () => 'dropped',
    );
    first.hub.injectFaults([{ route: 'GET /v1/account', kind: 'timeout' }]);
    const held = first.client.get(apiKey, '/v1/account').then(
      () => 'answered',
      () => 'dropped',
    );
    await waitFor(
      'the hub to hold the request and the long poll',
      () => ['/v1/events', '/v1/account'].every((path) => arrived.mock.calls.some((call) => call[2] === path)),
      20_000,
      10,
    );
    arrived.mockRestore();
    const closeStarted = Date.now();
    await first.hub.close();
    // Waiting for the held request would never end, for the long poll 30 s; 10 s is far above a close
    // on a loaded machine.
    expect(Date.now() - closeStarted).toBeLessThan(10_000);
    expect(await held).toBe('dropped');
    expect([200, 'dropped']).toContain(await poll);

    const second = await start(options);
    expect(await readFile(second.hub.caFile, 'utf8')).toBe(caPem);
    expect(second.hub.adminToken).toBe(first.hub.adminToken);
    expect((await readFile(join(temp.dir, 'url'), 'utf8')).trim()).toBe(second.hub.url);
    expect(second.hub.listDocuments().map((record) => record.id)).toEqual(before.map((record) => record.id));

    const account = await second.client.get(apiKey, '/v1/account'); // same key; faults are not persisted
    expect(account.status).toBe(200);
    expect(account.json<HubAccount>().credits.remaining).toBe(8);

    const settled = async (id: string, status: string): Promise<HubDocument> =>
      waitFor(
        `${id} to be ${status}`,
        async () => {
          const doc = (await second.client.get(apiKey, `/v1/documents/${id}`)).json<HubDocument>();
          return doc.status === status ? doc : null;
        },
        20_000,
        20,
      );
    const [b2bDoc, paDoc] = await Promise.all([settled(b2bKey, 'delivered'), settled(paKey, 'accepted')]);
    expect(b2bDoc.history.map((event) => event.status)).toEqual(['received', 'processing', 'sent', 'delivered']);
    expect(paDoc.history.map((event) => event.status)).toEqual(['received', 'processing', 'sent', 'delivered', 'accepted']);
    expect(paDoc.files.map((file) => file.name)).toEqual([expect.stringMatching(/_RC_001\.xml$/), expect.stringMatching(/_NE_002\.xml$/)]);

    const feed = (await second.client.get(apiKey, '/v1/events?since=0&limit=1000')).json<{ events: { seq: number }[] }>();
    const seqs = feed.events.map((event) => event.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(seqs).toHaveLength(9);

    const replay = await second.client.upload(apiKey, fixture('fatturapa', 'IT01234567890_FPR01.xml'), {
      contentType: 'application/xml',
      idempotencyKey: b2bKey,
    });
    expect(replay.status).toBe(200);
    expect(replay.json<{ id: string }>().id).toBe(b2b.json<{ id: string }>().id);
  });
});
