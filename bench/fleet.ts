// The fleet simulation (issue 15): N agents' hub-facing loops in this one process — each with its own
// store, its own HTTPS client (its own keep-alive sockets), and the real StatusFollower (long poll),
// AccountMonitor and shared HubAvailability, as compose.ts wires them with the default settings —
// against one sandbox hub in its own process, through a TCP relay that takes the hub away and brings
// it back. Measured: the requests the hub gets per second and the hub process's CPU, at idle, during
// the outage (connection attempts), and in the minute after it comes back. Idle agents have no
// backlog, so the outbox sends nothing and is left out; its ramp is shown by the outage test.
// Run by `npm run bench -- --only fleet [--agents N]`; figures in docs/performance.md.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../src/core/store/store.ts';
import { Spool } from '../src/core/store/spool.ts';
import { HoldController } from '../src/core/sync/hold.ts';
import { HubHealth } from '../src/core/sync/hub-health.ts';
import { HubAvailability } from '../src/core/sync/hub-availability.ts';
import { StatusFollower } from '../src/core/sync/status-follower.ts';
import { AccountMonitor } from '../src/core/sync/account-monitor.ts';
import { createHttpsHubClient } from '../src/core/hub/https-hub-client.ts';
import type { HubClient } from '../src/core/hub/hub-client.ts';
import type { Logger } from '../src/core/log/logger.ts';
import { defaultSettings } from '../src/core/config/settings-schema.ts';
import { startOutageProxy } from '../test/helpers/outage-proxy.ts';
import type { Cleanup } from './lib/cleanup.ts';
import { startHubChild } from './lib/hub-child.ts';
import { cpuSeconds } from './lib/process-cpu.ts';

export interface FleetOptions {
  agents: number;
  workDir: string;
  cleanup: Cleanup;
  log: (line: string) => void;
  /** Seconds measured at idle, after every agent has started and settled. */
  idleSeconds?: number;
  /** Seconds the hub is away. */
  outageSeconds?: number;
  /** Seconds measured after it comes back. */
  recoverySeconds?: number;
}

export interface FleetWindow {
  seconds: number;
  /** Requests the agents started against the hub, per second (mean over the window). */
  requestsPerSecond: number;
  /** The busiest 10 s of the window, per second. */
  peakRequestsPerSecond: number;
  /** The busiest single second. */
  peakSecond: number;
  /** The hub process's CPU over the window: 1.0 is one core. Null without /proc. */
  hubCpu: number | null;
}

export interface FleetResult {
  agents: number;
  settings: { longPollSeconds: number; accountPollSeconds: number; probeBaseMs: number; probeCapMs: number };
  startSeconds: number;
  idle: FleetWindow;
  outage: FleetWindow & { connectionAttemptsPerSecond: number; agentsDown: number; logLinesPerAgent: number };
  recovery: FleetWindow & { agentsUpAfter: number; recoveredWithinSeconds: number };
  /** recovery.peakRequestsPerSecond / idle.requestsPerSecond: the target is < 3. */
  recoveryPeakOverSteady: number;
  /** Of one core: the target is < 0.05 at idle. */
  idleHubCpu: number | null;
}

interface FleetAgent {
  availability: HubAvailability;
  follower: StatusFollower;
  account: AccountMonitor;
  store: Store;
  spool: Spool;
  client: HubClient;
}

const silentLogger = (count: (level: string) => void): Logger => {
  const logger: Logger = {
    debug: () => undefined,
    info: () => count('info'),
    warn: () => count('warn'),
    error: () => count('error'),
    child: () => logger,
  };
  return logger;
};

