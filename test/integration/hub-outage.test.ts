// A hub outage with a backlog, end to end on the real transports: the sandbox hub over real HTTPS
// (and its SFTP face behind a real sshd), a real store and spool, the real clients, and the agent's
// hub-facing loops (outbox, status follower, account monitor, the shared HubAvailability) wired as
// compose.ts wires them, on a manual clock with a fixed jitter draw. A TCP relay in front of the hub
// takes it down (every connection reset) and brings it back, counting what reaches it.
//
// Shown: during ten simulated minutes of outage with 200 documents waiting, the hub sees the one
// probe's schedule (base 1 s, doubling, cap 3 min: a couple of requests a minute after the first),
// not each document's retries; no document fails or burns an attempt; the log has one line per
// change; after recovery every document is delivered once, with the ramp (1, then one more per
// success) and not all at once.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Store } from '../../src/core/store/store.ts';
import { Spool } from '../../src/core/store/spool.ts';
import { Outbox } from '../../src/core/sync/outbox.ts';
import { StatusFollower } from '../../src/core/sync/status-follower.ts';
import { AccountMonitor } from '../../src/core/sync/account-monitor.ts';
import { HoldController } from '../../src/core/sync/hold.ts';
import { HubHealth } from '../../src/core/sync/hub-health.ts';
import { HubAvailability } from '../../src/core/sync/hub-availability.ts';
import { buildHubClient } from '../../src/core/agent/hub-connection.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { defaultSettings, type Settings } from '../../src/core/config/settings-schema.ts';
import type { HubClient } from '../../src/core/hub/hub-client.ts';
import type { Logger } from '../../src/core/log/logger.ts';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startOutageProxy, type OutageProxy } from '../helpers/outage-proxy.ts';
import { needsSshd, startSshd, type Sshd } from '../helpers/sshd.ts';
import { needs } from '../helpers/system-tools.ts';
import { sftpSettings, type Transport } from '../helpers/harness.ts';

const BACKLOG = 200;
const CONCURRENCY = 16;
const OUTAGE_MINUTES = 10;

interface Call {
  method: string;
  /** On the manual clock. */
  at: number;
  /** Uploads under way when this one started, itself included (uploads only). */
  inflight: number;
  ok: boolean | null;
}

interface LogLine {
  level: string;
  scope: string;
  message: string;
}

/** The real client, with every call recorded: what reached the transport, when, how many at once. */
function recorded(client: HubClient, clock: ManualClock) {
  const calls: Call[] = [];
  let busy = 0;
  let uploading = 0;
  const track = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    busy += 1;
    if (method === 'upload') uploading += 1;
    const call: Call = { method, at: clock.now(), inflight: method === 'upload' ? uploading : 0, ok: null };
    calls.push(call);
    try {
      const result = await run();
      call.ok = true;
      return result;
    } catch (error) {
      call.ok = false;
      throw error;
    } finally {
      busy -= 1;
      if (method === 'upload') uploading -= 1;
    }
  };
  const wrapped: HubClient = {
    transport: client.transport,
    endpoint: client.endpoint,
    account: (signal) => track('account', () => client.account(signal)),
    upload: (request, signal) => track('upload', () => client.upload(request, signal)),
    events: (request, signal) => track('events', () => client.events(request, signal)),
    acknowledge: (seq) => track('acknowledge', () => client.acknowledge(seq)),
    documents: (ids, signal) => track('documents', () => client.documents(ids, signal)),
    downloadFile: (id, name, signal) => track('downloadFile', () => client.downloadFile(id, name, signal)),
    close: () => client.close(),
  };
  return { client: wrapped, calls, busy: () => busy };
}

