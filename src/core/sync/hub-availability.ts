// One view of whether the hub can be reached, shared by every sender (the outbox's uploads over HTTPS
// or SFTP, the status follower's long poll, the account monitor). A sender that meets an outage (no
// connection, a timeout, 429, 502/503/504, an untrusted certificate) reports it here; the hub is then
// "down": the queue holds with one reason, nobody else calls the hub, and ONE probe at a time asks it
// again after an exponential backoff with full jitter (honouring Retry-After). When a probe (or any
// call) gets an answer, the hub is "up" again and the outbox resumes with a ramp: one upload at a
// time, one more after each success (slow start: 1 → 2 → 4 … per round), up to its parallelism.
// One log line per change: down, still down (at most every few minutes), up. docs/hub-outages.md.
import type { HoldController } from './hold.ts';
import type { HubHealth } from './hub-health.ts';
import type { Logger } from '../log/logger.ts';
import { isHubRequestError, type HubRequestError } from '../hub/hub-client.ts';
import { WakeableSleep } from './wakeable-sleep.ts';
import { systemClock, type Clock } from '../util/clock.ts';

export interface HubAvailabilitySettings {
  /** First probe delay's ceiling after the hub goes down (full jitter: 0 … base). */
  probeBaseMs: number;
  /** Longest ceiling of a probe delay. */
  probeCapMs: number;
  /** The outbox's parallelism: where the ramp ends. */
  maxConcurrency: number;
  /** "Still unreachable" is logged at most this often (default 5 minutes). */
  stillDownLogMs?: number;
}

export interface HubAvailabilityOptions {
  settings: HubAvailabilitySettings;
  /** One cheap call to the hub (the account); throws what the client throws. */
  probe: (signal: AbortSignal) => Promise<unknown>;
  health: Pick<HubHealth, 'outage' | 'contact'>;
  hold: Pick<HoldController, 'hubHold' | 'enter' | 'clear'>;
  log: Logger;
  clock?: Clock;
  /** In [0, 1): the jitter's source (tests give a fixed sequence). */
  random?: () => number;
}

/** Answer codes without a status that are about one file or answer, not the hub (SFTP, HTTPS). */
const NOT_AN_OUTAGE = new Set(['file_missing', 'sftp_failed', 'response_too_large', 'protocol_error']);
const OUTAGE_STATUSES = new Set([429, 502, 503, 504]);
const DEFAULT_STILL_DOWN_LOG_MS = 5 * 60_000;
/** However the jitter falls, probes are at least this far apart (a hub failing at once is not spun on). */
const MIN_PROBE_GAP_MS = 100;

/** Whether a failure says the hub as a whole cannot be used now (rather than this one request). */
export function isHubOutage(error: unknown): error is HubRequestError {
  if (!isHubRequestError(error)) return false;
  if (error.kind === 'tls') return true;
  if (error.kind !== 'transient') return false;
  if (error.status === null) return !NOT_AN_OUTAGE.has(error.code);
  return OUTAGE_STATUSES.has(error.status);
}

/** The ceiling of the n-th probe delay (n from 1): base · 2^(n−1), capped. */
export function probeCeiling(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.min(40, Math.max(0, attempt - 1)));
}

export type HubAvailabilityState = 'up' | 'down';

export class HubAvailability {
  private readonly options: HubAvailabilityOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleeper: WakeableSleep;
  private readonly listeners = new Set<() => void>();
  private readonly upWaiters = new Set<() => void>();
  private state: HubAvailabilityState = 'up';
  private since: number | null = null;
  private nextTry: number | null = null;
  private reason = '';
  /** The code of the failure the hold's reason names; the latest failure's message (for the status). */
  private reasonCode = '';
  private lastError = '';
  /** When the hub last came back, and after how many failed probes: a hub that flaps keeps backing off. */
  private lastRecoveredAt: number | null = null;
  private lastFailures = 0;
  /** Failed probes since the hub went down. */
  private failures = 0;
  private probes = 0;
  private lastStillDownLog = 0;
  /** Uploads allowed at once while ramping up; null when not ramping. */
  private ramp: number | null = null;
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(options: HubAvailabilityOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.sleeper = new WakeableSleep(this.clock);
    const held = options.hold.hubHold();
    if (held?.code === 'unreachable') {
      // The agent stopped during an outage: start down, probe at once, ramp when it answers.
      const since = Date.parse(held.since);
      this.state = 'down';
      this.since = Number.isFinite(since) ? since : this.clock.now();
      this.nextTry = this.clock.now();
      this.reason = held.reason;
      this.lastError = held.reason;
      this.publish();
    }
  }

