// The hub's shared outage state on a manual clock with a fixed jitter source: which failures are an
// outage, the probe's backoff (full jitter under a doubling, capped ceiling, never before
// Retry-After), one probe at a time, the ramp after recovery, and one log line per change.
import { afterEach, describe, expect, it } from 'vitest';
import { HubAvailability, isHubOutage, probeCeiling, type HubAvailabilityOptions } from '../../src/core/sync/hub-availability.ts';
import type { HoldState } from '../../src/core/sync/hold.ts';
import { HubRequestError } from '../../src/core/hub/hub-client.ts';
import type { Logger } from '../../src/core/log/logger.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

interface Line {
  level: string;
  message: string;
}

function recordingLog(lines: Line[]): Logger {
  const log: Logger = {
    debug: (message) => lines.push({ level: 'debug', message }),
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
    child: () => log,
  };
  return log;
}

const refused = (): HubRequestError => new HubRequestError({ kind: 'transient', code: 'ECONNREFUSED', message: 'hub unreachable: connection refused' });
const overloaded = (retryAfterMs: number | null): HubRequestError =>
  new HubRequestError({ kind: 'transient', code: 'http_503', status: 503, retryAfterMs, message: 'hub error (503 http_503)' });

/** A world around one HubAvailability: hold and health doubles, a probe the test answers. */
function world(options: { random?: () => number; held?: HoldState | null; maxConcurrency?: number } = {}) {
  const clock = new ManualClock();
  const lines: Line[] = [];
  let hold: HoldState | null = options.held ?? null;
  const holds: string[] = [];
  const outages: (string | null)[][] = [];
  let contacts = 0;
  const probes: number[] = [];
  let probeAnswer: () => Promise<unknown> = () => Promise.reject(refused());
  const settings: HubAvailabilityOptions['settings'] = { probeBaseMs: 1000, probeCapMs: 180_000, maxConcurrency: options.maxConcurrency ?? 16 };
  const availability = new HubAvailability({
    settings,
    clock,
    random: options.random ?? (() => 0.5),
    log: recordingLog(lines),
    probe: () => {
      probes.push(clock.now());
      return probeAnswer();
    },
    health: {
      outage: (since, nextTryAt, reason) => outages.push([since, nextTryAt, reason]),
      contact: () => {
        contacts += 1;
      },
    },
    hold: {
      hubHold: () => hold,
      enter: (code, reason, since) => {
        hold = { code, reason, since: since ?? '' };
        holds.push(`enter ${code}`);
      },
      clear: (why) => {
        hold = null;
        holds.push(`clear ${why}`);
      },
    },
  });
  return {
    clock,
    lines,
    holds,
    outages,
    probes,
    availability,
    contacts: () => contacts,
    hold: () => hold,
    answerProbes: (answer: () => Promise<unknown>) => {
      probeAnswer = answer;
    },
  };
}

let running: HubAvailability[] = [];
afterEach(async () => {
  await Promise.all(running.map((a) => a.stop()));
  running = [];
});

describe('isHubOutage', () => {
  it('takes connection failures, timeouts, 429, 502-504 and certificates as the hub, the rest as the document', () => {
    expect(isHubOutage(refused())).toBe(true);
    expect(isHubOutage(new HubRequestError({ kind: 'transient', code: 'timeout', message: 'x' }))).toBe(true);
    expect(isHubOutage(new HubRequestError({ kind: 'tls', code: 'CERT_HAS_EXPIRED', message: 'x' }))).toBe(true);
    for (const status of [429, 502, 503, 504]) expect(isHubOutage(new HubRequestError({ kind: 'transient', code: 'x', status, message: 'x' }))).toBe(true);
    for (const status of [400, 422]) expect(isHubOutage(new HubRequestError({ kind: 'permanent', code: 'x', status, message: 'x' }))).toBe(false);
    expect(isHubOutage(new HubRequestError({ kind: 'conflict', code: 'x', status: 409, message: 'x' }))).toBe(false);
    expect(isHubOutage(new HubRequestError({ kind: 'auth', code: 'x', status: 401, message: 'x' }))).toBe(false);
    expect(isHubOutage(new HubRequestError({ kind: 'transient', code: 'x', status: 500, message: 'x' }))).toBe(false);
    expect(isHubOutage(new HubRequestError({ kind: 'transient', code: 'file_missing', message: 'x' }))).toBe(false);
    expect(isHubOutage(new HubRequestError({ kind: 'transient', code: 'protocol_error', status: 200, message: 'x' }))).toBe(false);
    expect(isHubOutage(new Error('ECONNREFUSED'))).toBe(false);
  });

  it('doubles the ceiling from the base up to the cap', () => {
    expect([1, 2, 3, 4, 8, 9, 50].map((n) => probeCeiling(n, 1000, 180_000))).toEqual([1000, 2000, 4000, 8000, 128_000, 180_000, 180_000]);
  });
});

