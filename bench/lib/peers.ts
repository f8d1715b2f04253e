// The tools a user would pick instead of the agent, measured in the same run on the same inputs
// (issue 16, "Peers in the benchmark"):
// - rclone (Debian) copying the SFTP part's invoices to the same sshd and the same folder (the
//   sandbox hub's SFTP face, in/), each run on a fresh hub: its best settings (hash check off,
//   4 and 16 transfers, each twice) and its defaults; its fastest run counts. Timed from spawning
//   `rclone copy` to its exit: every file on the server. The remote is given by RCLONE_CONFIG_*
//   variables (an empty config file, nothing of the user's), key login and the sshd's host key
//   pinned in a known_hosts file (checked against the fingerprint the agent pins).
// - cups-pdf (Debian printer-driver-cups-pdf): a queue of its own (`cups-pdf:/recapitobench`, whose
//   settings cups-pdf reads from /etc/cups/cups-pdf-recapitobench.conf: Out in the run's folder),
//   the same PDFs printed with `lp`, one job at a time, each from spawning lp until the PDF in Out is
//   written to its end (%%EOF); the next job waits until CUPS lists none. It runs before and after
//   the agent's part; the faster p50 counts.
// Both are installed through scripts/install-test-tools.ts --bench (apt, as the tests' tools are);
// when they cannot be, the part runs without them and their rows say NOT MEASURED, and why.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { safeFileName } from '../../src/core/hub/sftp-hub-client.ts';
import { BENCH_PEERS, missingBenchPeers, type BenchPeerName } from '../../test/helpers/system-tools-data.ts';
import { needs } from '../../test/helpers/system-tools.ts';
import type { Cleanup } from './cleanup.ts';
import { cupsAvailable, lp, waitForQueueIdle } from './cups-queue.ts';
import type { BenchFile } from './invoices.ts';
import type { BenchSshd, SftpHubChild } from './sshd-child.ts';
import { distribution, ratePerSecond, type Distribution } from './stats.ts';

const execFileAsync = promisify(execFile);
const INSTALLER = fileURLToPath(new URL('../../scripts/install-test-tools.ts', import.meta.url));
const RCLONE_TIMEOUT_MS = 600_000;
/** After rclone exits: the hub takes what is in in/ within this long, or it is reported as left. */
const HUB_DRAIN_TIMEOUT_MS = 120_000;
const CUPS_PDF_URI_NAME = 'recapitobench';
const CUPS_PDF_QUEUE = 'recapito-bench-cups-pdf';
const CUPS_PDF_CONF = `/etc/cups/cups-pdf-${CUPS_PDF_URI_NAME}.conf`;
const CUPS_PDF_PPD = '/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd';
const WRITTEN_POLL_MS = 5;
const JOB_TIMEOUT_MS = 60_000;

type Log = (line: string) => void;

export interface NotMeasured {
  measured: false;
  reason: string;
}

/**
 * Installs the missing peers (apt, through scripts/install-test-tools.ts --bench, which says loudly
 * what it does or why it cannot); then which ones are there.
 */
