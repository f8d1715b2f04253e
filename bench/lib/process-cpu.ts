// CPU time of a process, and of its main thread alone, from /proc/<pid>/stat and
// /proc/<pid>/task/<pid>/stat (Linux). The agent's JavaScript, its SQLite calls and their fsyncs run
// on the main thread: a main thread busy close to 100% of the wall time is the agent's ceiling.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface CpuShare {
  /** CPU seconds over wall seconds: 1.0 is one core fully busy. Null where /proc is missing. */
  process: number | null;
  mainThread: number | null;
  wallMs: number;
}

let ticksPerSecond: number | null = null;

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat times. */
export function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // the Linux default on every common architecture
    }
  }
  return ticksPerSecond;
}

/** utime + stime in seconds, or null. */
export function cpuSeconds(statFile: string): number | null {
  let stat: string;
  try {
    stat = readFileSync(statFile, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / clockTicks() : null;
}

/** Starts measuring now; `stop()` gives the shares over the time in between. */
export function startCpuMeter(pid: number): { stop(): CpuShare } {
  const processFile = `/proc/${pid}/stat`;
  const threadFile = `/proc/${pid}/task/${pid}/stat`;
  const started = performance.now();
  const processStart = cpuSeconds(processFile);
  const threadStart = cpuSeconds(threadFile);
  return {
    stop() {
      const wallMs = performance.now() - started;
      const share = (start: number | null, end: number | null): number | null =>
        start === null || end === null || wallMs <= 0 ? null : (end - start) / (wallMs / 1000);
      return { process: share(processStart, cpuSeconds(processFile)), mainThread: share(threadStart, cpuSeconds(threadFile)), wallMs };
    },
  };
}

/** The same for this process, from process.cpuUsage (portable). */
export function startOwnCpuMeter(): { stop(): number } {
  const started = performance.now();
  const start = process.cpuUsage();
  return {
    stop() {
      const used = process.cpuUsage(start);
      const wallMs = performance.now() - started;
      return (used.user + used.system) / 1000 / Math.max(wallMs, 1);
    },
  };
}

/** Busy CPU seconds of the whole machine since boot (all cores), from /proc/stat. */
function machineBusySeconds(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / clockTicks();
}

/**
 * How many cores processes other than this benchmark and its children kept busy over a phase:
 * the noise on a shared machine (0 = quiet). Null where /proc is missing.
 */
export function startNoiseMeter(childPids: readonly number[]): { stop(): number | null } {
  const ours = (): number | null => {
    const parts = [cpuSeconds('/proc/self/stat'), ...childPids.map((pid) => cpuSeconds(`/proc/${pid}/stat`))];
    return parts.some((part) => part === null) ? null : parts.reduce<number>((sum, part) => sum + (part as number), 0);
  };
  const started = performance.now();
  const machineStart = machineBusySeconds();
  const oursStart = ours();
  return {
    stop() {
      const machineEnd = machineBusySeconds();
      const oursEnd = ours();
      const wallSeconds = (performance.now() - started) / 1000;
      if (machineStart === null || machineEnd === null || oursStart === null || oursEnd === null || wallSeconds <= 0) return null;
      return Math.max(0, (machineEnd - machineStart - (oursEnd - oursStart)) / wallSeconds);
    },
  };
}
