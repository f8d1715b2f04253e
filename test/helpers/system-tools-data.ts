// The one list of system tools the tests run: for each, where it is (absolute paths, first found
// wins), the Debian package that brings it and what needs it. Plain data and pure functions, with no
// vitest, so scripts/install-test-tools.ts (run by `npm test` before the suite) reads the same list;
// .ci/system-packages.txt is checked against it by test/unit/system-tools.test.ts.
//
// RECAPITO_PRETEND_MISSING=gs,chromium (tool or package names) makes tools look missing, to check
// what the tests and the installer do without them on a machine that has them.
import { existsSync } from 'node:fs';

export interface SystemTool {
  /** What a person calls it, in skip lines: "needs Ghostscript". */
  label: string;
  /** Where it may be, in order; the first that exists is used. */
  paths: readonly string[];
  /** The Debian/Ubuntu package to install for it. */
  package: string;
  /** Which tests need it, and for what. */
  neededBy: string;
}

const CUPS_CLIENT = 'the CUPS print-queue tests (cups-queue, e2e printer-cups) add, inspect, pause and print to real queues';

export const SYSTEM_TOOLS = {
  gs: {
    label: 'Ghostscript',
    paths: ['/usr/bin/gs'],
    package: 'ghostscript',
    neededBy:
      'makes the sample JPEG, PWG Raster and PDF files of the printer conversion tests (convert-*, pdf-guess, printer-agent), the ipptool suites and the CUPS print test, and renders converted PDFs to check their pixels',
  },
  sshd: {
    label: 'OpenSSH server (sshd)',
    paths: ['/usr/sbin/sshd'],
    package: 'openssh-server',
    neededBy: 'the SFTP tests (sftp-*, config-api, file-names, crash-recovery, ui-settings) deliver to a real sshd on 127.0.0.1',
  },
  'ssh-keygen': {
    label: 'ssh-keygen',
    paths: ['/usr/bin/ssh-keygen'],
    package: 'openssh-client',
    neededBy: "makes the SFTP tests' host and client keys and their fingerprints",
  },
  ps: {
    label: 'ps',
    paths: ['/usr/bin/ps', '/bin/ps'],
    package: 'procps',
    neededBy: "finds the SFTP test server's session processes, to kill them with it",
  },
  cupsd: {
    label: 'the CUPS scheduler (cupsd)',
    paths: ['/usr/sbin/cupsd'],
    package: 'cups',
    neededBy: 'the CUPS print-queue tests (cups-queue, e2e printer-cups) need a running scheduler',
  },
  lpadmin: { label: 'lpadmin', paths: ['/usr/sbin/lpadmin'], package: 'cups-client', neededBy: CUPS_CLIENT },
  lpstat: { label: 'lpstat', paths: ['/usr/bin/lpstat'], package: 'cups-client', neededBy: CUPS_CLIENT },
  lp: { label: 'lp', paths: ['/usr/bin/lp'], package: 'cups-client', neededBy: CUPS_CLIENT },
  lpoptions: { label: 'lpoptions', paths: ['/usr/bin/lpoptions'], package: 'cups-client', neededBy: CUPS_CLIENT },
  cupsenable: { label: 'cupsenable', paths: ['/usr/sbin/cupsenable'], package: 'cups-client', neededBy: CUPS_CLIENT },
  cupsdisable: { label: 'cupsdisable', paths: ['/usr/sbin/cupsdisable'], package: 'cups-client', neededBy: CUPS_CLIENT },
  cupsaccept: { label: 'cupsaccept', paths: ['/usr/sbin/cupsaccept'], package: 'cups-client', neededBy: CUPS_CLIENT },
  cupsreject: { label: 'cupsreject', paths: ['/usr/sbin/cupsreject'], package: 'cups-client', neededBy: CUPS_CLIENT },
  cancel: { label: 'cancel', paths: ['/usr/bin/cancel'], package: 'cups-client', neededBy: 'the printer benchmark (bench/) cancels what is left on its queue' },
  texttopdf: {
    label: 'the CUPS filters (texttopdf)',
    paths: ['/usr/lib/cups/filter/texttopdf'],
    package: 'cups-filters',
    neededBy: 'CUPS turns the text file and the PNG printed by the e2e printer-cups test into PDF',
  },
  ipptool: {
    label: 'ipptool',
    paths: ['/usr/bin/ipptool'],
    package: 'cups-ipp-utils',
    neededBy: "runs CUPS' IPP conformance suites (ipp-1.1, ipp-2.0, ipp-everywhere) against the virtual printer",
  },
  ippeveprinter: {
    label: 'ippeveprinter',
    paths: ['/usr/sbin/ippeveprinter'],
    package: 'cups-ipp-utils',
    neededBy: "CUPS' reference IPP Everywhere printer, the printer the cups-queue tests add queues for",
  },
  'dbus-daemon': {
    label: 'dbus-daemon',
    paths: ['/usr/bin/dbus-daemon'],
    package: 'dbus-daemon',
    neededBy: 'a private D-Bus, without which ippeveprinter does not start',
  },
  chromium: {
    label: 'Chromium',
    // RECAPITO_CHROMIUM points at another build of it.
    paths: process.env['RECAPITO_CHROMIUM'] ? [process.env['RECAPITO_CHROMIUM']] : ['/usr/bin/chromium'],
    package: 'chromium',
    neededBy: 'the browser tests (ui*, local-api-cross-origin) drive the local UI and web-page attacks in a real browser',
  },
  ip: {
    label: 'ip (iproute2)',
    paths: ['/usr/sbin/ip', '/usr/bin/ip', '/sbin/ip', '/bin/ip'],
    package: 'iproute2',
    neededBy: "the printer's refusal of other hosts is tested from a network namespace of its own (ipp-non-loopback)",
  },
  curl: {
    label: 'curl',
    paths: ['/usr/bin/curl'],
    package: 'curl',
    neededBy: 'sends the printer requests from inside and outside the network namespace (ipp-non-loopback)',
  },
  mkfifo: {
    label: 'mkfifo',
    paths: ['/usr/bin/mkfifo', '/bin/mkfifo'],
    package: 'coreutils',
    neededBy: 'the capture-race and post-action tests put a FIFO where a file was',
  },
  cp: {
    label: 'cp',
    paths: ['/usr/bin/cp', '/bin/cp'],
    package: 'coreutils',
    neededBy: 'a slow copy from a FIFO into a watched folder (writer-done)',
  },
  sleep: {
    label: 'sleep',
    paths: ['/usr/bin/sleep', '/bin/sleep'],
    package: 'coreutils',
    neededBy: "a program that hangs, for the CUPS command runner's timeout test (os-queue-cups)",
  },
  sh: {
    label: 'sh',
    paths: ['/bin/sh', '/usr/bin/sh'],
    package: 'dash',
    neededBy: 'checks that the printed manual commands survive a real shell (os-queue-cups)',
  },
  openssl: {
    label: 'OpenSSL',
    paths: ['/usr/bin/openssl'],
    package: 'openssl',
    neededBy: 'checks that the test signed-invoice envelopes (.p7m) are real CMS (p7m)',
  },
  setpriv: {
    label: 'setpriv',
    paths: ['/usr/bin/setpriv'],
    package: 'util-linux',
    neededBy: 'runs the real lpadmin as user nobody, for the "lpadmin: Forbidden" test (cups-queue)',
  },
} as const satisfies Record<string, SystemTool>;