function recordingLog(lines: LogLine[], scope = ''): Logger {
  const line = (level: string) => (message: string) => {
    lines.push({ level, scope, message });
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), child: (child) => recordingLog(lines, child) };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function startWorld(transport: Transport) {
  const temp = await makeTempDir();
  cleanups.push(() => temp.cleanup());
  const sshd: Sshd | null = transport === 'sftp' ? await startSshd(join(temp.dir, 'sshd')) : null;
  if (sshd) cleanups.push(() => sshd.stop());
  const sftpRoot = join(temp.dir, 'hub-sftp');
  const hub: SandboxHub = await createSandboxHub({
    dataDir: join(temp.dir, 'hub'),
    ...(sshd ? { sftp: { rootDir: sftpRoot, pollIntervalMs: 100 } } : {}),
  });
  cleanups.push(() => hub.close());
  const hubPort = Number(new URL(hub.url).port);
  const proxy: OutageProxy = await startOutageProxy({ host: '127.0.0.1', port: sshd ? sshd.port : hubPort });
  cleanups.push(() => proxy.close());

  const defaults = defaultSettings();
  let settings: Settings = {
    ...defaults,
    hub: { ...defaults.hub, url: `https://127.0.0.1:${proxy.port}`, caFile: hub.caFile, requestTimeoutSeconds: 5 },
  };
  if (sshd) settings = sftpSettings(settings, { ...sshd, port: proxy.port }, sftpRoot);
  const dataDir = join(temp.dir, 'agent');
  await mkdir(dataDir, { recursive: true });
  const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  await secrets.set('hubApiKey', hub.createApiKey({ name: 'outage' }));
  if (sshd) await secrets.set('sftpPrivateKey', sshd.clientPrivateKey);

  const lines: LogLine[] = [];
  const log = recordingLog(lines);
  const real = await buildHubClient({ settings: settings.hub, secrets, log });
  if (!real) throw new Error('no hub client');
  cleanups.push(() => real.close());
  const clock = new ManualClock();
  const hubCalls = recorded(real, clock);
  const hubClient = (): HubClient => hubCalls.client;

  const store = new Store(join(dataDir, 'recapito.sqlite'), 'agent-outage');
  const spool = new Spool(join(dataDir, 'spool'));
  cleanups.push(async () => {
    store.close();
    await spool.close();
  });
  const random = (): number => 0.5;
  const hold = new HoldController(store);
  const health = new HubHealth();
  // As compose.ts wires them, with the settings' defaults: probes from 1 s, doubling, up to 3 min.
  const availability = new HubAvailability({
    settings: { probeBaseMs: settings.hub.outageProbeBaseMs, probeCapMs: settings.hub.outageProbeCapMs, maxConcurrency: CONCURRENCY },
    probe: (signal) => hubClient().account(signal),
    health,
    hold,
    log: log.child('hub'),
    clock,
    random,
  });
  const outbox = new Outbox({
    store,
    spool,
    hub: hubClient,
    hold,
    health,
    availability,
    settings: { concurrency: CONCURRENCY, memoryBudgetBytes: 64 * 1024 * 1024, leaseMs: 120_000, backoffBaseMs: 1000, backoffCapMs: 300_000 },
    companyFor: () => null,
    log: log.child('outbox'),
    clock,
  });
  const follower = new StatusFollower({
    store,
    spool,
    hub: hubClient,
    health,
    log: log.child('follower'),
    longPollSeconds: 1,
    availability,
    clock,
    random,
  });
  const account = new AccountMonitor({
    hub: hubClient,
    hold,
    health,
    log: log.child('account'),
    intervalMs: 300_000,
    whileHeldIntervalMs: 10_000,
    availability,
    clock,
    random,
  });
  const loops = [availability, outbox, follower, account];
  cleanups.push(async () => {
    for (const loop of [...loops].reverse()) await loop.stop();
  });

  /** A document in the queue, its job due now (as a capture leaves it). */
  const queue = async (n: number): Promise<string> => {
    const bytes = Buffer.from(`%PDF-1.4\n% outage backlog ${n} ${randomUUID()}\n%%EOF\n`);
    const sha256 = await spool.put(bytes);
    const id = randomUUID();
    store.transaction(() => {
      store.documents.insert({
        id,
        profile: 'default',
        source: 'api',
        name: `backlog-${n}.pdf`,
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
  const attempts = (): number[] =>
    store.db
      .prepare('SELECT attempts FROM jobs')
      .all()
      .map((row) => Number((row as { attempts: number }).attempts));
  /** Lets what the last advance started over the network finish (the clock does not see sockets). */
  const quiet = (): Promise<boolean> => waitFor('hub calls under way to finish', () => hubCalls.busy() === 0, 30_000, 10);
  return { hub, proxy, clock, store, hold, health, availability, loops, lines, calls: hubCalls.calls, queue, attempts, quiet };
}

for (const transport of ['https', 'sftp'] as const) {
  (transport === 'sftp' ? needsSshd() : needs()).describe(`hub outage with a backlog (${transport})`, () => {
    it('probes alone at the backoff rate while down, loses and duplicates nothing, and ramps back up', { timeout: 240_000 }, async () => {
      const w = await startWorld(transport);
      w.proxy.down();
      const ids: string[] = [];
      for (let n = 0; n < BACKLOG; n += 1) ids.push(await w.queue(n));
      for (const loop of w.loops) loop.start();

      // The first uploads, the long poll and the account check meet the dead hub: down, once.
      const start = w.clock.now();
      await w.clock.advance(0);
      await w.quiet();
      await w.clock.advance(0);
      await w.quiet();
      const firstBurst = w.calls.length;
      expect(firstBurst).toBeLessThanOrEqual(CONCURRENCY + 2);

      // Ten simulated minutes of outage, a second at a time.
      for (let second = 0; second < OUTAGE_MINUTES * 60; second += 1) {
        await w.clock.advance(1000);
        await w.quiet();
      }
      const downAt = w.availability.current().since ?? start;
      const outageCalls = w.calls.filter((call) => call.at >= downAt);
      const perMinute = Array.from(
        { length: OUTAGE_MINUTES },
        (_, m) => outageCalls.filter((c) => c.at >= downAt + m * 60_000 && c.at < downAt + (m + 1) * 60_000).length,
      );
      // The probe's schedule with a half draw: 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s … then every 90 s.
      const probes = outageCalls.filter((call) => call.method === 'account' && call.ok === false);
      expect(probes.length).toBeGreaterThanOrEqual(12);
      expect(perMinute[0]).toBeLessThanOrEqual(firstBurst + 8);
      for (const count of perMinute.slice(1)) expect(count).toBeLessThanOrEqual(2);
      // Each request during the outage was one connection attempt reset by the "hub".
      expect(w.proxy.refused).toBeLessThanOrEqual(firstBurst + 20);
      expect(w.calls.filter((call) => call.at > downAt + 60_000).every((call) => call.method === 'account')).toBe(true);

      // The queue holds with one reason; no document failed or spent an attempt.
      const held = w.hold.hubHold();
      expect(held?.code).toBe('unreachable');
      expect(w.store.documents.withState(['held']).length).toBe(BACKLOG);
      expect(new Set(w.store.documents.withState(['held']).map((d) => d.reason))).toEqual(new Set([held?.reason]));
      expect(w.store.documents.withState(['failed']).length).toBe(0);
      expect(Math.max(...w.attempts())).toBe(0);
      const status = w.health.get();
      expect(status.reachable).toBe(false);
      expect(status.unreachableSince).toBe(new Date(downAt).toISOString());
      expect(Date.parse(status.nextTryAt ?? '')).toBeGreaterThan(w.clock.now());

      // One line when it went down and "still down" at most every 5 minutes; nothing per document.
      const warnings = w.lines.filter((line) => line.level === 'warn' || line.level === 'error');
      expect(warnings.filter((line) => line.message.startsWith('hub unreachable'))).toHaveLength(1);
      expect(warnings.filter((line) => line.message === 'hub still unreachable').length).toBeLessThanOrEqual(OUTAGE_MINUTES / 5);
      expect(warnings.length).toBeLessThanOrEqual(1 + OUTAGE_MINUTES / 5);

      // The hub comes back: the next probe finds it, and sending resumes with the ramp.
      w.proxy.up();
      const recoveredFrom = w.calls.length;
      await w.clock.advance(Math.max(0, (w.availability.current().nextTryAt ?? w.clock.now()) - w.clock.now()));
      await waitFor('the hub to be seen up', () => !w.availability.isDown(), 30_000);
      await waitFor(
        'every document to be received by the hub',
        () => w.store.documents.withState(['queued', 'held', 'sending', 'failed']).length === 0,
        120_000,
      );
      expect(w.lines.filter((line) => line.message.startsWith('hub reachable again'))).toHaveLength(1);
      expect(w.hold.hubHold()).toBeNull();
      expect(w.health.get()).toMatchObject({ reachable: true, unreachableSince: null, nextTryAt: null });

      // Ramp: an upload starts only within 1 + the uploads that succeeded after recovery before it.
      const after = w.calls.slice(recoveredFrom).filter((call) => call.method === 'upload');
      expect(after.length).toBe(BACKLOG);
      expect(after[0]?.inflight).toBe(1);
      let succeeded = 0;
      const windows: number[] = [];
      for (const call of w.calls.slice(recoveredFrom)) {
        if (call.method !== 'upload') continue;
        windows.push(call.inflight);
        expect(call.inflight).toBeLessThanOrEqual(Math.min(CONCURRENCY, 1 + succeeded));
        if (call.ok) succeeded += 1;
      }
      expect(Math.max(...windows.slice(0, 4))).toBeLessThanOrEqual(3);
      expect(Math.max(...windows)).toBeGreaterThan(2);

      // Delivered once each: no loss, no duplicate, no document failed.
      expect(w.store.documents.withState(['failed']).length).toBe(0);
      const atHub = await waitFor('the hub to list every document', () => {
        const documents = w.hub.listDocuments();
        return documents.length >= BACKLOG ? documents : null;
      });
      expect(atHub).toHaveLength(BACKLOG);
      expect(new Set(atHub.map((d) => d.idempotencyKey))).toEqual(new Set(ids));
      if (transport === 'https') expect(atHub.every((d) => d.uploads === 1)).toBe(true);
    });
  });
}
