// The outbox worker: leases upload jobs, sends them with bounded concurrency (and bounded bytes in
// memory), backs off on transient failures (honouring Retry-After), fails documents the hub
// refuses, and holds the whole queue when the key or the credits are the problem, or the hub cannot
// be reached: then the shared HubAvailability probes alone, the failed uploads keep their attempt
// counts, and sending resumes with its ramp (hub-availability.ts). The document id
// is the Idempotency-Key, so a retry after a crash can never create a second document at the hub.
// Leases of uploads under way are renewed, so a slow one is never claimed a second time.
import type { Store } from '../store/store.ts';
import type { Job } from '../store/jobs.ts';
import type { Spool } from '../store/spool.ts';
import type { HubClient } from '../hub/hub-client.ts';
import { isHubRequestError } from '../hub/hub-client.ts';
import type { HoldController } from './hold.ts';
import type { HubHealth } from './hub-health.ts';
import type { HubAvailability } from './hub-availability.ts';
import type { Logger } from '../log/logger.ts';
import { WakeableSleep, fullJitterBackoff } from './wakeable-sleep.ts';
import type { DocumentRecord } from '../store/documents.ts';
import type { ServiceHealth } from '../lifecycle/service-health.ts';
import { ByteBudget } from '../util/byte-budget.ts';
import { systemClock, type Clock, type Timer } from '../util/clock.ts';

export interface OutboxSettings {
  concurrency: number;
  /** Bytes of documents being uploaded held in memory at once. */
  memoryBudgetBytes: number;
  leaseMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

export interface OutboxOptions {
  store: Store;
  spool: Spool;
  hub: () => HubClient;
  hold: HoldController;
  health: HubHealth;
  /** The hub's shared outage state: no uploads while it is down, a ramp after (none: always full parallelism). */
  availability?: HubAvailability;
  settings: OutboxSettings;
  companyFor: (profileId: string) => string | null;
  log: Logger;
  services?: ServiceHealth;
  /** Leases, their renewal, backoff and the wait for the next due job run on it (default: the system clock). */
  clock?: Clock;
}

const SENDABLE = new Set(['queued', 'sending', 'held']);

export class Outbox {
  private readonly options: OutboxOptions;
  private readonly clock: Clock;
  private readonly sleeper: WakeableSleep;
  /** Every job taken, until its bookkeeping has committed (stop() waits for these; leases are renewed for them). */
  private readonly inflight = new Map<number, Promise<void>>();
  /**
   * The jobs holding one of the `concurrency` slots: an upload's slot is free once the hub has
   * answered, before its bookkeeping commits, so that commit and the next claim share one group
   * commit instead of following each other (the two waits held each slot about a third of its time
   * in a burst; docs/performance.md, "Intake after issue 16").
   */
  private readonly uploading = new Set<number>();
  private readonly uploadBudget: ByteBudget;
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private leaseRenewal: Timer | null = null;

  constructor(options: OutboxOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.sleeper = new WakeableSleep(this.clock);
    this.uploadBudget = new ByteBudget(options.settings.memoryBudgetBytes);
    options.hold.onChange(() => this.wake());
    options.availability?.onChange(() => this.wake());
  }

  start(): void {
    if (this.loop) return;
    const { store } = this.options;
    store.jobs.releaseForeignLeases();
    store.jobs.releaseAllParked(this.clock.now());
    // Documents that were being sent when the agent stopped go back to the queue (same key: no duplicate).
    store.transaction(() => {
      for (const document of store.documents.withState(['sending'])) {
        store.documents.transition(
          document.id,
          { state: 'queued', reason: null },
          { type: 'document.queued', message: 'agent restarted during the upload; sending again' },
        );
      }
    });
    this.controller = new AbortController();
    this.options.services?.running('outbox');
    // renewLeases never rejects: a failed renewal is logged (the next one tries again).
    this.leaseRenewal = this.clock.setInterval(() => void this.renewLeases(), Math.max(100, this.options.settings.leaseMs / 3));
    this.leaseRenewal.unref(); // the uploads keep the process alive, not their renewals
    this.loop = this.run(this.controller.signal);
  }

  async stop(): Promise<void> {
    this.clock.clearInterval(this.leaseRenewal);
    this.leaseRenewal = null;
    this.controller?.abort(new Error('agent stopping'));
    this.sleeper.wake();
    await this.loop;
    await Promise.allSettled(this.inflight.values());
    this.loop = null;
    this.options.services?.set('outbox', 'stopped');
  }

