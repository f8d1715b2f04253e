// The outbox's time, on a manual clock (test/helpers/manual-clock.ts) with a real store and spool and
// a hub double that answers when the test says: the lease of an upload under way is renewed every
// third of a lease, so however long the upload takes no claim takes its job a second time; a
// transient failure is retried when its backoff (or the hub's Retry-After) has passed, not a
// millisecond before. outbox-limits.test.ts keeps the same lease check end to end, on real time.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Store } from '../../src/core/store/store.ts';
import { Spool } from '../../src/core/store/spool.ts';
import { Outbox, type OutboxSettings } from '../../src/core/sync/outbox.ts';
import { HoldController } from '../../src/core/sync/hold.ts';
import { HubHealth } from '../../src/core/sync/hub-health.ts';
import { HubRequestError, type HubClient, type UploadRequest, type UploadResult } from '../../src/core/hub/hub-client.ts';
import type { Logger } from '../../src/core/log/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

/** The settings' defaults (settings-schema.ts): a 120 s lease, backoff from 1 s up to 5 min. */
const DEFAULTS: OutboxSettings = { concurrency: 16, memoryBudgetBytes: 64 * 1024 * 1024, leaseMs: 120_000, backoffBaseMs: 1_000, backoffCapMs: 300_000 };

/** Answers each upload with what the test's `answer` returns; records what was asked, and when on the clock. */
class HubDouble {
  readonly uploads: { name: string; at: number }[] = [];
  answer: (request: UploadRequest) => Promise<UploadResult> = () => Promise.resolve(accepted());
  readonly #clock: ManualClock;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  client(): HubClient {
    const unused = (): Promise<never> => Promise.reject(new Error('not used by the outbox'));
    return {
      transport: 'https',
      endpoint: 'https://hub.invalid',
      upload: (request) => {
        this.uploads.push({ name: request.fileName, at: this.#clock.now() });
        return this.answer(request);
      },
      account: unused,
      events: unused,
      acknowledge: unused,
      documents: unused,
      downloadFile: unused,
      close: () => Promise.resolve(),
    };
  }
}

function accepted(): UploadResult {
  return { hubId: randomUUID(), receivedAt: new Date().toISOString(), replay: false };
}

function unavailable(retryAfterMs: number | null = null): HubRequestError {
  return new HubRequestError({ kind: 'transient', message: 'hub unavailable (503)', code: 'unavailable', status: 503, retryAfterMs });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startOutbox(settings: Partial<OutboxSettings> = {}) {
  const temp = await makeTempDir();
  const store = new Store(join(temp.dir, 'recapito.sqlite'), 'agent-test');
  const spool = new Spool(join(temp.dir, 'spool'));
  const clock = new ManualClock();
  const hub = new HubDouble(clock);
  const client = hub.client();
  const outbox = new Outbox({
    store,
    spool,
    hub: () => client,
    hold: new HoldController(store),
    health: new HubHealth(),
    settings: { ...DEFAULTS, ...settings },
    companyFor: () => null,
    log: silent,
    clock,
  });
  cleanups.push(async () => {
    await outbox.stop();
    store.close();
    await spool.close();
    await temp.cleanup();
  });

  /** A document waiting in the queue, its job due now on the clock (as a capture leaves it). */
  const queue = async (name: string): Promise<string> => {
    const bytes = Buffer.from(`%PDF-1.4 ${name}`);
    const sha256 = await spool.put(bytes);
    const id = randomUUID();
    store.transaction(() => {
      store.documents.insert({
        id,
        profile: 'default',
        source: 'api',
        name,
        kind: 'pdf',
        contentType: 'application/pdf',
        size: bytes.length,
        sha256,
        spooled: true,
        state: 'queued',
      });
      store.jobs.enqueue('upload', id, clock.now());
    });
    return id;
  };
  const job = (id: string) =>
    store.db.prepare('SELECT attempts, run_after AS runAfter, locked_until AS lockedUntil FROM jobs WHERE document_id = ?').get(id) as {
      attempts: number;
      runAfter: number;
      lockedUntil: number | null;
    };
  const events = (id: string, type: string) => store.events.since(0, 1_000).filter((event) => event.documentId === id && event.type === type);
  return { store, clock, hub, outbox, queue, job, events };
}

describe('outbox on a manual clock', () => {
  it('renews the lease of an upload that outlasts it, so no later claim takes the job again', async () => {
    const { store, clock, hub, outbox, queue, job, events } = await startOutbox();
    const leaseMs = DEFAULTS.leaseMs;
    const slow = await queue('slow.pdf');
    let finish!: () => void;
    hub.answer = (request) => (request.fileName === 'slow.pdf' ? new Promise((resolve) => (finish = () => resolve(accepted()))) : Promise.resolve(accepted()));
    outbox.start();
    await clock.advance(0);
    const claimedAt = clock.now();
    expect(hub.uploads).toEqual([{ name: 'slow.pdf', at: claimedAt }]);
    expect(job(slow)).toMatchObject({ attempts: 1, lockedUntil: claimedAt + leaseMs });

    // A third of a lease later, the lease is a whole lease ahead again.
    await clock.advance(leaseMs / 3 - 1);
    expect(job(slow).lockedUntil).toBe(claimedAt + leaseMs);
    await clock.advance(1);
    expect(job(slow).lockedUntil).toBe(clock.now() + leaseMs);

    // Five leases on, the upload still under way: the outbox looked at the queue every 30 s meanwhile
    // (its idle wait), each time with the lease standing.
    await clock.advance(5 * leaseMs);
    expect(job(slow).lockedUntil).toBe(clock.now() + leaseMs);
    // A new document wakes the outbox, which claims whatever is ready: the new one, not the slow one.
    await queue('next.pdf');
    outbox.wake();
    await clock.advance(0);
    expect(hub.uploads.map((upload) => upload.name)).toEqual(['slow.pdf', 'next.pdf']);
    expect(job(slow).attempts).toBe(1); // claimed once: an expired lease is claimed again, a second attempt

    finish();
    await clock.advance(0);
    expect(store.documents.get(slow)?.state).toBe('received');
    expect(events(slow, 'document.sending')).toHaveLength(1);
    expect(events(slow, 'document.accepted')).toHaveLength(1);
    expect(job(slow).lockedUntil).toBeNull(); // done: no lease, and no renewal brings one back
    await clock.advance(leaseMs);
    expect(job(slow).lockedUntil).toBeNull();
  });

  it("frees an upload's slot when the hub answers: its bookkeeping and the next claim share one commit", async () => {
    const { store, clock, hub, outbox, queue } = await startOutbox({ concurrency: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push(await queue(`doc-${i}.pdf`));
    // What each transaction carried: the outbox's claims and its completions (the accepted uploads).
    const groups: string[][] = [[]];
    const claim = store.jobs.claim.bind(store.jobs);
    vi.spyOn(store.jobs, 'claim').mockImplementation((...args) => {
      groups.at(-1)!.push('claim');
      return claim(...args);
    });
    const complete = store.jobs.complete.bind(store.jobs);
    vi.spyOn(store.jobs, 'complete').mockImplementation((id) => {
      groups.at(-1)!.push('completion');
      return complete(id);
    });
    const transaction = store.transaction.bind(store);
    vi.spyOn(store, 'transaction').mockImplementation((work) => {
      groups.push([]);
      return transaction(work);
    });
    outbox.start();
    for (let turn = 0; turn < 100 && ids.some((id) => store.documents.get(id)?.state !== 'received'); turn += 1) await clock.advance(0);
    expect(ids.map((id) => store.documents.get(id)?.state)).toEqual(Array(6).fill('received'));
    expect(hub.uploads.map((upload) => upload.name)).toEqual(ids.map((_, i) => `doc-${i}.pdf`)); // one at a time, in order
    // One slot, six uploads: every completion committed together with the claim of the next upload
    // (a slot held until its completion committed made the claim wait for the commit after it).
    const completions = groups.filter((group) => group.includes('completion'));
    expect(completions).toHaveLength(6);
    for (const group of completions) expect(group).toEqual(['completion', 'claim']);
  });

  it('retries a transient failure when its backoff has passed, not before, doubling it each time', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // full jitter: half of base × 2^(attempt−1)
    const { store, clock, hub, outbox, queue, job, events } = await startOutbox({ backoffBaseMs: 2_000 });
    const id = await queue('flaky.pdf');
    hub.answer = () => (hub.uploads.length <= 2 ? Promise.reject(unavailable()) : Promise.resolve(accepted()));
    outbox.start();
    await clock.advance(0);
    const first = clock.now();
    expect(store.documents.get(id)).toMatchObject({ state: 'queued', reason: expect.stringContaining('retry 2 at') });
    expect(job(id)).toMatchObject({ attempts: 1, runAfter: first + 1_000, lockedUntil: null });
    expect(events(id, 'document.retry').map((event) => event.data)).toEqual([expect.objectContaining({ attempt: 1, delayMs: 1_000, status: 503 })]);

    // Woken half-way (a capture would do that), the outbox finds nothing due; 1 ms early, still nothing.
    await clock.advance(500);
    outbox.wake();
    await clock.advance(499);
    expect(hub.uploads).toHaveLength(1);
    await clock.advance(1);
    expect(hub.uploads.map((upload) => upload.at)).toEqual([first, first + 1_000]);

    await clock.advance(1_000); // the second failure waits twice as long
    outbox.wake();
    await clock.advance(999);
    expect(hub.uploads).toHaveLength(2);
    await clock.advance(1);
    expect(hub.uploads.map((upload) => upload.at)).toEqual([first, first + 1_000, first + 3_000]);
    expect(store.documents.get(id)?.state).toBe('received');
    expect(job(id).attempts).toBe(3);
  });

  it("waits as long as the hub's Retry-After says, whatever the backoff", async () => {
    const { clock, hub, outbox, queue } = await startOutbox();
    await queue('later.pdf');
    hub.answer = () => (hub.uploads.length === 1 ? Promise.reject(unavailable(45_000)) : Promise.resolve(accepted()));
    outbox.start();
    await clock.advance(0);
    const first = clock.now();
    await clock.advance(44_999); // the outbox looked at the queue at 30 s (its longest idle wait): nothing due
    expect(hub.uploads).toHaveLength(1);
    await clock.advance(1);
    expect(hub.uploads.map((upload) => upload.at)).toEqual([first, first + 45_000]);
  });
});