export function ensureBenchPeers(log: Log): Map<BenchPeerName, true | NotMeasured> {
  if (missingBenchPeers().length > 0) {
    log(`peers: ${missingBenchPeers().join(', ')} missing; running scripts/install-test-tools.ts --bench`);
    spawnSync(process.execPath, [INSTALLER, '--bench'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const missing = new Set(missingBenchPeers());
  const found = new Map<BenchPeerName, true | NotMeasured>();
  for (const peer of Object.keys(BENCH_PEERS) as BenchPeerName[]) {
    if (!missing.has(peer)) {
      found.set(peer, true);
      continue;
    }
    const reason = `${BENCH_PEERS[peer].label} is not installed and could not be (Debian package ${BENCH_PEERS[peer].package}; see the installer's message above)`;
    console.error(`\n*** bench: ${reason}: its rows are NOT MEASURED ***\n`);
    found.set(peer, { measured: false, reason });
  }
  return found;
}

// ---- rclone over SFTP ----

export interface RcloneRun {
  label: string;
  /** The flags after `rclone copy SRC bench:IN` (the remote's connection settings are in the environment). */
  flags: string[];
  files: number;
  /** rclone spawned → exited: every file on the server. */
  elapsedMs: number;
  filesPerSecond: number;
  exitCode: number | null;
  /** rclone's own error output, when it failed. */
  error: string | null;
  /** Once in/ is empty: what the hub stored, and when the last one, counted from rclone's start. */
  hubStored: number;
  hubStoredAfterMs: number | null;
  /** Files the hub did not store (refused: rclone writes in place, so the hub may read a file being written). */
  hubNotStored: number;
}

export type RclonePeer = { measured: true; version: string; runs: RcloneRun[]; best: RcloneRun; defaults: RcloneRun; command: string } | NotMeasured;

/**
 * One round of rclone's runs against the part's sshd, each on a fresh hub. Round 1 (before the
 * agent, after the first ssh2 loop): 4 and 16 transfers with the hash check off, then its defaults
 * on the first `defaultsFiles` files; round 2 (after the agent): 4 and 16 transfers again. The
 * agent runs between the rounds, as it runs between the loop's runs, so load on the machine that
 * comes and goes hits both sides alike.
 */
export async function measureRcloneRound(options: {
  round: 1 | 2;
  files: readonly BenchFile[];
  sshd: BenchSshd;
  /** The sshd's folder (test/helpers/sshd.ts), where its host_ed25519.pub is. */
  sshdDir: string;
  freshHub: (name: string) => Promise<SftpHubChild>;
  workDir: string;
  /** How many of the files the defaults run copies (all of them unless --peer-defaults-files). */
  defaultsFiles: number;
  log: Log;
}): Promise<{ version: string; runs: RcloneRun[] }> {
  const { files, sshd, freshHub, round, log } = options;
  const workDir = join(options.workDir, `round-${round}`);
  const rclone = BENCH_PEERS.rclone.paths[0];
  await mkdir(workDir, { recursive: true });
  const version = (await execFileAsync(rclone, ['version'], { env: rcloneEnv({}) })).stdout.split('\n')[0]?.trim() ?? 'rclone';

  // Connection settings: a key file, a pinned host key, an empty config so nothing of the user's counts.
  const keyFile = join(workDir, 'client_ed25519');
  await writeFile(keyFile, sshd.clientPrivateKey, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  const knownHosts = join(workDir, 'known_hosts');
  const hostKey = (await readFile(join(options.sshdDir, 'host_ed25519.pub'), 'utf8')).trim().split(/\s+/);
  const [keyType, keyBase64] = hostKey;
  if (!keyType || !keyBase64) throw new Error(`cannot read the sshd's host key in ${options.sshdDir}`);
  const fingerprint = `SHA256:${createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
  if (fingerprint !== sshd.hostKeyFingerprint)
    throw new Error(`the sshd's host key file (${fingerprint}) is not the key the agent pins (${sshd.hostKeyFingerprint})`);
  await writeFile(knownHosts, `[${sshd.host}]:${sshd.port} ${keyType} ${keyBase64}\n`);
  const remote = {
    RCLONE_CONFIG_BENCH_TYPE: 'sftp',
    RCLONE_CONFIG_BENCH_HOST: sshd.host,
    RCLONE_CONFIG_BENCH_PORT: String(sshd.port),
    RCLONE_CONFIG_BENCH_USER: sshd.username,
    RCLONE_CONFIG_BENCH_KEY_FILE: keyFile,
    RCLONE_CONFIG_BENCH_KNOWN_HOSTS_FILE: knownHosts,
  };

  const best = (transfers: number): string[] => ['--sftp-disable-hashcheck', '--transfers', String(transfers)];
  const plan: { label: string; flags: string[]; files: readonly BenchFile[] }[] = [
    { label: `hash check off, 4 transfers (run ${round}/2)`, flags: best(4), files },
    { label: `hash check off, 16 transfers (run ${round}/2)`, flags: best(16), files },
  ];
  if (round === 1) {
    plan.push({
      label: options.defaultsFiles < files.length ? `defaults, first ${options.defaultsFiles} files` : 'defaults',
      flags: [],
      files: files.slice(0, options.defaultsFiles),
    });
  }
  const runs: RcloneRun[] = [];
  for (const [index, step] of plan.entries()) {
    // The agent's names, `<key>__<safe name>`, so the hub takes rclone's files as it takes the agent's.
    const source = join(workDir, `source-${index + 1}`);
    await mkdir(source, { recursive: true });
    for (const file of step.files) await writeFile(join(source, `${randomUUID()}__${safeFileName(file.name)}`), file.bytes);
    // A fresh, empty config file per run: rclone saves what it detects (shell type, hash commands)
    // into it, and a run must not start with what an earlier one found out.
    const configFile = join(workDir, `rclone-${index + 1}.conf`);
    await writeFile(configFile, '');
    const hub = await freshHub(`rclone-${round}-${index + 1}`);
    try {
      const inDir = posix.join(hub.rootDir, 'in');
      log(`rclone: ${step.label}: rclone copy of ${step.files.length} files to ${sshd.host}:${sshd.port}${inDir}`);
      const started = performance.now();
      const startedAt = Date.now();
      const exit = await runRclone(rclone, ['copy', source, `bench:${inDir}`, ...step.flags], rcloneEnv({ ...remote, RCLONE_CONFIG: configFile }));
      const elapsedMs = performance.now() - started;
      const drained = await waitForEmptyInbox(join(hub.rootDir, 'in'));
      const records = hub.records();
      const lastStored = records.length === 0 ? null : Math.max(...records.map((record) => record.createdAt)) - startedAt;
      const run: RcloneRun = {
        label: step.label,
        flags: step.flags,
        files: step.files.length,
        elapsedMs,
        filesPerSecond: exit.code === 0 ? ratePerSecond(step.files.length, elapsedMs) : 0,
        exitCode: exit.code,
        error: exit.code === 0 ? null : exit.output.slice(-2000),
        hubStored: records.length,
        hubStoredAfterMs: lastStored,
        hubNotStored: step.files.length - records.length,
      };
      log(
        `rclone: ${step.label}: ${run.filesPerSecond.toFixed(1)} files/s (${(elapsedMs / 1000).toFixed(2)} s, exit code ${exit.code}); the hub stored ${records.length}/${step.files.length}${drained ? '' : ' (in/ not empty after 120 s)'}`,
      );
      runs.push(run);
    } finally {
      await hub.close();
      await rm(source, { recursive: true, force: true });
    }
  }
  return { version, runs };
}

/**
 * Both rounds: rclone's fastest run over all the files counts, whatever its settings (noise only
 * ever slows a run down; where its defaults find no hash command they do what the best settings do).
 */
export function summarizeRclone(version: string, runs: RcloneRun[]): RclonePeer {
  const allFiles = Math.max(0, ...runs.map((run) => run.files));
  const bestRuns = runs.filter((run) => run.exitCode === 0 && run.files === allFiles);
  const defaults = runs.find((run) => run.flags.length === 0) as RcloneRun;
  if (bestRuns.length === 0) return { measured: false, reason: `every rclone run failed: ${runs[0]?.error ?? 'no output'}` };
  const fastest = bestRuns.reduce((a, b) => (b.filesPerSecond > a.filesPerSecond ? b : a));
  return {
    measured: true,
    version,
    runs,
    best: fastest,
    defaults,
    command: `RCLONE_CONFIG_BENCH_TYPE=sftp RCLONE_CONFIG_BENCH_HOST=… _PORT _USER _KEY_FILE _KNOWN_HOSTS_FILE rclone copy SRC bench:ROOT/in ${fastest.flags.join(' ')}`,
  };
}

/** The environment without the user's RCLONE_* settings, plus ours. */
function rcloneEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('RCLONE_'))), ...extra };
}

