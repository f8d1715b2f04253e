// One agent per data folder: two would lease the same jobs and move the same files. The lock is a
// pid file; a lock left by a process that no longer runs (a crash, kill -9) is taken over.
import { readFileSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentError } from '../agent-error.ts';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Locks held by this process: a second agent in the same process is refused too. */
const heldHere = new Set<string>();

export class InstanceLock {
  private readonly file: string;
  private held = false;

  constructor(file: string) {
    this.file = file;
  }

  acquire(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    if (heldHere.has(this.file)) {
      throw new AgentError('already_running', `another Recapito agent in this process is using ${dirname(this.file)}`, 409);
    }
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        writeFileSync(this.file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
        this.held = true;
        heldHere.add(this.file);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number.parseInt(readFileSync(this.file, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isRunning(owner)) {
        throw new AgentError('already_running', `another Recapito agent (pid ${owner}) is using ${dirname(this.file)}; stop it first`, 409);
      }
      unlinkSync(this.file); // stale: its process is gone
    }
    throw new AgentError('lock_failed', `cannot lock ${this.file}`, 500);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    heldHere.delete(this.file);
    try {
      unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}