describe('HubAvailability', () => {
  it('goes down once, holds the queue, probes alone with a doubling jittered delay, and logs only changes', async () => {
    const w = world({ random: () => 0.5 });
    running.push(w.availability);
    w.availability.start();
    const start = w.clock.now();

    expect(w.availability.reportFailure(refused())).toBe(true);
    // Later failures of uploads already under way change nothing and log nothing.
    for (let i = 0; i < 15; i += 1) expect(w.availability.reportFailure(refused())).toBe(true);
    expect(w.availability.isDown()).toBe(true);
    expect(w.availability.allowedConcurrency()).toBe(0);
    expect(w.holds).toEqual(['enter unreachable']);
    expect(w.hold()?.reason).toContain('connection refused');
    expect(w.availability.current().nextTryAt).toBe(start + 500);

    // Probe n waits half of min(cap, 1 s · 2^(n-1)) after the previous: 0.5, 1, 2, 4 … 90, 90 s.
    await w.clock.advance(30 * 60_000);
    const gaps = w.probes.map((at, i) => at - (i === 0 ? start : (w.probes[i - 1] ?? 0)));
    expect(gaps.slice(0, 9)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 90_000]);
    expect(new Set(gaps.slice(8))).toEqual(new Set([90_000]));
    // 30 minutes of outage: 8 + about 18 probes, one at a time.
    expect(w.probes.length).toBeLessThan(30);
    // One line down, and "still down" at most every 5 minutes.
    const warnings = w.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings[0]).toBe('hub unreachable: sending held, probing with backoff');
    expect(warnings.filter((m) => m === 'hub still unreachable').length).toBeLessThanOrEqual(6);
    expect(warnings.length).toBeLessThanOrEqual(7);
    expect(w.availability.current().since).toBe(start);
  });

  it('draws each delay from the whole interval (full jitter)', async () => {
    const draws = [0, 0.999, 0.25];
    const w = world({ random: () => draws.shift() ?? 0 });
    running.push(w.availability);
    w.availability.start();
    const start = w.clock.now();
    w.availability.reportFailure(refused()); // 0 · 1 s, but never closer than 100 ms
    expect(w.availability.current().nextTryAt).toBe(start + 100);
    await w.clock.advance(100);
    expect(w.probes).toEqual([start + 100]);
    expect(w.availability.current().nextTryAt).toBe(start + 100 + 1998); // 0.999 · 2 s
    await w.clock.advance(1998);
    expect(w.probes).toEqual([start + 100, start + 2098]);
    expect(w.availability.current().nextTryAt).toBe(start + 2098 + 1000); // 0.25 · 4 s
  });

  it("never probes before the hub's Retry-After", async () => {
    const w = world({ random: () => 0 });
    running.push(w.availability);
    w.availability.start();
    const start = w.clock.now();
    w.availability.reportFailure(overloaded(29_900)); // + the 100 ms floor of the jitter
    expect(w.availability.current().nextTryAt).toBe(start + 30_000);
    // A longer wish from another call pushes it back; a shorter one does not bring it forward.
    w.availability.reportFailure(overloaded(60_000));
    w.availability.reportFailure(overloaded(1_000));
    expect(w.availability.current().nextTryAt).toBe(start + 60_000);
    await w.clock.advance(59_999);
    expect(w.probes).toEqual([]);
    await w.clock.advance(1);
    expect(w.probes).toEqual([start + 60_000]);
  });

  it('leaves document failures to the document', () => {
    const w = world();
    expect(w.availability.reportFailure(new HubRequestError({ kind: 'permanent', code: 'invalid', status: 422, message: 'bad' }))).toBe(false);
    expect(w.availability.isDown()).toBe(false);
    expect(w.holds).toEqual([]);
    expect(w.lines).toEqual([]);
  });

  it('comes back on the first answer, releases the hold, and ramps 1 → 2 → 4 … up to the parallelism', async () => {
    const w = world({ random: () => 0.5, maxConcurrency: 16 });
    running.push(w.availability);
    w.availability.start();
    w.availability.reportFailure(refused());
    await w.clock.advance(10_000);
    expect(w.availability.isDown()).toBe(true);
    w.answerProbes(() => Promise.resolve({}));
    await w.clock.advance(60_000);
    expect(w.availability.isDown()).toBe(false);
    expect(w.holds).toEqual(['enter unreachable', 'clear the hub answers again']);
    expect(w.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual(['hub reachable again: sending resumes, ramping up']);
    expect(w.outages.at(-1)).toEqual([null, null, null]);

    // Slow start: each success adds one, so each round of uploads in flight doubles the window.
    const windows: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const window = w.availability.allowedConcurrency();
      windows.push(window);
      for (let i = 0; i < window; i += 1) w.availability.reportSuccess();
    }
    expect(windows).toEqual([1, 2, 4, 8, 16]);
    expect(w.availability.current().ramp).toBeNull();
  });

  it('a refused key still proves the hub is there', async () => {
    const w = world();
    running.push(w.availability);
    w.availability.start();
    w.availability.reportFailure(refused());
    w.answerProbes(() => Promise.reject(new HubRequestError({ kind: 'auth', code: 'x', status: 401, message: 'key' })));
    await w.clock.advance(1000);
    expect(w.availability.isDown()).toBe(false);
  });

  it('an outage during the ramp starts over from down', async () => {
    const w = world();
    running.push(w.availability);
    w.availability.start();
    w.availability.reportFailure(refused());
    w.availability.reportSuccess(); // an upload under way got its answer after all
    expect(w.availability.allowedConcurrency()).toBe(1);
    w.availability.reportSuccess();
    expect(w.availability.allowedConcurrency()).toBe(2);
    w.availability.reportFailure(overloaded(null));
    expect(w.availability.allowedConcurrency()).toBe(0);
    expect(w.lines.map((l) => l.message)).toEqual([
      'hub unreachable: sending held, probing with backoff',
      'hub reachable again: sending resumes, ramping up',
      'hub unreachable: sending held, probing with backoff',
    ]);
  });

  it('a hub that answers the probe but fails the rest keeps backing off instead of starting over', async () => {
    const w = world({ random: () => 0.5 });
    running.push(w.availability);
    w.availability.start();
    w.answerProbes(() => Promise.resolve({}));
    const delays: number[] = [];
    for (let cycle = 0; cycle < 10; cycle += 1) {
      w.availability.reportFailure(overloaded(null)); // the feed answers 503, the account does not
      const { nextTryAt } = w.availability.current();
      delays.push((nextTryAt ?? 0) - w.clock.now());
      await w.clock.advance((nextTryAt ?? 0) - w.clock.now());
      expect(w.availability.isDown()).toBe(false);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 90_000, 90_000]);
    // Down for longer than the cap after coming back: a new outage starts from the base again.
    await w.clock.advance(180_000);
    w.availability.reportFailure(refused());
    expect((w.availability.current().nextTryAt ?? 0) - w.clock.now()).toBe(500);
  });

  it('says the latest cause: the status at each probe, the hold once per change of cause', async () => {
    const w = world();
    running.push(w.availability);
    w.availability.start();
    w.availability.reportFailure(refused());
    expect(w.outages.at(-1)?.[2]).toBe('hub unreachable: connection refused');
    const untrusted = new HubRequestError({ kind: 'tls', code: 'SELF_SIGNED_CERT_IN_CHAIN', message: "the hub's certificate is not trusted" });
    w.answerProbes(() => Promise.reject(untrusted));
    await w.clock.advance(60_000);
    expect(w.outages.at(-1)?.[2]).toBe("the hub's certificate is not trusted");
    expect(w.holds).toEqual(['enter unreachable', 'enter unreachable']);
    expect(w.hold()?.reason).toMatch(/^the hub's certificate is not trusted \(since/);
  });

  it('starts down, probing at once, when the agent stopped during an outage', async () => {
    const since = new Date(Date.UTC(2034, 11, 31)).toISOString();
    const w = world({ held: { code: 'unreachable', reason: 'hub unreachable: connection refused', since } });
    running.push(w.availability);
    expect(w.availability.isDown()).toBe(true);
    expect(w.outages.at(-1)?.[0]).toBe(since);
    w.answerProbes(() => Promise.resolve({}));
    w.availability.start();
    await w.clock.advance(0);
    expect(w.probes).toHaveLength(1);
    expect(w.availability.isDown()).toBe(false);
    expect(w.hold()).toBeNull();
  });

  it('wakes the loops waiting for the hub when it comes back', async () => {
    const w = world();
    running.push(w.availability);
    w.availability.start();
    w.availability.reportFailure(refused());
    let up = false;
    const controller = new AbortController();
    const waiting = w.availability.waitUntilUp(controller.signal).then(() => {
      up = true;
    });
    await w.clock.advance(5_000);
    expect(up).toBe(false);
    w.answerProbes(() => Promise.resolve({}));
    await w.clock.advance(60_000);
    await waiting;
    expect(up).toBe(true);
  });
});