  wake(): void {
    this.sleeper.wake();
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { store, hold, settings, log } = this.options;
    while (!signal.aborted) {
      try {
        if (hold.current()) {
          store.transaction(() => hold.holdWaiting());
          await this.sleeper.sleep(60_000, signal);
          continue;
        }
        // During an outage nothing is sent (the probe asks the hub); after it, the ramp's step.
        const allowed = Math.min(settings.concurrency, this.options.availability?.allowedConcurrency() ?? settings.concurrency);
        const free = allowed - this.uploading.size;
        // One commit leases the batch and shows its documents as sending; it shares its commit with
        // the completions and captures of the same moment.
        const jobs = free > 0 ? await store.groupCommit.batched(() => this.claim(free)) : [];
        for (const job of jobs) {
          const work = this.process(job, signal)
            .catch((error: unknown) => {
              // Its bookkeeping could not commit (SQLITE_FULL on a full disk…): the job keeps its
              // lease and is taken again when the lease ends (the same key: a replay at worst). The
              // agent runs on; a rejection left here would end the process.
              log.error('upload bookkeeping failed; the upload is taken again when its lease ends', { jobId: job.id, error: String(error) });
              this.options.services?.failed('outbox', error);
            })
            .finally(() => {
              this.uploading.delete(job.id);
              this.inflight.delete(job.id);
              this.sleeper.wake();
            });
          this.uploading.add(job.id);
          this.inflight.set(job.id, work);
        }
        this.options.services?.running('outbox');
        if (this.uploading.size >= allowed) {
          // Every slot busy: a finishing upload wakes the loop; no need to look at the queue.
          await this.sleeper.sleep(30_000, signal);
        } else if (jobs.length < free) {
          // Nothing more is ready: sleep until the next scheduled retry (or a new capture wakes us).
          const next = store.jobs.nextRunAfter('upload');
          const wait = next === null ? 30_000 : Math.min(30_000, Math.max(10, next - this.clock.now()));
          await this.sleeper.sleep(wait, signal);
        }
      } catch (error) {
        log.error('outbox loop error', { error: String(error) });
        this.options.services?.failed('outbox', error);
        await this.sleeper.sleep(1000, signal);
      }
    }
  }

  /** The hub has answered this job's upload: another may start while its bookkeeping commits. */
  private freeSlot(jobId: number): void {
    if (this.uploading.delete(jobId)) this.sleeper.wake();
  }

  /** A third of the lease apart: one missed renewal still leaves the lease standing. */
  private async renewLeases(): Promise<void> {
    const { store, settings, log } = this.options;
    if (this.inflight.size === 0) return;
    const ids = [...this.inflight.keys()];
    try {
      await store.groupCommit.batched(() => store.jobs.renewLeases(ids, this.clock.now() + settings.leaseMs));
    } catch (error) {
      log.warn('could not renew upload leases', { error: String(error) });
    }
  }

  /** Runs inside a transaction. */
  private claim(limit: number): Job[] {
    const { store, settings } = this.options;
    // An upload under way is never taken a second time, even if its lease ran out (renewals failed).
    const jobs = store.jobs.claim('upload', limit, settings.leaseMs, this.clock.now()).filter((job) => !this.inflight.has(job.id));
    for (const job of jobs) {
      const document = store.documents.get(job.documentId);
      if (document && SENDABLE.has(document.state)) {
        store.documents.transition(document.id, { state: 'sending', reason: null }, { type: 'document.sending', data: { attempt: job.attempts } });
      }
    }
    return jobs;
  }

  private async process(job: Job, signal: AbortSignal): Promise<void> {
    const { store } = this.options;
    const document = store.documents.get(job.documentId);
    if (!document || document.state !== 'sending') {
      // Cancelled, or otherwise no longer waiting to be sent.
      await store.groupCommit.batched(() => store.jobs.complete(job.id));
      return;
    }
    const releaseBudget = await this.uploadBudget.acquire(document.size);
    try {
      await this.upload(job, document, signal);
    } finally {
      releaseBudget();
    }
  }

