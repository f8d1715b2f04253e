// The peers' table (issue 16): the agent beside rclone (SFTP) and cups-pdf (printer), each ratio from
// numbers of the same run. A ratio above 1 means the agent is faster.
import type { CupsPdfPeer, RclonePeer, RcloneRun } from './peers.ts';

export interface SftpPeersReport {
  rclone: RclonePeer;
  agent: { backlogDocsPerSecond: number | null; droppedDocsPerSecond: number | null };
  /** Agent ÷ rclone's best, files/s over files/s; null when one side was not measured. */
  ratios: { backlogToRcloneBest: number | null; droppedToRcloneBest: number | null };
}

export function buildSftpPeersReport(rclone: RclonePeer, agent: SftpPeersReport['agent']): SftpPeersReport {
  const best = rclone.measured ? rclone.best.filesPerSecond : null;
  const over = (value: number | null): number | null => (value === null || best === null || best <= 0 ? null : value / best);
  return { rclone, agent, ratios: { backlogToRcloneBest: over(agent.backlogDocsPerSecond), droppedToRcloneBest: over(agent.droppedDocsPerSecond) } };
}

export function formatSftpPeersReport(report: SftpPeersReport): string {
  const lines = ['', 'Peers, SFTP: the same invoices, the same sshd and folder (in/ of a fresh sandbox hub), this run', ''];
  const { rclone, agent, ratios } = report;
  if (!rclone.measured) {
    lines.push(`  rclone: NOT MEASURED (${rclone.reason})`);
    return lines.join('\n');
  }
  lines.push(`  ${rclone.version}`);
  for (const run of rclone.runs) lines.push(`  ${runLine(run)}`);
  lines.push(
    '',
    `  agent, queued backlog → on the server  ${rate(agent.backlogDocsPerSecond)}   ÷ rclone best (${rclone.best.label}, ${rate(rclone.best.filesPerSecond)}) = ${ratio(ratios.backlogToRcloneBest)}`,
    `  agent, dropped → on the server         ${rate(agent.droppedDocsPerSecond)}   ÷ rclone best = ${ratio(ratios.droppedToRcloneBest)}`,
  );
  return lines.join('\n');
}

export interface PrinterPeersReport {
  /** The counted run: the lower p50 of the complete ones (noise only ever slows a run down). */
  cupsPdf: CupsPdfPeer;
  /** Every cups-pdf run, in order: one before the agent's part and one after it. */
  cupsPdfRuns: CupsPdfPeer[];
  /** The agent's lp → recorded p50 from the printer part of this run. */
  agentLpToRecordedP50Ms: number | null;
  /** cups-pdf's p50 ÷ the agent's: how many times faster the agent is. */
  cupsPdfOverAgent: number | null;
}

export function buildPrinterPeersReport(runs: CupsPdfPeer[], agentP50: number | null): PrinterPeersReport {
  const complete = runs.filter((run) => run.measured && run.incompleteReason === null && run.latencyMs.p50 !== null);
  const p50 = (run: CupsPdfPeer): number => (run.measured ? (run.latencyMs.p50 ?? Infinity) : Infinity);
  const cupsPdf = complete.reduce<CupsPdfPeer | undefined>((a, b) => (a === undefined || p50(b) < p50(a) ? b : a), undefined) ??
    runs.find((run) => run.measured) ??
    runs[0] ?? { measured: false, reason: 'not run' };
  const peerP50 = cupsPdf.measured ? cupsPdf.latencyMs.p50 : null;
  return {
    cupsPdf,
    cupsPdfRuns: runs,
    agentLpToRecordedP50Ms: agentP50,
    cupsPdfOverAgent: peerP50 === null || agentP50 === null || agentP50 <= 0 ? null : peerP50 / agentP50,
  };
}

export function formatPrinterPeersReport(report: PrinterPeersReport): string {
  const lines = ['', 'Peers, printer: the same PDFs with lp, one job at a time, this run', ''];
  const { cupsPdf } = report;
  if (!cupsPdf.measured) {
    lines.push(`  cups-pdf: NOT MEASURED (${cupsPdf.reason})`);
    return lines.join('\n');
  }
  if (report.cupsPdfRuns.length > 1) {
    const each = report.cupsPdfRuns.map(
      (run, index) => `${index === 0 ? 'before' : 'after'} the agent ${run.measured ? ms(run.latencyMs.p50) : 'not measured'}`,
    );
    lines.push(`  cups-pdf runs, p50: ${each.join(', ')}; the faster counts`);
  }
  lines.push(
    `  cups-pdf (${cupsPdf.deviceUri}): lp → PDF written p50 ${ms(cupsPdf.latencyMs.p50)}, p95 ${ms(cupsPdf.latencyMs.p95)}, max ${ms(cupsPdf.latencyMs.max)} (${cupsPdf.written}/${cupsPdf.jobs} jobs${cupsPdf.incompleteReason ? `; ${cupsPdf.incompleteReason}` : ''})`,
    `  agent: lp → recorded p50 ${ms(report.agentLpToRecordedP50Ms)}`,
    `  cups-pdf ÷ agent: ${ratio(report.cupsPdfOverAgent)} (above 1: the agent is faster)`,
  );
  return lines.join('\n');
}

function runLine(run: RcloneRun): string {
  const outcome =
    run.exitCode === 0 ? `${rate(run.filesPerSecond)}, ${run.files} files in ${(run.elapsedMs / 1000).toFixed(2)} s` : `FAILED (exit code ${run.exitCode})`;
  return `rclone ${run.label.padEnd(40)} ${outcome}; the hub stored ${run.hubStored}/${run.files}`;
}

function rate(value: number | null): string {
  return value === null ? 'n/a' : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} files/s`;
}

function ratio(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(2)}×`;
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${Math.round(value)} ms`;
}