function runRclone(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => void (output = (output + chunk.toString('utf8')).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), RCLONE_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Until the hub has taken every upload from in/ (dot-files are its own and in-progress ones). */
async function waitForEmptyInbox(inDir: string): Promise<boolean> {
  const deadline = Date.now() + HUB_DRAIN_TIMEOUT_MS;
  for (;;) {
    const left = (await readdir(inDir).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));
    if (left.length === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

// ---- cups-pdf ----

export type CupsPdfPeer =
  | {
      measured: true;
      queue: string;
      deviceUri: string;
      outDir: string;
      jobs: number;
      written: number;
      /** lp spawned → the PDF in Out written to its end. */
      latencyMs: Distribution;
      firstJobMs: number | null;
      /** Bytes cups-pdf wrote for a job (it renders the PDF again with Ghostscript). */
      outputBytes: number | null;
      incompleteReason: string | null;
    }
  | NotMeasured;

/** A cups-pdf queue of its own, `lp` of each PDF one at a time; the queue and its settings go at cleanup. */
export async function measureCupsPdf(options: { pdfs: readonly BenchFile[]; workDir: string; cleanup: Cleanup; log: Log }): Promise<CupsPdfPeer> {
  const { pdfs, workDir, cleanup, log } = options;
  // As root this starts cupsd when it does not run (the printer part needs it anyway).
  const cups = await cupsAvailable();
  if (!cups.available) return { measured: false, reason: `CUPS cannot be used: ${cups.reason}` };
  const outDir = join(workDir, 'out');
  const pdfDir = join(workDir, 'pdfs');
  await mkdir(outDir, { recursive: true });
  await mkdir(pdfDir, { recursive: true });
  for (const pdf of pdfs) await writeFile(join(pdfDir, pdf.name), pdf.bytes);

  const lpadmin = needs('lpadmin').path('lpadmin');
  const deviceUri = `cups-pdf:/${CUPS_PDF_URI_NAME}`;
  cleanup.add(`remove the cups-pdf queue ${CUPS_PDF_QUEUE} and ${CUPS_PDF_CONF}`, async () => {
    await execFileAsync(needs('cancel').path('cancel'), ['-a', CUPS_PDF_QUEUE], { timeout: 10_000 }).catch(() => undefined);
    await execFileAsync(lpadmin, ['-x', CUPS_PDF_QUEUE], { timeout: 30_000 }).catch(() => undefined);
    await rm(CUPS_PDF_CONF, { force: true });
  });
  // cups-pdf reads /etc/cups/cups-pdf-<name>.conf for the device cups-pdf:/<name>: the rest of the
  // machine's PDF printers keep their settings.
  await writeFile(
    CUPS_PDF_CONF,
    [
      '# Written by the Recapito benchmark (bench/lib/peers.ts); removed when it ends.',
      `Out ${outDir}`,
      `AnonDirName ${outDir}`,
      'Label 0',
      'Log /var/log/cups',
      '',
    ].join('\n'),
  );
  await execFileAsync(lpadmin, ['-p', CUPS_PDF_QUEUE, '-E', '-v', deviceUri, '-P', CUPS_PDF_PPD], { timeout: 30_000 });
  log(`cups-pdf: queue ${CUPS_PDF_QUEUE} (${deviceUri}), output in ${outDir}; ${pdfs.length} jobs with lp, one at a time`);

  const latency: number[] = [];
  const sizes: number[] = [];
  let incompleteReason: string | null = null;
  const seen = new Set<string>();
  for (const [index, pdf] of pdfs.entries()) {
    const title = `cups-pdf-${index + 1}`;
    const started = performance.now();
    let lpFailure: string | null = null;
    const lpRun = lp(CUPS_PDF_QUEUE, title, join(pdfDir, pdf.name)).catch((error: unknown) => {
      lpFailure = (error as Error).message;
      return null;
    });
    let written: { name: string; size: number } | null = null;
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    while (written === null && lpFailure === null && Date.now() < deadline) {
      written = await writtenPdf(outDir, seen);
      if (written === null) await sleep(WRITTEN_POLL_MS);
    }
    const writtenAt = performance.now();
    await lpRun;
    if (written === null) {
      incompleteReason = lpFailure ?? `job ${index + 1} wrote no PDF in ${outDir} within ${JOB_TIMEOUT_MS / 1000} s`;
      break;
    }
    seen.add(written.name);
    latency.push(writtenAt - started);
    sizes.push(written.size);
    if (!(await waitForQueueIdle(CUPS_PDF_QUEUE, JOB_TIMEOUT_MS))) {
      incompleteReason = `CUPS did not finish cups-pdf job ${index + 1} within ${JOB_TIMEOUT_MS / 1000} s`;
      break;
    }
  }
  const result: CupsPdfPeer = {
    measured: true,
    queue: CUPS_PDF_QUEUE,
    deviceUri,
    outDir,
    jobs: pdfs.length,
    written: latency.length,
    latencyMs: distribution(latency),
    firstJobMs: latency[0] ?? null,
    outputBytes: sizes.length === 0 ? null : Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
    incompleteReason,
  };
  log(
    `cups-pdf: lp → PDF written p50 ${Math.round(result.latencyMs.p50 ?? NaN)} ms, p95 ${Math.round(result.latencyMs.p95 ?? NaN)} ms (${latency.length}/${pdfs.length} jobs)`,
  );
  return result;
}

/** A PDF in Out not seen before and written to its end (its last bytes hold %%EOF), or null. */
async function writtenPdf(outDir: string, seen: ReadonlySet<string>): Promise<{ name: string; size: number } | null> {
  for (const name of await readdir(outDir)) {
    if (seen.has(name) || !name.endsWith('.pdf')) continue;
    const bytes = await readFile(join(outDir, name)).catch(() => null);
    if (bytes && bytes.subarray(-32).includes('%%EOF')) return { name, size: bytes.length };
  }
  return null;
}
