// The outbox's limits under a slow hub: an upload slower than the job's lease keeps its lease (the
// job is not claimed a second time: no second "sending", no replay), and the bytes of documents in
// flight stay within the upload budget (large documents go one at a time however many slots are free).
// The lease's timing is tested to the millisecond on a manual clock (outbox-timing.test.ts); the check
// here is the whole agent on real time: the setting, the system clock, SQLite, the HTTPS hub.
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

const LEASE_SECONDS = 5; // the shortest the settings allow

describe('outbox limits', () => {
  it('keeps the lease of an upload that outlasts it, so a later claim does not take it again', async () => {
    const h = (harness = await startHarness({
      settings: (s) => ({ ...s, outbox: { ...s.outbox, leaseSeconds: LEASE_SECONDS }, hub: { ...s.hub, requestTimeoutSeconds: 30 } }),
    }));
    // Long enough to outlast the lease with 2 s to spare for the claim that must not take it.
    h.hub.injectFaults([{ route: 'POST /v1/documents', kind: 'slow', delayMs: (LEASE_SECONDS + 2) * 1000, times: 1 }]);
    await writeFile(join(h.dropDir, 'slow.pdf'), makePdf('slow upload'));
    const slow = await waitFor('the slow upload under way', () => h.agent.documents({}).documents.find((d) => d.name === 'slow.pdf' && d.state === 'sending'));
    const job = () =>
      h.agent.store.db.prepare('SELECT attempts, locked_until AS lockedUntil FROM jobs WHERE document_id = ?').get(slow.id) as {
        attempts: number;
        lockedUntil: number | null;
      };
    // The lease as first read (the claim's, or a renewal's) runs out in real time: the database says
    // when, not a guess of a sleep.
    const firstLease = await waitFor("the upload's lease", () => job().lockedUntil);
    await waitFor('the first lease over', () => Date.now() > firstLease);
    // Past the lease, a new capture wakes the outbox, which claims whatever is ready (through the API:
    // at once, with no stability window).
    const [next] = await h.agent.submit({ bytes: makePdf('the next one'), name: 'next.pdf', source: 'api' });
    await h.waitForState(next!.id, ['received', 'processing', 'delivered'], 20_000);
    await h.waitForState(slow.id, ['received', 'processing', 'delivered'], 20_000);

    const events = h.agent.document(slow.id)?.events ?? [];
    expect(events.filter((e) => e.type === 'document.sending')).toHaveLength(1);
    const accepted = events.filter((e) => e.type === 'document.accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.data).toMatchObject({ replay: false });
    const atHub = h.hub.listDocuments().filter((d) => d.idempotencyKey === slow.id);
    expect(atHub).toHaveLength(1);
    expect(atHub[0]?.uploads).toBe(1); // one POST: no second upload of the same job
    // Claimed once: an expired lease would have been claimed again (a second attempt), even if the
    // outbox then saw the upload under way and left it alone.
    expect(job().attempts).toBe(1);
  }, 40_000);

  it('sends large documents one at a time when together they would exceed the upload budget', async () => {
    const budget = 1024 * 1024; // the smallest allowed
    const slowMs = 1500;
    const h = (harness = await startHarness({
      settings: (s) => ({ ...s, outbox: { ...s.outbox, concurrency: 16, memoryBudgetBytes: budget }, hub: { ...s.hub, requestTimeoutSeconds: 30 } }),
    }));
    h.hub.injectFaults([{ route: 'POST /v1/documents', kind: 'slow', delayMs: slowMs, times: 3 }]);
    h.agent.pause();
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      // 700 KB each: any two together are over the 1 MiB budget.
      const [captured] = await h.agent.submit({ bytes: makePdf(`large ${i} ${'x'.repeat(700_000)}`), name: `large-${i}.pdf`, source: 'api' });
      ids.push(captured!.id);
    }
    h.agent.resume();
    for (const id of ids) await h.waitForState(id, ['received', 'processing', 'delivered'], 30_000);

    // The hub stores each upload when its (slow) request is processed: one at a time means stored
    // about `slowMs` apart; all at once would mean within a few milliseconds.
    const storedAt = h.hub
      .listDocuments()
      .filter((d) => ids.includes(d.idempotencyKey))
      .map((d) => Date.parse(d.createdAt))
      .sort((a, b) => a - b);
    expect(storedAt).toHaveLength(3);
    expect(storedAt[1]! - storedAt[0]!).toBeGreaterThanOrEqual(slowMs - 500);
    expect(storedAt[2]! - storedAt[1]!).toBeGreaterThanOrEqual(slowMs - 500);
  }, 60_000);
});
