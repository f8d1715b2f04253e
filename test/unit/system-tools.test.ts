// The one list of system tools (test/helpers/system-tools-data.ts): CI's package list says the same,
// no test runs a listed tool behind its back, the installer's plan, and what a missing tool looks like.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_PACKAGES, findTool, missingTools, planInstall, pretendMissing, SYSTEM_TOOLS, TOOL_NAMES } from '../helpers/system-tools-data.ts';
import { needs, requires } from '../helpers/system-tools.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const sudo = process.getuid?.() === 0 ? '' : 'sudo ';

function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name))
    .map((entry) => relative(REPO, join(entry.parentPath, entry.name)));
}

describe('the system tool list', () => {
  it('names absolute paths, a package and what needs it for every tool', () => {
    for (const name of TOOL_NAMES) {
      const tool = SYSTEM_TOOLS[name];
      expect(tool.paths.length, name).toBeGreaterThan(0);
      for (const path of tool.paths) expect(path, name).toMatch(/^\//);
      expect(tool.package, name).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
      expect(tool.label, name).not.toBe('');
      expect(tool.neededBy, name).not.toBe('');
    }
  });

  it('is what .ci/system-packages.txt lists, package for package', () => {
    const listed = readFileSync(join(REPO, '.ci/system-packages.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(listed).toEqual([...ALL_PACKAGES]);
  });

  it('is the only way tests and scripts run a listed tool (no bare name, no path of its own)', () => {
    const names = new Set<string>(TOOL_NAMES);
    const paths = new Set<string>(TOOL_NAMES.flatMap((name) => [...SYSTEM_TOOLS[name].paths]));
    const spawnWithLiteral = /\b(?:spawn|spawnSync|execFile|execFileSync|execFileAsync|run|sh|defaultCommandRunner)\(\s*(['"`])([^'"`$]+)\1/g;
    const offences: string[] = [];
    for (const file of [...sources('test'), ...sources('scripts'), ...sources('bench')]) {
      if (file.endsWith('system-tools-data.ts') || file.endsWith('system-tools.test.ts')) continue;
      const lines = readFileSync(join(REPO, file), 'utf8').split('\n');
      lines.forEach((line, index) => {
        for (const match of line.matchAll(spawnWithLiteral)) {
          const command = match[2]!;
          // A listed tool by name or by a path of its own (a made-up /nonexistent/ path is fine).
          const tool = command.startsWith('/nonexistent/') ? '' : command.split('/').pop()!;
          if (names.has(tool)) offences.push(`${file}:${index + 1}: runs "${command}" directly`);
        }
        for (const match of line.matchAll(/(['"`])(\/[^'"`\s]+)\1/g)) {
          if (paths.has(match[2]!)) offences.push(`${file}:${index + 1}: names ${match[2]} itself`);
        }
      });
    }
    expect(offences, 'use needs(…) from test/helpers/system-tools.ts and its .path(…)').toEqual([]);
  });
});

describe('what is missing', () => {
  const saved = process.env['RECAPITO_PRETEND_MISSING'];
  afterEach(() => {
    if (saved === undefined) delete process.env['RECAPITO_PRETEND_MISSING'];
    else process.env['RECAPITO_PRETEND_MISSING'] = saved;
  });

  it('RECAPITO_PRETEND_MISSING takes tool and package names', () => {
    const env = { RECAPITO_PRETEND_MISSING: 'gs, chromium,cups-client' };
    expect([...pretendMissing(env)].sort()).toEqual([
      'cancel',
      'chromium',
      'cupsaccept',
      'cupsdisable',
      'cupsenable',
      'cupsreject',
      'gs',
      'lp',
      'lpadmin',
      'lpoptions',
      'lpstat',
    ]);
    expect(findTool('gs', env, () => true)).toBeNull();
    expect(findTool('sshd', env, () => true)).toBe('/usr/sbin/sshd');
    expect(missingTools(TOOL_NAMES, { RECAPITO_PRETEND_MISSING: 'gs,chromium' }, () => true)).toEqual(['gs', 'chromium']);
  });

  it('takes the first path that exists, and none when none does', () => {
    expect(findTool('ip', {}, (path) => path === '/bin/ip')).toBe('/bin/ip');
    expect(findTool('ip', {}, () => false)).toBeNull();
  });

  it('a missing tool makes a requirement whose skip line gives the install command', () => {
    process.env['RECAPITO_PRETEND_MISSING'] = 'gs,ipptool';
    const tools = needs('ipptool', 'gs', 'sh');
    expect(tools.ok).toBe(false);
    expect(tools.reason).toBe(`SKIPPED (needs ipptool, Ghostscript): ${sudo}apt-get install cups-ipp-utils ghostscript`);
    expect(tools.packages).toEqual(['cups-ipp-utils', 'ghostscript']);
    expect(tools.path('sh')).toMatch(/\/sh$/);
    expect(() => tools.path('gs')).toThrow(/SKIPPED \(needs ipptool, Ghostscript\)/);
    const both = tools.and(requires(false, 'needs root: a network namespace', 'run the tests as root'));
    expect(both.reason).toBe(
      `SKIPPED (needs ipptool, Ghostscript; needs root: a network namespace): ${sudo}apt-get install cups-ipp-utils ghostscript; run the tests as root`,
    );
    expect(needs('sh').and(requires(true, 'x', 'y')).ok).toBe(true);
  });
});

describe('the installer run by npm test', () => {
  const base = { missing: ['gs', 'chromium'] as const, hasApt: true, root: true, passwordlessSudo: false, optedOut: false };

  it('does nothing when nothing is missing', () => {
    expect(planInstall({ ...base, missing: [] })).toEqual({ kind: 'nothing' });
  });

  it('as root: apt-get update, then a non-interactive install of exactly the missing packages', () => {
    expect(planInstall(base)).toEqual({
      kind: 'install',
      packages: ['ghostscript', 'chromium'],
      commands: [
        ['apt-get', 'update', '-qq'],
        ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'ghostscript', 'chromium'],
      ],
    });
  });

  it('with passwordless sudo: the same through sudo -n; one package for several of its tools', () => {
    const plan = planInstall({ ...base, missing: ['lp', 'lpstat', 'lpadmin'], root: false, passwordlessSudo: true });
    expect(plan).toEqual({
      kind: 'install',
      packages: ['cups-client'],
      commands: [
        ['sudo', '-n', 'apt-get', 'update', '-qq'],
        ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'cups-client'],
      ],
    });
  });

  it('otherwise says why not and the exact command, once', () => {
    const command = 'sudo apt-get install -y --no-install-recommends ghostscript chromium';
    expect(planInstall({ ...base, root: false })).toEqual({
      kind: 'cannot',
      packages: ['ghostscript', 'chromium'],
      why: 'not root, and sudo asks for a password',
      command,
    });
    expect(planInstall({ ...base, hasApt: false })).toMatchObject({ kind: 'cannot', why: expect.stringContaining('not a Debian/Ubuntu system') });
    expect(planInstall({ ...base, optedOut: true })).toMatchObject({
      kind: 'cannot',
      why: 'RECAPITO_NO_INSTALL is set',
      command: 'apt-get install -y --no-install-recommends ghostscript chromium',
    });
  });
});
