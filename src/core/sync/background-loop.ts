// A long-lived loop with an abortable, wakeable sleep: what the account monitor, the status
// follower and the retention purge each run. start() is idempotent; stop() aborts and waits.
import { WakeableSleep } from './wakeable-sleep.ts';
import { systemClock, type Clock } from '../util/clock.ts';

export class BackgroundLoop {
  /** Sleeps on the loop's clock (the system clock unless the constructor is given another). */
  readonly sleeper: WakeableSleep;
  private readonly body: (signal: AbortSignal) => Promise<void>;
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(body: (signal: AbortSignal) => Promise<void>, clock: Clock = systemClock) {
    this.body = body;
    this.sleeper = new WakeableSleep(clock);
  }

  start(): void {
    if (this.loop) return;
    this.controller = new AbortController();
    this.loop = this.body(this.controller.signal);
  }

  async stop(): Promise<void> {
    this.controller?.abort(new Error('agent stopping'));
    this.sleeper.wake();
    await this.loop;
    this.loop = null;
  }

  wake(): void {
    this.sleeper.wake();
  }
}
