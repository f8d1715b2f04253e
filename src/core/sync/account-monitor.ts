// Polls the hub's account (over HTTPS, GET /v1/account: credits and key expiry; over SFTP, whether
// in/ and out/ can be used), and releases a hub hold as soon as the account is usable again
// (credits bought, key renewed, folder fixed) — quickly while held, slowly otherwise. While the hub
// is down (the shared HubAvailability) it leaves the asking to the one probe, and its interval is
// jittered (±10%) so that many agents started together do not poll together.
import type { HubClient } from '../hub/hub-client.ts';
import { isHubRequestError } from '../hub/hub-client.ts';
import type { HoldController } from './hold.ts';
import type { HubHealth } from './hub-health.ts';
import type { HubAvailability } from './hub-availability.ts';
import type { Logger } from '../log/logger.ts';
import { BackgroundLoop } from './background-loop.ts';
import { systemClock, type Clock } from '../util/clock.ts';

export interface AccountMonitorOptions {
  hub: () => HubClient;
  hold: HoldController;
  health: HubHealth;
  log: Logger;
  intervalMs: number;
  whileHeldIntervalMs: number;
  availability?: HubAvailability;
  clock?: Clock;
  /** In [0, 1): the interval's jitter (default: Math.random). */
  random?: () => number;
}

export class AccountMonitor {
  private readonly options: AccountMonitorOptions;
  private readonly loop: BackgroundLoop;

  constructor(options: AccountMonitorOptions) {
    this.options = options;
    this.loop = new BackgroundLoop((signal) => this.run(signal), options.clock ?? systemClock);
    options.hold.onChange(() => this.loop.wake());
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Checks now (e.g. after the user entered a new key). */
  checkNow(): void {
    this.loop.wake();
  }

  async check(signal?: AbortSignal): Promise<void> {
    const { hub, hold, health, log } = this.options;
    try {
      const account = await hub().account(signal);
      health.contact();
      this.options.availability?.reportSuccess();
      health.account(account.credits.remaining, account.key.expiresAt);
      const held = hold.hubHold();
      if (held?.code === 'auth') hold.clear('the hub accepts the credentials again');
      if (held?.code === 'host_key') hold.clear('the server presents the pinned host key again');
      if (held?.code === 'permissions') hold.clear("the hub's folders are usable again");
      const remaining = account.credits.remaining;
      if (held?.code === 'credits' && (remaining === null || remaining > 0))
        hold.clear(`credits available again${remaining === null ? '' : ` (${remaining})`}`);
    } catch (error) {
      if (signal?.aborted) return;
      // An outage is logged once, by the shared state, which now probes alone.
      if (this.options.availability?.reportFailure(error)) return;
      if (isHubRequestError(error)) {
        const current = hold.hubHold();
        if ((error.kind === 'auth' || error.kind === 'host_key' || error.kind === 'permissions') && current?.code !== error.kind)
          hold.enter(error.kind, error.message);
        if (error.status === null && error.kind === 'transient') health.unreachable(error.message);
      }
      log.warn('account check failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { availability } = this.options;
    const random = this.options.random ?? Math.random;
    while (!signal.aborted) {
      if (availability?.isDown()) {
        await availability.waitUntilUp(signal);
        // The probe that found the hub was an account call: the next check can wait its turn
        // (drawn within the interval, so that a fleet coming back does not ask all at once; a hold
        // or new credentials wake it sooner).
        await this.loop.sleeper.sleep(Math.round(this.options.intervalMs * random()), signal);
        continue;
      }
      await this.check(signal);
      if (availability?.isDown()) continue;
      const interval = this.options.hold.hubHold() ? this.options.whileHeldIntervalMs : this.options.intervalMs;
      await this.loop.sleeper.sleep(Math.round(interval * (0.9 + 0.2 * random())), signal);
    }
  }
}
