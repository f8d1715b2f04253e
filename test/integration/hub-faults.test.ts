// The hub misbehaves: transient failures end in delivery with backoff, 401/402 hold the queue and
// it resumes by itself when fixed, 422 fails the document with the hub's reason. Never a duplicate.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function drop(h: Harness, count: number, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = `${prefix}-${i}.pdf`;
    await writeFile(join(h.dropDir, name), makePdf(`${prefix} invoice ${i}`));
    names.push(name);
  }
  return names;
}

function documentsNamed(h: Harness, names: string[]) {
  const all = h.agent.documents({ limit: 500 }).documents;
  return names.map((name) => all.find((d) => d.name === name));
}

describe('hub failures', () => {
  it('retries 500/503, 429 with Retry-After, resets, timeouts and lost answers until everything arrives once', async () => {
    const h = (harness = await startHarness({ settings: (s) => ({ ...s, hub: { ...s.hub, requestTimeoutSeconds: 1 } }) }));
    h.hub.injectFaults([
      { route: 'POST /v1/documents', status: 503, times: 3 },
      { route: 'POST /v1/documents', status: 500, times: 2 },
      { route: 'POST /v1/documents', status: 429, retryAfterSeconds: 1, times: 1 },
      { route: 'POST /v1/documents', kind: 'reset', times: 2 },
      { route: 'POST /v1/documents', kind: 'timeout', times: 1 },
      { route: 'POST /v1/documents', kind: 'process-then-reset', times: 2 },
      { route: 'GET /v1/events', status: 503, times: 2 },
    ]);
    const names = await drop(h, 8, 'flaky');
    const documents = await waitFor('all captured', () => {
      const found = documentsNamed(h, names);
      return found.every(Boolean) ? found : null;
    });
    for (const document of documents) await h.waitForState(document!.id, 'delivered', 30_000);

    const atHub = h.hub.listDocuments();
    expect(atHub).toHaveLength(8);
    for (const document of documents) expect(atHub.filter((d) => d.idempotencyKey === document!.id)).toHaveLength(1);
    // The two lost answers (processed, then the connection reset) were recovered without a second
    // document: either the retry was replayed under the same key (uploads > 1), or the status feed
    // told the agent first that the hub had it (then no upload answer was ever accepted).
    const replayed = atHub.filter((d) => d.uploads > 1).length;
    const learnedFromFeed = documents.filter((d) => !h.agent.document(d!.id)!.events.some((e) => e.type === 'document.accepted')).length;
    expect(replayed + learnedFromFeed, JSON.stringify({ uploads: atHub.map((d) => d.uploads), learnedFromFeed })).toBeGreaterThanOrEqual(2);

    const retries = documents.flatMap((d) => h.agent.document(d!.id)!.events.filter((e) => e.type === 'document.retry'));
    expect(retries.length).toBeGreaterThanOrEqual(10);
    // Retry-After was honoured: the 429 retry waited the hub's 1 s, not the (≤500 ms) backoff.
    const retrySummary = JSON.stringify(retries.map((e) => [e.data?.['status'], e.data?.['delayMs'], e.data?.['code']]));
    expect(
      retries.some((e) => e.data?.['status'] === 429 && e.data?.['delayMs'] === 1000),
      retrySummary,
    ).toBe(true);
    // Backoff delays stay under the configured cap otherwise.
    expect(
      retries.filter((e) => e.data?.['status'] !== 429).every((e) => Number(e.data?.['delayMs']) <= 500),
      retrySummary,
    ).toBe(true);
    expect(
      retries.some((e) => String(e.message).includes('503')),
      retrySummary,
    ).toBe(true);
  });

  it('reports a failing service in /status while it retries, and its recovery', async () => {
    const h = (harness = await startHarness());
    await waitFor('follower running', () => h.agent.status().services.find((s) => s.name === 'status-follower' && s.state === 'running'));
    expect(h.agent.status().services.find((s) => s.name === 'outbox')?.state).toBe('running');
    h.hub.injectFaults([{ route: 'GET /v1/events', status: 503 }]);
    const failed = await waitFor('follower failing', () => h.agent.status().services.find((s) => s.name === 'status-follower' && s.state === 'failed'), 30_000);
    expect(failed.error).toMatch(/503/);
    h.hub.clearFaults();
    await waitFor('follower recovered', () => h.agent.status().services.find((s) => s.name === 'status-follower' && s.state === 'running'), 30_000);
  });

  it('holds the queue on 402 with the reason and resumes by itself when credits return', async () => {
    const h = (harness = await startHarness());
    h.hub.setCredits(0);
    const [name] = await drop(h, 1, 'nocredit');
    const document = await waitFor('captured', () => documentsNamed(h, [name!])[0]);
    await h.waitForState(document.id, 'held');
    const status = h.agent.status();
    expect(status.hold?.code).toBe('credits');
    expect(h.agent.document(document.id)!.reason).toMatch(/credit/i);
    // A document captured during the hold waits too, visibly.
    const [late] = await drop(h, 1, 'during-hold');
    const lateDocument = await waitFor('late captured', () => documentsNamed(h, [late!])[0]);
    await h.waitForState(lateDocument.id, 'held');
    expect(h.hub.listDocuments()).toHaveLength(0);

    h.hub.setCredits(5);
    await h.waitForState(document.id, 'delivered', 30_000);
    await h.waitForState(lateDocument.id, 'delivered', 30_000);
    expect(h.agent.status().hold).toBeNull();
    expect(h.hub.listDocuments()).toHaveLength(2);
  });

  it('holds the queue on 401 (expired key) and resumes by itself when the key is valid again', async () => {
    const h = (harness = await startHarness());
    h.hub.setKeyExpiry(h.apiKey, new Date(Date.now() - 60_000).toISOString());
    const [name] = await drop(h, 1, 'expired');
    const document = await waitFor('captured', () => documentsNamed(h, [name!])[0]);
    await h.waitForState(document.id, 'held');
    expect(h.agent.status().hold?.code).toBe('auth');
    expect(h.agent.document(document.id)!.state).toBe('held');

    h.hub.setKeyExpiry(h.apiKey, new Date(Date.now() + 86_400_000).toISOString());
    await h.waitForState(document.id, 'delivered', 30_000);
    expect(h.agent.status().hold).toBeNull();
  });

  it('a revoked key holds until a new key is entered', async () => {
    const h = (harness = await startHarness());
    h.hub.revokeApiKey(h.apiKey);
    const [name] = await drop(h, 1, 'revoked');
    const document = await waitFor('captured', () => documentsNamed(h, [name!])[0]);
    await h.waitForState(document.id, 'held');
    await h.agent.setCredentials({ hubApiKey: h.hub.createApiKey({ name: 'replacement' }) });
    await h.waitForState(document.id, 'delivered', 30_000);
  });

  it('fails a document the hub refuses (422) with the hub reason and goes on with the rest', async () => {
    const h = (harness = await startHarness());
    await writeFile(join(h.dropDir, 'refused.pdf'), makePdf('SANDBOX-REFUSE-422'));
    await writeFile(join(h.dropDir, 'fine.pdf'), makePdf('a fine invoice'));
    const [refused, fine] = await waitFor('captured', () => {
      const found = documentsNamed(h, ['refused.pdf', 'fine.pdf']);
      return found.every(Boolean) ? found : null;
    });
    await h.waitForState(refused!.id, 'failed');
    expect(h.agent.document(refused!.id)!.reason).toMatch(/422/);
    await h.waitForState(fine!.id, 'delivered');
    expect(h.agent.status().hold).toBeNull();
  });
});
