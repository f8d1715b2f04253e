// `npm run soak -- [--minutes 120] [--rate 3] [--hub-outage-every 10] [--agent-restart-every 7 (0: never)] [--report FILE]`
// (issue 15): hours of steady traffic against a real agent (`recapito serve`, its own process) and a
// real sandbox hub (`recapito sandbox-hub`, its own process, restarted on the same port and data),
// with the hub taken down now and then (kill -9 or a clean stop, alternately) and the agent
// restarted (a clean stop or kill -9, alternately). Every 15 s it samples the agent's RSS, open file
// descriptors, threads and WAL size; at the end it lets the queue drain and checks that every file
// reached the hub exactly once, the store passes integrity_check and the audit chain verifies.
// The report (markdown) goes to stdout and, with --report, to a file (docs/soak.md). Not part of CI.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { validateSettings } from '../src/core/config/settings-schema.ts';
import { apiTarget, callApi } from '../src/cli/local-api-client.ts';
import { ROUTES } from '../src/contract/routes.ts';
import { SandboxAdminClient, SandboxHttpsClient } from '../src/sandbox-hub/sandbox-hub-client.ts';
import { Cleanup } from './lib/cleanup.ts';
import { stopWithin } from './lib/child-exit.ts';
import { prepareAgentDataDir, startAgentChild, type AgentChild } from './lib/agent-child.ts';
import { makeInvoices } from './lib/invoices.ts';
import { describeMachine } from './lib/machine.ts';

const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const SAMPLE_EVERY_MS = 15_000;
const MINUTE = 60_000;

interface Sample {
  at: number;
  agentLife: number;
  rssMiB: number | null;
  fds: number | null;
  threads: number | null;
  walMiB: number;
  dropped: number;
  atHub: number;
  hubUp: boolean;
}