export type ToolName = keyof typeof SYSTEM_TOOLS;

/**
 * What the benchmark runs against the agent (`npm run bench`, bench/lib/peers.ts): the tools a user
 * would pick instead. Not test tools: `npm test` never installs them and .ci/system-packages.txt does
 * not list them; `node scripts/install-test-tools.ts --bench` installs them the same way.
 */
export const BENCH_PEERS = {
  rclone: {
    label: 'rclone',
    paths: ['/usr/bin/rclone'],
    package: 'rclone',
    neededBy: 'the SFTP part of the benchmark copies the same 1,000 invoices to the same sshd with `rclone copy`',
  },
  'cups-pdf': {
    label: 'cups-pdf (the CUPS PDF printer backend)',
    paths: ['/usr/lib/cups/backend/cups-pdf'],
    package: 'printer-driver-cups-pdf',
    neededBy: 'the printer part of the benchmark prints the same PDF with `lp` to a cups-pdf queue',
  },
} as const satisfies Record<string, SystemTool>;

export type BenchPeerName = keyof typeof BENCH_PEERS;

export const BENCH_PEER_NAMES = Object.keys(BENCH_PEERS) as BenchPeerName[];

/** The benchmark peers that are missing (RECAPITO_PRETEND_MISSING works for them too). */
export function missingBenchPeers(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): BenchPeerName[] {
  const names = (env['RECAPITO_PRETEND_MISSING'] ?? '').split(',').map((name) => name.trim());
  return BENCH_PEER_NAMES.filter(
    (peer) => names.includes(peer) || names.includes(BENCH_PEERS[peer].package) || !BENCH_PEERS[peer].paths.some((path) => exists(path)),
  );
}

