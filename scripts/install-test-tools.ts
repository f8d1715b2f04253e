// Run by `npm test` before the suite: installs the Debian packages of the system tools the tests
// need (test/helpers/system-tools-data.ts) when some are missing and it may (root, or sudo without
// a password, with apt-get). Otherwise it prints the install command once and the tests that need
// the missing tools skip, each with a line saying so (under CI=true they fail).
//
//   node scripts/install-test-tools.ts              install what is missing, if it may
//   node scripts/install-test-tools.ts --dry-run    print what it would do, change nothing
//   node scripts/install-test-tools.ts --packages   print every package, one a line
//   node scripts/install-test-tools.ts --bench      the benchmark's peers instead (rclone, cups-pdf:
//                                                   BENCH_PEERS), run by `npm run bench`; exit code 0
//                                                   when they are there afterwards, 1 when not
//
// RECAPITO_NO_INSTALL=1 (or any non-empty value but 0) never installs anything.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  ALL_PACKAGES,
  BENCH_PEERS,
  missingBenchPeers,
  missingTools,
  planInstall,
  planPackageInstall,
  pretendMissing,
  SYSTEM_TOOLS,
  type ToolName,
} from '../test/helpers/system-tools-data.ts';

const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const say = (line: string): void => void process.stderr.write(`npm test: ${line}\n`);

if (args.includes('--packages')) {
  process.stdout.write(`${ALL_PACKAGES.join('\n')}\n`);
  process.exit(0);
}

const root = process.getuid?.() === 0;
const hasApt = process.platform === 'linux' && existsSync('/usr/bin/apt-get');
const optOut = process.env['RECAPITO_NO_INSTALL'];

if (args.includes('--bench')) process.exit(installBenchPeers());

const missing = missingTools();
if (missing.length === 0) process.exit(0);

const plan = planInstall({
  missing,
  hasApt,
  root,
  passwordlessSudo: !root && hasApt && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
  optedOut: optOut !== undefined && optOut !== '' && optOut !== '0',
});

/** "ghostscript (Ghostscript: makes the sample …)", one line per package. */
function why(tools: readonly ToolName[]): string[] {
  const byPackage = new Map<string, ToolName[]>();
  for (const tool of tools) byPackage.set(SYSTEM_TOOLS[tool].package, [...(byPackage.get(SYSTEM_TOOLS[tool].package) ?? []), tool]);
  return [...byPackage].map(([name, its]) => {
    // Tools of one package needed for the same reason share it: "lpadmin, lpstat, lp — the CUPS tests".
    const byReason = new Map<string, string[]>();
    for (const tool of its)
      byReason.set(SYSTEM_TOOLS[tool].neededBy, [...new Set([...(byReason.get(SYSTEM_TOOLS[tool].neededBy) ?? []), SYSTEM_TOOLS[tool].label])]);
    return `  ${name}: ${[...byReason].map(([reason, labels]) => `${labels.join(', ')} — ${reason}`).join('; ')}`;
  });
}

if (plan.kind === 'nothing') process.exit(0);

if (plan.kind === 'cannot') {
  say(`${plan.packages.length} system package(s) the tests need are missing, and will not be installed here: ${plan.why}.`);
  for (const line of why(missing)) process.stderr.write(`${line}\n`);
  say(`the tests that need them will be SKIPPED${process.env['CI'] === 'true' ? ' (under CI=true: FAIL)' : ''}. To run them, install them with:`);
  process.stderr.write(`\n    ${plan.command}\n\n`);
  process.exit(0);
}

say(`${dryRun ? 'would install' : 'installing'} ${plan.packages.length} system package(s) the tests need:`);
for (const line of why(missing)) process.stderr.write(`${line}\n`);
for (const command of plan.commands) {
  process.stderr.write(`  $ ${command.join(' ')}\n`);
  if (dryRun) continue;
  const result = spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    say(
      `${command.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`}); the tests that need these packages will be skipped (under CI=true: fail).`,
    );
    process.exit(process.env['CI'] === 'true' ? 1 : 0);
  }
}
if (!dryRun) {
  const pretended = pretendMissing();
  const still = missingTools().map((tool) => (pretended.has(tool) ? `${tool} (RECAPITO_PRETEND_MISSING)` : tool));
  if (still.length > 0) say(`still missing after the install: ${still.join(', ')}`);
}

/** `--bench`: the benchmark's peers, planned and installed like the test tools; 0 when all are there after. */
function installBenchPeers(): number {
  const benchSay = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  const absent = missingBenchPeers();
  if (absent.length === 0) return 0;
  const packages = [...new Set(absent.map((peer) => BENCH_PEERS[peer].package))];
  const lines = absent.map((peer) => `  ${BENCH_PEERS[peer].package}: ${BENCH_PEERS[peer].label} — ${BENCH_PEERS[peer].neededBy}`);
  const benchPlan = planPackageInstall(packages, {
    hasApt,
    root,
    passwordlessSudo: !root && hasApt && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0,
    optedOut: optOut !== undefined && optOut !== '' && optOut !== '0',
  });
  if (benchPlan.kind === 'nothing') return 0;
  if (benchPlan.kind === 'cannot') {
    benchSay(`the peers the benchmark compares the agent with are missing, and will not be installed here: ${benchPlan.why}.`);
    for (const line of lines) process.stderr.write(`${line}\n`);
    benchSay('their rows will say NOT MEASURED. To measure them, install them with:');
    process.stderr.write(`\n    ${benchPlan.command}\n\n`);
    return 1;
  }
  benchSay(`${dryRun ? 'would install' : 'installing'} the benchmark's peers:`);
  for (const line of lines) process.stderr.write(`${line}\n`);
  for (const command of benchPlan.commands) {
    process.stderr.write(`  $ ${command.join(' ')}\n`);
    if (dryRun) continue;
    const result = spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) {
      benchSay(`${command.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`}); the peers' rows will say NOT MEASURED.`);
      return 1;
    }
  }
  if (dryRun) return 1;
  const still = missingBenchPeers();
  if (still.length > 0) benchSay(`still missing after the install: ${still.join(', ')}`);
  return still.length === 0 ? 0 : 1;
}