  start(): void {
    if (this.loop) return;
    this.controller = new AbortController();
    this.loop = this.run(this.controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort(new Error('agent stopping'));
    this.sleeper.wake();
    this.releaseUpWaiters();
    await this.loop;
    this.loop = null;
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  isDown(): boolean {
    return this.state === 'down';
  }

  current(): { state: HubAvailabilityState; since: number | null; nextTryAt: number | null; reason: string | null; ramp: number | null } {
    return { state: this.state, since: this.since, nextTryAt: this.nextTry, reason: this.state === 'down' ? this.reason : null, ramp: this.ramp };
  }

  /** Uploads the outbox may have in flight now: none while down, the ramp's step after. */
  allowedConcurrency(): number {
    if (this.state === 'down') return 0;
    return this.ramp ?? this.options.settings.maxConcurrency;
  }

  /** Resolves when the hub is up (at once if it is) or the signal aborts. */
  waitUntilUp(signal: AbortSignal): Promise<void> {
    if (this.state === 'up' || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.upWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.upWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * A sender's failure. Returns true when it is an outage (the caller then neither counts it against
   * its document nor logs it: the hub's state is logged here, once).
   */
  reportFailure(error: unknown): boolean {
    if (!isHubOutage(error)) return false;
    const now = this.clock.now();
    if (this.state === 'down') {
      // A later Retry-After from a call already under way pushes the probe back, never forward.
      const wish = error.retryAfterMs === null ? null : now + error.retryAfterMs;
      if (wish !== null && this.nextTry !== null && wish > this.nextTry) this.nextTry = wish;
      this.lastError = error.message;
      this.publish();
      return true;
    }
    // Down again soon after coming back (a hub that answers the probe but not the rest): the
    // backoff goes on from where it was instead of starting over.
    const flapping = this.lastRecoveredAt !== null && now - this.lastRecoveredAt < this.options.settings.probeCapMs;
    this.state = 'down';
    this.since = now;
    this.failures = flapping ? this.lastFailures + 1 : 1;
    this.probes = 0;
    this.ramp = null;
    this.lastStillDownLog = now;
    this.reason = `${error.message} (since ${new Date(now).toISOString().slice(11, 19)} UTC)`;
    this.reasonCode = error.code;
    this.lastError = error.message;
    this.nextTry = now + this.delay(error);
    this.options.log.warn('hub unreachable: sending held, probing with backoff', {
      error: error.message,
      nextTryAt: new Date(this.nextTry).toISOString(),
    });
    this.options.hold.enter('unreachable', this.reason, new Date(now).toISOString());
    this.publish();
    this.changed();
    this.sleeper.wake();
    return true;
  }

  /** The hub answered a call (whatever the answer, if it is not an outage). */
  reportSuccess(): void {
    if (this.state === 'down') {
      this.recover();
      return;
    }
    if (this.ramp !== null) {
      // Slow start: one more per success, so the window doubles each round of uploads.
      this.ramp += 1;
      if (this.ramp >= this.options.settings.maxConcurrency) this.ramp = null;
      this.changed();
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (this.state === 'up') {
        await this.sleeper.sleep(3_600_000, signal);
        continue;
      }
      const wait = (this.nextTry ?? 0) - this.clock.now();
      if (wait > 0) {
        await this.sleeper.sleep(wait, signal);
        continue;
      }
      await this.probeOnce(signal);
    }
  }

  private async probeOnce(signal: AbortSignal): Promise<void> {
    this.probes += 1;
    try {
      await this.options.probe(signal);
    } catch (error) {
      if (signal.aborted) return;
      // A state changed by another sender's answer meanwhile wins.
      if (this.state === 'up') return;
      if (isHubOutage(error) || !isHubRequestError(error)) {
        this.failures += 1;
        const now = this.clock.now();
        this.nextTry = now + this.delay(isHubRequestError(error) ? error : null);
        this.lastError = error instanceof Error ? error.message : String(error);
        // Another cause now (the hub answers with a certificate not trusted, where it refused
        // connections): the hold says so, once per change of cause.
        if (isHubRequestError(error) && error.code !== this.reasonCode) {
          this.reasonCode = error.code;
          this.reason = `${error.message} (since ${new Date(this.since ?? now).toISOString().slice(11, 19)} UTC)`;
          this.options.hold.enter('unreachable', this.reason, new Date(this.since ?? now).toISOString());
        }
        const every = this.options.settings.stillDownLogMs ?? DEFAULT_STILL_DOWN_LOG_MS;
        if (now - this.lastStillDownLog >= every) {
          this.lastStillDownLog = now;
          this.options.log.warn('hub still unreachable', {
            since: new Date(this.since ?? now).toISOString(),
            probes: this.probes,
            error: error instanceof Error ? error.message : String(error),
            nextTryAt: new Date(this.nextTry).toISOString(),
          });
        }
        this.publish();
        return;
      }
      // Any other answer (a refused key, no credits…) means the hub is there: the senders see it.
    }
    if (this.state === 'down') this.recover();
  }

  private recover(): void {
    const now = this.clock.now();
    const downMs = now - (this.since ?? now);
    this.options.log.info('hub reachable again: sending resumes, ramping up', { downForMs: downMs, probes: this.probes });
    this.state = 'up';
    this.since = null;
    this.nextTry = null;
    this.lastRecoveredAt = now;
    this.lastFailures = this.failures;
    this.failures = 0;
    this.ramp = this.options.settings.maxConcurrency > 1 ? 1 : null;
    this.options.health.contact();
    if (this.options.hold.hubHold()?.code === 'unreachable') this.options.hold.clear('the hub answers again');
    this.publish();
    this.releaseUpWaiters();
    this.changed();
  }

  /** Full jitter over the current ceiling, and never before the hub's Retry-After. */
  private delay(error: HubRequestError | null): number {
    const { probeBaseMs, probeCapMs } = this.options.settings;
    const jitter = Math.max(MIN_PROBE_GAP_MS, Math.round(this.random() * probeCeiling(this.failures, probeBaseMs, probeCapMs)));
    const retryAfter = error?.retryAfterMs ?? null;
    return retryAfter === null ? jitter : retryAfter + jitter;
  }

  private publish(): void {
    this.options.health.outage(
      this.state === 'down' && this.since !== null ? new Date(this.since).toISOString() : null,
      this.state === 'down' && this.nextTry !== null ? new Date(this.nextTry).toISOString() : null,
      this.state === 'down' ? this.lastError : null,
    );
  }

  private releaseUpWaiters(): void {
    for (const waiter of [...this.upWaiters]) waiter();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