  private async upload(job: Job, document: DocumentRecord, signal: AbortSignal): Promise<void> {
    const { store, spool, log } = this.options;
    let bytes: Buffer;
    try {
      bytes = await spool.read(document.sha256, document.size);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the spooled copy of this document is missing' : (error as Error).message;
      store.transaction(() => {
        store.documents.transition(document.id, { state: 'failed', reason, reasonCode: 'spool' }, { type: 'document.failed' });
        store.jobs.fail(job.id, reason);
      });
      log.error('cannot send: spooled copy unusable', { id: document.id, reason });
      return;
    }

    try {
      const result = await this.options.hub().upload(
        {
          idempotencyKey: document.id,
          bytes,
          fileName: document.name,
          contentType: document.contentType ?? 'application/octet-stream',
          source: document.source,
          company: this.options.companyFor(document.profile) ?? undefined,
        },
        signal,
      );
      this.options.health.contact();
      this.options.availability?.reportSuccess();
      this.freeSlot(job.id);
      await store.groupCommit.batched(() => {
        const current = store.documents.get(document.id);
        // The status follower may already have moved it further (its events can arrive first).
        const advanced = current?.hubSeq !== null && current?.hubSeq !== undefined;
        store.documents.transition(
          document.id,
          advanced ? { hubId: result.hubId } : { state: 'received', reason: null, hubId: result.hubId, hubStatus: 'received' },
          {
            type: 'document.accepted',
            message: result.replay ? 'the hub already had it (idempotent replay)' : 'accepted by the hub',
            data: { hubId: result.hubId, replay: result.replay },
          },
        );
        store.jobs.complete(job.id);
      });
    } catch (error) {
      this.handleFailure(job, document, error, signal);
    }
  }

  private handleFailure(job: Job, document: DocumentRecord, error: unknown, signal: AbortSignal): void {
    const { store, settings, hold, health, log } = this.options;
    // The hub has it: the status feed applied its events while this attempt was under way (the
    // answer was lost on the way: reset, truncated, dropped). Nothing to retry; moving it back to
    // queued or held would undo its SDI state and leave it `sending` after the replay.
    if (store.documents.get(document.id)?.hubSeq != null) {
      store.transaction(() => store.jobs.complete(job.id));
      log.debug('upload answer lost, but the hub feed already has the document', { id: document.id, error: String(error) });
      return;
    }
    if (signal.aborted || !isHubRequestError(error)) {
      const reason = signal.aborted ? null : `unexpected error: ${String(error)}`;
      if (reason) log.error('upload failed unexpectedly', { id: document.id, error: String(error) });
      store.transaction(() => {
        store.jobs.reschedule(job.id, this.clock.now() + (signal.aborted ? 0 : 5_000), reason, signal.aborted);
        store.documents.transition(
          document.id,
          { state: 'queued', reason },
          { type: 'document.queued', message: reason ?? 'agent stopping; will send on restart' },
        );
      });
      return;
    }
    if (this.options.availability?.reportFailure(error)) {
      // The hub is down: this document waits with the queue, its attempt given back, and nothing is
      // logged for it (the outage is logged once).
      store.transaction(() => {
        store.jobs.reschedule(job.id, this.clock.now(), error.message, true);
        const held = hold.current();
        store.documents.transition(
          document.id,
          held ? { state: 'held', reason: held.reason } : { state: 'queued', reason: error.message },
          held ? { type: 'document.held' } : { type: 'document.queued', message: error.message },
        );
      });
      return;
    }
    switch (error.kind) {
      case 'transient':
      case 'tls':
      case 'cursor_expired': {
        const delay = error.retryAfterMs ?? fullJitterBackoff(job.attempts, settings.backoffBaseMs, settings.backoffCapMs);
        const at = new Date(this.clock.now() + delay);
        if (error.status === null || error.kind === 'tls') health.unreachable(error.message);
        else health.contact();
        const reason = `${error.message}; retry ${job.attempts + 1} at ${at.toISOString().slice(11, 19)} UTC`;
        store.transaction(() => {
          store.jobs.reschedule(job.id, at.getTime(), error.message);
          store.documents.transition(
            document.id,
            { state: 'queued', reason },
            { type: 'document.retry', data: { attempt: job.attempts, delayMs: delay, status: error.status, code: error.code } },
          );
        });
        log.warn('upload will be retried', { id: document.id, delayMs: delay, error: error.message });
        return;
      }
      case 'permanent':
      case 'conflict': {
        health.contact();
        store.transaction(() => {
          store.documents.transition(
            document.id,
            { state: 'failed', reason: error.message, reasonCode: error.code },
            { type: 'document.failed', data: { status: error.status, code: error.code, details: error.details ?? null } },
          );
          store.jobs.fail(job.id, error.message);
        });
        log.warn('hub refused the document', { id: document.id, status: error.status, error: error.message });
        return;
      }
      case 'auth':
      case 'credits':
      case 'host_key':
      case 'permissions': {
        health.contact();
        store.transaction(() => {
          store.jobs.reschedule(job.id, this.clock.now(), error.message, true);
          store.documents.transition(document.id, { state: 'queued', reason: null }, { type: 'document.queued', message: 'queue held' });
        });
        hold.enter(error.kind, error.message);
        log.warn('queue held by the hub', { code: error.kind, reason: error.message });
        return;
      }
    }
  }
}