function log(line: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sandbox hub as `recapito sandbox-hub` prints it; restarted on the same port and data folder. */
class HubProcess {
  port = 0;
  url = '';
  caFile = '';
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private readonly dataDir: string;
  private readonly logFile: string;

  constructor(dataDir: string, logFile: string) {
    this.dataDir = dataDir;
    this.logFile = logFile;
  }

  async start(): Promise<void> {
    const args = [CLI, 'sandbox-hub', '--dir', this.dataDir, '--port', String(this.port), '--credits', '100000000'];
    const child = spawn(process.execPath, this.port === 0 ? [...args, '--create-key'] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const output = createWriteStream(this.logFile, { flags: 'a' });
    child.stderr.pipe(output);
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error('the sandbox hub did not start within 60 s')), 60_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output.write(chunk);
        seen += chunk.toString();
        const url = /Sandbox hub: (https:\/\/\S+)/.exec(seen);
        const ca = /hub\.caFile\): (\S+)/.exec(seen);
        const keyReady = this.port !== 0 || seen.includes('API key was written');
        if (url && ca && keyReady) {
          clearTimeout(timer);
          this.url = url[1]!;
          this.caFile = ca[1]!;
          this.port = Number(new URL(this.url).port);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the sandbox hub exited while starting (code ${code})`));
      });
    });
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await stopWithin(child, this.exited, 30_000);
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }
}

function countEntries(dir: string): Promise<number | null> {
  return readdir(dir).then(
    (entries) => entries.length,
    () => null,
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      minutes: { type: 'string', default: '120' },
      rate: { type: 'string', default: '3' },
      'hub-outage-every': { type: 'string', default: '10' },
      'hub-outage-seconds': { type: 'string', default: '90' },
      'agent-restart-every': { type: 'string', default: '7' },
      report: { type: 'string' },
    },
  });
  const minutes = Number(values.minutes);
  const rate = Number(values.rate);
  const outageEvery = Number(values['hub-outage-every']) * MINUTE;
  const outageMs = Number(values['hub-outage-seconds']) * 1000;
  const restartEvery = Number(values['agent-restart-every']) * MINUTE;
  const command = `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim();

  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    const root = await cleanup.tempDir('recapito-soak-');
    const dataDir = join(root, 'agent');
    const dropDir = join(root, 'drop');
    const staging = join(root, 'staging');
    await mkdir(dropDir, { recursive: true });
    await mkdir(staging, { recursive: true });
    const hub = new HubProcess(join(root, 'hub'), join(root, 'hub.log'));
    await hub.start();
    cleanup.add('stop the sandbox hub', () => hub.stop('SIGTERM'));
    const apiKey = (await readFile(join(root, 'hub', 'api-key'), 'utf8')).trim();
    const admin = new SandboxAdminClient(
      new SandboxHttpsClient(hub.url, await readFile(hub.caFile)),
      (await readFile(join(root, 'hub', 'admin-token'), 'utf8')).trim(),
    );

    const validation = validateSettings({
      hub: { url: hub.url, caFile: hub.caFile },
      api: { port: 0 },
      printer: { enabled: false, port: 0 },
      profiles: [{ id: 'soak', name: 'Soak Srl', folders: [{ path: dropDir, postAction: 'move' }] }],
    });
    if (!validation.ok) throw new Error(`soak settings: ${JSON.stringify(validation.errors)}`);
    const settings = validation.settings;
    await prepareAgentDataDir(dataDir, settings, apiKey);
    const agentLog = join(root, 'agent.log');
    let agent: AgentChild = await startAgentChild({ dataDir, logFile: agentLog, cleanup });
    let agentLife = 1;
    let hubUp = true;

    const totalFiles = Math.ceil(minutes * 60 * rate) + 10;
    const files = makeInvoices(totalFiles);
    let dropped = 0;
    const samples: Sample[] = [];
    const events: string[] = [];
    const startedAt = Date.now();
    const until = startedAt + minutes * MINUTE;
    let nextOutage = startedAt + outageEvery;
    // 0: the agent is never restarted (one process for the whole run: growth within it shows).
    let nextRestart = restartEvery > 0 ? startedAt + restartEvery : Number.POSITIVE_INFINITY;
    let nextSample = startedAt;
    let outageEndsAt = 0;
    let outages = 0;
    let restarts = 0;
    const atHubCount = async () => (hubUp ? (await admin.listDocuments().catch(() => null))?.length : undefined);
    let lastAtHub = 0;

    log(
      `soak: ${minutes} min, ${rate} invoices/s, hub outage every ${outageEvery / MINUTE} min for ${outageMs / 1000} s, agent restart every ${restartEvery / MINUTE} min; ${root}`,
    );
    while (Date.now() < until) {
      const tick = Date.now();
      // Steady traffic: the files due by now, each written elsewhere and renamed in (as an ERP does).
      const due = Math.min(totalFiles, Math.floor(((tick - startedAt) / 1000) * rate));
      for (; dropped < due; dropped += 1) {
        const file = files[dropped]!;
        await writeFile(join(staging, file.name), file.bytes);
        await rename(join(staging, file.name), join(dropDir, file.name));
      }
      if (hubUp && tick >= nextOutage) {
        outages += 1;
        const signal = outages % 2 === 1 ? 'SIGKILL' : 'SIGTERM';
        await hub.stop(signal);
        hubUp = false;
        outageEndsAt = tick + outageMs;
        events.push(`${minutesSince(startedAt)} min: hub down (${signal})`);
        log(`hub down (${signal})`);
      }
      if (!hubUp && tick >= outageEndsAt) {
        await hub.start();
        hubUp = true;
        nextOutage = Date.now() + outageEvery;
        events.push(`${minutesSince(startedAt)} min: hub back`);
        log('hub back');
      }
      if (tick >= nextRestart) {
        restarts += 1;
        const hard = restarts % 2 === 0;
        if (hard && agent.running()) process.kill(agent.pid, 'SIGKILL');
        await agent.stop();
        agent = await startAgentChild({ dataDir, logFile: agentLog, cleanup });
        agentLife += 1;
        nextRestart = Date.now() + restartEvery;
        events.push(`${minutesSince(startedAt)} min: agent restarted (${hard ? 'kill -9' : 'clean stop'})`);
        log(`agent restarted (${hard ? 'kill -9' : 'clean stop'})`);
      }
      if (tick >= nextSample) {
        nextSample += SAMPLE_EVERY_MS;
        lastAtHub = (await atHubCount()) ?? lastAtHub;
        const memory = agent.memory();
        const status = await readFile(`/proc/${agent.pid}/status`, 'utf8').catch(() => '');
        const threads = /^Threads:\s+(\d+)$/m.exec(status);
        const wal = await stat(join(dataDir, 'recapito.sqlite-wal')).catch(() => null);
        samples.push({
          at: tick - startedAt,
          agentLife,
          rssMiB: memory.rssBytes === null ? null : memory.rssBytes / 2 ** 20,
          fds: await countEntries(`/proc/${agent.pid}/fd`),
          threads: threads ? Number(threads[1]) : null,
          walMiB: (wal?.size ?? 0) / 2 ** 20,
          dropped,
          atHub: lastAtHub,
          hubUp,
        });
        const last = samples.at(-1)!;
        log(
          `rss ${last.rssMiB?.toFixed(0)} MiB, fds ${last.fds}, threads ${last.threads}, wal ${last.walMiB.toFixed(1)} MiB, dropped ${dropped}, at hub ${lastAtHub}`,
        );
      }
      await pause(200);
    }

    if (!hubUp) {
      await hub.start();
      hubUp = true;
    }
    log(`traffic stopped at ${dropped} files; waiting for the queue to drain`);
    const drainStart = Date.now();
    let atHub: { fileName: string; idempotencyKey: string }[] = [];
    while (Date.now() - drainStart < 10 * MINUTE) {
      atHub = await admin.listDocuments().catch(() => atHub);
      if (atHub.length >= dropped) break;
      await pause(2000);
    }
    const drainSeconds = (Date.now() - drainStart) / 1000;
    const names = new Set(files.slice(0, dropped).map((f) => f.name));
    const hubNames = atHub.map((d) => d.fileName);
    const duplicates = hubNames.length - new Set(hubNames).size;
    const missing = [...names].filter((n) => !hubNames.includes(n)).length;
    const leftInDrop = (await readdir(dropDir)).filter((n) => n.endsWith('.xml')).length;
    const audit = (await callApi(await apiTarget(dataDir), ROUTES.auditVerify).catch((error: unknown) => ({ error: String(error) }))) as unknown;
    const finalMemory = agent.memory();
    await agent.stop();
    const db = new Database(join(dataDir, 'recapito.sqlite'), { readonly: true });
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    const states = db.prepare('SELECT state, COUNT(*) AS n FROM documents GROUP BY state').all() as { state: string; n: number }[];
    db.close();
    const agentOutput = await readFile(agentLog, 'utf8');
    const warnings = (agentOutput.match(/Warning:|DEP0137|Unhandled/g) ?? []).length;

    const report = formatReport({
      command,
      machine: describeMachine(),
      minutes,
      rate,
      samples,
      events,
      dropped,
      atHub: atHub.length,
      duplicates,
      missing,
      leftInDrop,
      drainSeconds,
      integrity,
      audit,
      states,
      warnings,
      finalRssMiB: finalMemory.rssBytes === null ? null : finalMemory.rssBytes / 2 ** 20,
    });
    console.log(report);
    if (values.report) await writeFile(values.report, report);
    return duplicates === 0 && missing === 0 && integrity === 'ok' ? 0 : 1;
  } catch (error) {
    console.error(`soak: the run failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    await cleanup.runAll();
  }
}

function minutesSince(start: number): string {
  return ((Date.now() - start) / MINUTE).toFixed(1);
}

interface ReportInput {
  command: string;
  machine: unknown;
  minutes: number;
  rate: number;
  samples: Sample[];
  events: string[];
  dropped: number;
  atHub: number;
  duplicates: number;
  missing: number;
  leftInDrop: number;
  drainSeconds: number;
  integrity: string;
  audit: unknown;
  states: { state: string; n: number }[];
  warnings: number;
  finalRssMiB: number | null;
}

/** Per agent life (between restarts): the figures after its first 2 minutes, when a leak would show as growth. */
function formatReport(input: ReportInput): string {
  const lives = [...new Set(input.samples.map((s) => s.agentLife))];
  const rows = lives.map((life) => {
    const all = input.samples.filter((s) => s.agentLife === life);
    const settled = all.filter((s) => s.at - all[0]!.at >= 2 * MINUTE);
    const pick = settled.length >= 2 ? settled : all;
    const first = pick[0]!;
    const last = pick.at(-1)!;
    const max = (key: 'rssMiB' | 'fds' | 'threads' | 'walMiB') => Math.max(...pick.map((s) => s[key] ?? 0));
    return `| ${life} | ${(all[0]!.at / MINUTE).toFixed(1)}–${(all.at(-1)!.at / MINUTE).toFixed(1)} | ${first.rssMiB?.toFixed(0)} → ${last.rssMiB?.toFixed(0)} (max ${max('rssMiB').toFixed(0)}) | ${first.fds} → ${last.fds} (max ${max('fds')}) | ${first.threads} → ${last.threads} | ${max('walMiB').toFixed(1)} |`;
  });
  return `# Soak run

Command: \`${input.command}\` (${input.minutes} min, ${input.rate} invoices/s dropped into a watched folder).
Machine: \`${JSON.stringify(input.machine)}\`

## Outcome

- Files dropped: ${input.dropped}; at the hub: ${input.atHub}; **missing ${input.missing}, duplicated ${input.duplicates}**; left in the drop folder: ${input.leftInDrop}; queue drained ${input.drainSeconds.toFixed(0)} s after traffic stopped.
- Agent store: \`integrity_check\` = ${input.integrity}; audit chain: \`${JSON.stringify(input.audit)}\`.
- Document states at the end: ${input.states.map((s) => `${s.state} ${s.n}`).join(', ')}.
- Warnings (\`Warning:\`, DEP0137, Unhandled) in the agent's output over the whole run: ${input.warnings}.

## Per agent life (from 2 minutes after each start)

| life | minutes | RSS MiB first → last | open fds first → last | threads | WAL max MiB |
|---|---|---|---|---|---|
${rows.join('\n')}

## Every 5 minutes

| minute | agent life | RSS MiB | open fds | WAL MiB | dropped | at the hub | hub |
|---|---|---|---|---|---|---|---|
${input.samples
  .filter((_, i) => i % 20 === 0)
  .map(
    (s) =>
      `| ${(s.at / MINUTE).toFixed(0)} | ${s.agentLife} | ${s.rssMiB?.toFixed(0)} | ${s.fds} | ${s.walMiB.toFixed(1)} | ${s.dropped} | ${s.atHub} | ${s.hubUp ? 'up' : 'down'} |`,
  )
  .join('\n')}

## Events

${input.events.map((e) => `- ${e}`).join('\n')}
`;
}

process.exitCode = await main();