export async function measureFleet(options: FleetOptions): Promise<FleetResult> {
  const { agents: count, workDir, cleanup, log } = options;
  const idleSeconds = options.idleSeconds ?? 60;
  const outageSeconds = options.outageSeconds ?? 120;
  const recoverySeconds = options.recoverySeconds ?? 60;
  const defaults = defaultSettings();
  const longPollSeconds = defaults.hub.eventsLongPollSeconds;
  const accountIntervalMs = defaults.hub.accountPollSeconds * 1000;

  const hub = await startHubChild({ dataDir: join(workDir, 'hub'), credits: 10, cleanup });
  const proxy = await startOutageProxy({ host: '127.0.0.1', port: Number(new URL(hub.url).port) });
  cleanup.add('close the fleet relay', () => proxy.close());
  const caPem = await readFile(hub.caFile, 'utf8');

  // Requests started per second since the start, counted at the clients.
  const startedAt = Date.now();
  const perSecond: number[] = [];
  const count1 = (): void => {
    const second = Math.floor((Date.now() - startedAt) / 1000);
    perSecond[second] = (perSecond[second] ?? 0) + 1;
  };
  let logLines = 0;
  const tally = <T>(call: () => Promise<T>): Promise<T> => {
    count1();
    return call();
  };
  const counted = (client: HubClient): HubClient => ({
    transport: client.transport,
    endpoint: client.endpoint,
    account: (signal) => tally(() => client.account(signal)),
    upload: (request, signal) => tally(() => client.upload(request, signal)),
    events: (request, signal) => tally(() => client.events(request, signal)),
    acknowledge: (seq) => client.acknowledge(seq), // no request over HTTPS
    documents: (ids, signal) => tally(() => client.documents(ids, signal)),
    downloadFile: (id, name, signal) => tally(() => client.downloadFile(id, name, signal)),
    close: () => client.close(),
  });

  // Every agent's database starts as a copy of one migrated template (migrating a thousand would
  // take minutes of fsyncs before the first request).
  const template = join(workDir, 'template.sqlite');
  new Store(template, 'fleet-template').close();
  const fleet: FleetAgent[] = [];
  cleanup.add('stop the fleet', async () => {
    await Promise.allSettled(fleet.map((agent) => stopAgent(agent)));
  });
  // The PCs of a fleet do not all start in the same second: spread over one long-poll period.
  log(`fleet: starting ${count} agents over ${longPollSeconds} s`);
  const spreadMs = (longPollSeconds * 1000) / count;
  for (let i = 0; i < count; i += 1) {
    const dir = join(workDir, 'agents', String(i));
    await mkdir(dir, { recursive: true });
    await copyFile(template, join(dir, 'recapito.sqlite'));
    const store = new Store(join(dir, 'recapito.sqlite'), `fleet-${i}`);
    const spool = new Spool(join(dir, 'spool'));
    const real = createHttpsHubClient({
      baseUrl: `https://127.0.0.1:${proxy.port}`,
      apiKey: () => hub.apiKey,
      extraCaPem: caPem,
      requestTimeoutMs: defaults.hub.requestTimeoutSeconds * 1000,
      userAgent: 'Recapito/fleet',
    });
    const client = counted(real);
    const hubClient = (): HubClient => client;
    const hold = new HoldController(store);
    const health = new HubHealth();
    const agentLog = silentLogger((level) => {
      if (level !== 'debug') logLines += 1;
    });
    const availability = new HubAvailability({
      settings: { probeBaseMs: defaults.hub.outageProbeBaseMs, probeCapMs: defaults.hub.outageProbeCapMs, maxConcurrency: defaults.outbox.concurrency },
      probe: (signal) => client.account(signal),
      health,
      hold,
      log: agentLog,
    });
    const follower = new StatusFollower({ store, spool, hub: hubClient, health, log: agentLog, longPollSeconds, availability });
    const account = new AccountMonitor({
      hub: hubClient,
      hold,
      health,
      log: agentLog,
      intervalMs: accountIntervalMs,
      whileHeldIntervalMs: Math.min(accountIntervalMs, 10_000),
      availability,
    });
    const agent = { availability, follower, account, store, spool, client };
    fleet.push(agent);
    availability.start();
    follower.start();
    account.start();
    const due = startedAt + (i + 1) * spreadMs;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  const startSeconds = (Date.now() - startedAt) / 1000;
  log(`fleet: ${count} agents running after ${startSeconds.toFixed(0)} s; settling for ${longPollSeconds + 5} s`);
  await sleep((longPollSeconds + 5) * 1000);

  const cpu = (): number | null => cpuSeconds(`/proc/${hub.pid}/stat`);
  const measure = async (seconds: number): Promise<FleetWindow & { from: number; to: number }> => {
    const cpuBefore = cpu();
    const wallBefore = Date.now();
    const from = Math.floor((wallBefore - startedAt) / 1000) + 1;
    await sleep(seconds * 1000 + 1000);
    const to = from + seconds;
    const cpuAfter = cpu();
    const wall = (Date.now() - wallBefore) / 1000;
    const counts = Array.from({ length: seconds }, (_, k) => perSecond[from + k] ?? 0);
    return {
      from,
      to,
      seconds,
      requestsPerSecond: sum(counts) / seconds,
      peakRequestsPerSecond: peakWindow(counts, 10),
      peakSecond: Math.max(0, ...counts),
      hubCpu: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / wall,
    };
  };

  log(`fleet: idle, ${idleSeconds} s`);
  const idle = await measure(idleSeconds);
  log(`fleet: idle ${idle.requestsPerSecond.toFixed(1)} req/s, hub CPU ${percent(idle.hubCpu)}`);

  log(`fleet: the hub goes away for ${outageSeconds} s`);
  const linesBefore = logLines;
  proxy.down();
  // The last minute of the outage (or all of it, if shorter) is when only probes run.
  const firstPart = Math.max(0, outageSeconds - 60);
  if (firstPart > 0) await sleep(firstPart * 1000);
  const refusedBefore = proxy.refused;
  const outageWindow = await measure(outageSeconds - firstPart);
  const outage = {
    ...outageWindow,
    connectionAttemptsPerSecond: (proxy.refused - refusedBefore) / outageWindow.seconds,
    agentsDown: fleet.filter((agent) => agent.availability.isDown()).length,
    logLinesPerAgent: (logLines - linesBefore) / count,
  };
  log(`fleet: during the outage ${outage.connectionAttemptsPerSecond.toFixed(1)} connection attempts/s, ${outage.agentsDown}/${count} agents down`);

  log(`fleet: the hub is back; measuring ${recoverySeconds} s`);
  proxy.up();
  const upAt = Date.now();
  let recoveredWithinSeconds = Number.NaN;
  const watcher = setInterval(() => {
    if (Number.isNaN(recoveredWithinSeconds) && fleet.every((agent) => !agent.availability.isDown())) recoveredWithinSeconds = (Date.now() - upAt) / 1000;
  }, 250);
  const recoveryWindow = await measure(recoverySeconds);
  const agentsUpAfter = fleet.filter((agent) => !agent.availability.isDown()).length;
  // The last probes of the outage may be due later than the window: wait for them (one cap at most).
  const deadline = upAt + defaults.hub.outageProbeCapMs + 30_000;
  while (Number.isNaN(recoveredWithinSeconds) && Date.now() < deadline) await sleep(500);
  clearInterval(watcher);
  const recovery = { ...recoveryWindow, agentsUpAfter, recoveredWithinSeconds };
  log(
    `fleet: after recovery ${recovery.requestsPerSecond.toFixed(1)} req/s (peak 10 s ${recovery.peakRequestsPerSecond.toFixed(1)}), hub CPU ${percent(recovery.hubCpu)}, ${recovery.agentsUpAfter}/${count} up`,
  );

  await Promise.allSettled(fleet.map((agent) => stopAgent(agent)));
  fleet.length = 0;
  await hub.close();
  return {
    agents: count,
    settings: {
      longPollSeconds,
      accountPollSeconds: defaults.hub.accountPollSeconds,
      probeBaseMs: defaults.hub.outageProbeBaseMs,
      probeCapMs: defaults.hub.outageProbeCapMs,
    },
    startSeconds,
    idle: strip(idle),
    outage: {
      ...strip(outage),
      connectionAttemptsPerSecond: outage.connectionAttemptsPerSecond,
      agentsDown: outage.agentsDown,
      logLinesPerAgent: outage.logLinesPerAgent,
    },
    recovery: { ...strip(recovery), agentsUpAfter: recovery.agentsUpAfter, recoveredWithinSeconds: recovery.recoveredWithinSeconds },
    recoveryPeakOverSteady: idle.requestsPerSecond > 0 ? recovery.peakRequestsPerSecond / idle.requestsPerSecond : Number.NaN,
    idleHubCpu: idle.hubCpu,
  };
}

async function stopAgent(agent: FleetAgent): Promise<void> {
  await agent.account.stop();
  await agent.follower.stop();
  await agent.availability.stop();
  await agent.client.close();
  agent.store.close();
  await agent.spool.close();
}

function strip(window: FleetWindow): FleetWindow {
  return {
    seconds: window.seconds,
    requestsPerSecond: window.requestsPerSecond,
    peakRequestsPerSecond: window.peakRequestsPerSecond,
    peakSecond: window.peakSecond,
    hubCpu: window.hubCpu,
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** The highest mean over `width` consecutive seconds. */
function peakWindow(counts: number[], width: number): number {
  if (counts.length <= width) return sum(counts) / Math.max(1, counts.length);
  let best = 0;
  for (let start = 0; start + width <= counts.length; start += 1) best = Math.max(best, sum(counts.slice(start, start + width)) / width);
  return best;
}

function percent(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(1)}% of a core`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The fleet's figures as a table, for the console. */
export function formatFleetReport(result: FleetResult): string {
  const row = (label: string, w: FleetWindow, extra = ''): string =>
    `| ${label} | ${w.requestsPerSecond.toFixed(1)} | ${w.peakRequestsPerSecond.toFixed(1)} | ${w.peakSecond} | ${percent(w.hubCpu)} | ${extra} |`;
  return [
    `Fleet: ${result.agents} agents (long poll ${result.settings.longPollSeconds} s, account every ${result.settings.accountPollSeconds} s, probes ${result.settings.probeBaseMs} ms … ${result.settings.probeCapMs / 1000} s), started over ${result.startSeconds.toFixed(0)} s`,
    '',
    '| window | requests/s (mean) | busiest 10 s, /s | busiest second | hub CPU | |',
    '|---|---|---|---|---|---|',
    row(`idle, ${result.idle.seconds} s`, result.idle),
    row(
      `outage, last ${result.outage.seconds} s`,
      result.outage,
      `${result.outage.connectionAttemptsPerSecond.toFixed(1)} connection attempts/s; ${result.outage.agentsDown} agents down; ${result.outage.logLinesPerAgent.toFixed(1)} log lines per agent`,
    ),
    row(
      `after recovery, ${result.recovery.seconds} s`,
      result.recovery,
      `${result.recovery.agentsUpAfter} agents up at its end; all up within ${Number.isNaN(result.recovery.recoveredWithinSeconds) ? '(not all came back)' : `${result.recovery.recoveredWithinSeconds.toFixed(0)} s`}`,
    ),
    '',
    `Recovery peak / steady: ${result.recoveryPeakOverSteady.toFixed(2)} (target < 3); hub CPU at idle: ${percent(result.idleHubCpu)} (target < 5%)`,
  ].join('\n');
}