export const TOOL_NAMES = Object.keys(SYSTEM_TOOLS) as ToolName[];

/** Every package, once, in the order of the list. */
export const ALL_PACKAGES: readonly string[] = [...new Set(TOOL_NAMES.map((name) => SYSTEM_TOOLS[name].package))];

/** RECAPITO_PRETEND_MISSING as a set of tool names (a package name stands for all of its tools). */
export function pretendMissing(env: NodeJS.ProcessEnv = process.env): Set<ToolName> {
  const names = (env['RECAPITO_PRETEND_MISSING'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return new Set(TOOL_NAMES.filter((tool) => names.includes(tool) || names.includes(SYSTEM_TOOLS[tool].package)));
}

/** Where the tool is, or null when it is missing (or pretended missing). */
export function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string | null {
  if (pretendMissing(env).has(name)) return null;
  return SYSTEM_TOOLS[name].paths.find((path) => exists(path)) ?? null;
}

export function missingTools(names: readonly ToolName[] = TOOL_NAMES, env: NodeJS.ProcessEnv = process.env, exists?: (path: string) => boolean): ToolName[] {
  return names.filter((name) => findTool(name, env, exists) === null);
}

/** The packages that bring these tools, once each. */
export function packagesFor(names: readonly ToolName[]): string[] {
  return [...new Set(names.map((name) => SYSTEM_TOOLS[name].package))];
}

/** What a person types: `sudo apt-get install ghostscript` (no sudo for root). */
export function installCommand(packages: readonly string[], asRoot = process.getuid?.() === 0, options: { unattended?: boolean } = {}): string {
  const flags = options.unattended ? '-y --no-install-recommends ' : '';
  return `${asRoot ? '' : 'sudo '}apt-get install ${flags}${packages.join(' ')}`;
}

export interface InstallPlanInput {
  missing: readonly ToolName[];
  /** apt-get is there (Debian, Ubuntu and their kin). */
  hasApt: boolean;
  root: boolean;
  /** `sudo -n true` succeeds: sudo without a password. */
  passwordlessSudo: boolean;
  /** RECAPITO_NO_INSTALL is set. */
  optedOut: boolean;
}

export type InstallPlan =
  { kind: 'nothing' } | { kind: 'install'; packages: string[]; commands: string[][] } | { kind: 'cannot'; packages: string[]; why: string; command: string };

/** What `npm test` does about missing tools: nothing, install them, or say how to. */
export function planInstall(input: InstallPlanInput): InstallPlan {
  return planPackageInstall(packagesFor(input.missing), input);
}

/** The same for a list of packages (the benchmark's peers). */
export function planPackageInstall(packages: string[], input: Omit<InstallPlanInput, 'missing'>): InstallPlan {
  if (packages.length === 0) return { kind: 'nothing' };
  const command = installCommand(packages, input.root, { unattended: true });
  if (input.optedOut) return { kind: 'cannot', packages, why: 'RECAPITO_NO_INSTALL is set', command };
  if (!input.hasApt) return { kind: 'cannot', packages, why: 'this is not a Debian/Ubuntu system with apt-get (install the equivalent packages)', command };
  if (!input.root && !input.passwordlessSudo) return { kind: 'cannot', packages, why: 'not root, and sudo asks for a password', command };
  const sudo = input.root ? [] : ['sudo', '-n'];
  return {
    kind: 'install',
    packages,
    commands: [
      [...sudo, 'apt-get', 'update', '-qq'],
      [...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages],
    ],
  };
}
