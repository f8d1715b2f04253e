// Memory of a process as Linux reports it in /proc/<pid>/status: VmHWM is the peak resident set
// (the high-water mark the kernel keeps for the process's whole life), VmRSS the current one.
// Elsewhere (no /proc) the figures are null and the report says "not measured".
import { readFileSync } from 'node:fs';

export interface ProcessMemory {
  rssBytes: number | null;
  peakRssBytes: number | null;
}

export function readProcessMemory(pid: number): ProcessMemory {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssBytes: null, peakRssBytes: null };
  }
  return { rssBytes: kilobytesField(status, 'VmRSS'), peakRssBytes: kilobytesField(status, 'VmHWM') };
}

function kilobytesField(status: string, field: string): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/**
 * Samples VmRSS every `intervalMs`: a second opinion next to VmHWM, and the only figure where the
 * kernel keeps no high-water mark. `stop()` returns the highest sample and the kernel's peak.
 */
export function sampleMemory(pid: number, intervalMs = 100): { stop(): ProcessMemory & { samples: number } } {
  let highest: number | null = null;
  let samples = 0;
  const take = (): ProcessMemory => {
    const memory = readProcessMemory(pid);
    if (memory.rssBytes !== null) {
      samples += 1;
      highest = Math.max(highest ?? 0, memory.rssBytes);
    }
    return memory;
  };
  const timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const last = take();
      return { rssBytes: highest, peakRssBytes: last.peakRssBytes ?? highest, samples };
    },
  };
}
