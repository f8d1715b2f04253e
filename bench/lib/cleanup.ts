// What a benchmark run must undo however it ends: child processes and temp folders. Undo steps run
// newest first, once, on success, on failure and on Ctrl-C, so a run never leaves anything behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Undo = () => Promise<void> | void;

export class Cleanup {
  readonly #steps: { what: string; undo: Undo }[] = [];
  #running: Promise<void> | null = null;

  /** Registers an undo step; returns a function that runs it early (and only once). */
  add(what: string, undo: Undo): () => Promise<void> {
    const step = { what, undo };
    this.#steps.push(step);
    return async () => {
      const index = this.#steps.indexOf(step);
      if (index === -1) return;
      this.#steps.splice(index, 1);
      await runStep(step);
    };
  }

  /** A fresh folder under the OS temp dir, removed at the end. */
  async tempDir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true, maxRetries: 3 }));
    return dir;
  }

  runAll(): Promise<void> {
    this.#running ??= (async () => {
      while (this.#steps.length > 0) await runStep(this.#steps.pop() as { what: string; undo: Undo });
    })();
    return this.#running;
  }

  /** Ctrl-C or a kill: undo everything, then exit with the conventional code. */
  onSignals(): void {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        console.error(`\nbench: ${signal} received; stopping child processes and removing temp folders`);
        // runAll never rejects: runStep reports a failed step and goes on.
        void this.runAll().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
      });
    }
  }
}

async function runStep(step: { what: string; undo: Undo }): Promise<void> {
  try {
    await step.undo();
  } catch (error) {
    console.error(`bench: cleanup step "${step.what}" failed: ${(error as Error).message}`);
  }
}
