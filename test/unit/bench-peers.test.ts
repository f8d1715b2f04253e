// The benchmark's peers (issue 16): the registry the installer reads, and the ratios of the peers' table.
import { describe, expect, it } from 'vitest';
import { buildPrinterPeersReport, buildSftpPeersReport, formatPrinterPeersReport, formatSftpPeersReport } from '../../bench/lib/peers-report.ts';
import { summarizeRclone, type RcloneRun } from '../../bench/lib/peers.ts';
import { ALL_PACKAGES, BENCH_PEERS, missingBenchPeers, planPackageInstall } from '../helpers/system-tools-data.ts';

const noEnv = {} as NodeJS.ProcessEnv;

describe('benchmark peers registry', () => {
  it('lists rclone and cups-pdf from Debian, never among the test packages npm test installs', () => {
    expect(BENCH_PEERS.rclone.package).toBe('rclone');
    expect(BENCH_PEERS['cups-pdf'].package).toBe('printer-driver-cups-pdf');
    for (const peer of Object.values(BENCH_PEERS)) expect(ALL_PACKAGES).not.toContain(peer.package);
  });

  it('finds a peer missing by its paths, or when pretended missing by tool or package name', () => {
    expect(missingBenchPeers(noEnv, () => false)).toEqual(['rclone', 'cups-pdf']);
    expect(missingBenchPeers(noEnv, () => true)).toEqual([]);
    expect(missingBenchPeers({ RECAPITO_PRETEND_MISSING: 'printer-driver-cups-pdf' }, () => true)).toEqual(['cups-pdf']);
    expect(missingBenchPeers({ RECAPITO_PRETEND_MISSING: 'rclone' }, () => true)).toEqual(['rclone']);
  });

  it('plans the apt install like the test tools, or says why it cannot', () => {
    const base = { hasApt: true, root: true, passwordlessSudo: false, optedOut: false };
    expect(planPackageInstall(['rclone'], base)).toEqual({
      kind: 'install',
      packages: ['rclone'],
      commands: [
        ['apt-get', 'update', '-qq'],
        ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'rclone'],
      ],
    });
    expect(planPackageInstall(['rclone'], { ...base, root: false })).toMatchObject({ kind: 'cannot', why: expect.stringContaining('not root') });
    expect(planPackageInstall(['rclone'], { ...base, hasApt: false })).toMatchObject({ kind: 'cannot', why: expect.stringContaining('apt-get') });
    expect(planPackageInstall([], base)).toEqual({ kind: 'nothing' });
  });
});

describe('peers table', () => {
  const run = (label: string, filesPerSecond: number, flags: string[]): RcloneRun => ({
    label,
    flags,
    files: 1000,
    elapsedMs: 1000,
    filesPerSecond,
    exitCode: 0,
    error: null,
    hubStored: 1000,
    hubStoredAfterMs: 2000,
    hubNotStored: 0,
  });

  it('divides the agent by rclone at its best, and marks rclone not measured without numbers', () => {
    const best = run('hash check off, 4 transfers', 500, ['--sftp-disable-hashcheck', '--transfers', '4']);
    const defaults = run('defaults', 5, []);
    const report = buildSftpPeersReport(
      { measured: true, version: 'rclone v1.60', runs: [best, defaults], best, defaults, command: 'rclone copy' },
      { backlogDocsPerSecond: 1000, droppedDocsPerSecond: 250 },
    );
    expect(report.ratios).toEqual({ backlogToRcloneBest: 2, droppedToRcloneBest: 0.5 });
    expect(formatSftpPeersReport(report)).toContain('= 2.00×');

    const missing = buildSftpPeersReport({ measured: false, reason: 'rclone is not installed' }, { backlogDocsPerSecond: 1000, droppedDocsPerSecond: 250 });
    expect(missing.ratios).toEqual({ backlogToRcloneBest: null, droppedToRcloneBest: null });
    expect(formatSftpPeersReport(missing)).toContain('NOT MEASURED (rclone is not installed)');
  });

  it("counts rclone's fastest run over all the files, its defaults included, never a shorter one", () => {
    const runs = [
      run('hash check off, 4 transfers', 400, ['--sftp-disable-hashcheck', '--transfers', '4']),
      run('defaults', 600, []),
      { ...run('defaults, first 100 files', 900, []), files: 100 },
      { ...run('hash check off, 16 transfers', 0, ['--transfers', '16']), exitCode: 1, error: 'broken' },
    ];
    const summary = summarizeRclone('rclone v1.60', runs.slice(0, 2));
    expect(summary.measured && summary.best.label).toBe('defaults');
    const withSubset = summarizeRclone('rclone v1.60', [runs[0] as RcloneRun, runs[2] as RcloneRun]);
    expect(withSubset.measured && withSubset.best.label).toBe('hash check off, 4 transfers');
    expect(summarizeRclone('rclone v1.60', [runs[3] as RcloneRun])).toEqual({ measured: false, reason: 'every rclone run failed: broken' });
  });

  it("gives cups-pdf's faster complete run's p50 over the agent's", () => {
    const peer = (p50: number, incompleteReason: string | null = null) => ({
      measured: true as const,
      queue: 'q',
      deviceUri: 'cups-pdf:/x',
      outDir: '/o',
      jobs: 3,
      written: 3,
      latencyMs: { count: 3, p50, p95: p50 + 30, max: p50 + 40 },
      firstJobMs: p50 + 40,
      outputBytes: 900,
      incompleteReason,
    });
    const measured = buildPrinterPeersReport([peer(360), peer(270), peer(100, 'job 2 wrote no PDF')], 90);
    expect(measured.cupsPdfOverAgent).toBe(3);
    expect(measured.cupsPdfRuns).toHaveLength(3);
    expect(formatPrinterPeersReport(measured)).toContain('3.00×');
    const missing = buildPrinterPeersReport([{ measured: false, reason: 'no apt' }], 90);
    expect(missing.cupsPdfOverAgent).toBeNull();
    expect(formatPrinterPeersReport(missing)).toContain('NOT MEASURED (no apt)');
  });
});
