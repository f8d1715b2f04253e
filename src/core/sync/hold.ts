// The queue-wide hold: paused by a person, or stopped by the hub (key invalid, no credits, the hub
// unreachable: hub-availability.ts). While held, waiting documents show `held` with the reason; when
// it clears they go back to `queued`.
import type { Store } from '../store/store.ts';

export type HoldCode = 'paused' | 'auth' | 'credits' | 'host_key' | 'permissions' | 'unreachable';

export interface HoldState {
  code: HoldCode;
  reason: string;
  since: string;
}

const PAUSED_KEY = 'queue.paused';
const HOLD_KEY = 'queue.hold';

export class HoldController {
  private readonly store: Store;
  private readonly listeners = new Set<() => void>();

  constructor(store: Store) {
    this.store = store;
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  paused(): boolean {
    return this.store.kv.get<boolean>(PAUSED_KEY) === true;
  }

  /** The hub-imposed hold, if any. */
  hubHold(): HoldState | null {
    return this.store.kv.get<HoldState>(HOLD_KEY);
  }

  /** What stops sending now: a person's pause wins over a hub hold in what is shown. */
  current(): HoldState | null {
    if (this.paused())
      return this.store.kv.get<HoldState>(`${PAUSED_KEY}.state`) ?? { code: 'paused', reason: 'sending paused', since: new Date().toISOString() };
    return this.hubHold();
  }

  pause(by = 'the user'): void {
    const state: HoldState = { code: 'paused', reason: `sending paused by ${by}`, since: new Date().toISOString() };
    this.store.transaction(() => {
      this.store.kv.set(PAUSED_KEY, true);
      this.store.kv.set(`${PAUSED_KEY}.state`, state);
      this.store.events.append({ type: 'queue.paused', message: state.reason });
      this.holdWaiting(state.reason);
    });
    this.changed();
  }

  resume(): void {
    if (!this.paused()) return;
    this.store.transaction(() => {
      this.store.kv.delete(PAUSED_KEY);
      this.store.kv.delete(`${PAUSED_KEY}.state`);
      this.store.events.append({ type: 'queue.resumed', message: 'sending resumed' });
      const hold = this.hubHold();
      if (!hold) this.releaseHeld();
    });
    this.changed();
  }

  enter(code: Exclude<HoldCode, 'paused'>, reason: string, since = new Date().toISOString()): void {
    const existing = this.hubHold();
    if (existing?.code === code && existing.reason === reason) {
      this.store.transaction(() => this.holdWaiting(reason));
      return;
    }
    this.store.transaction(() => {
      this.store.kv.set(HOLD_KEY, { code, reason, since } satisfies HoldState);
      this.store.events.append({ type: 'queue.held', message: reason, data: { code } });
      this.holdWaiting(reason);
    });
    this.changed();
  }

  clear(why: string): void {
    if (!this.hubHold()) return;
    this.store.transaction(() => {
      this.store.kv.delete(HOLD_KEY);
      this.store.events.append({ type: 'queue.released', message: why });
      if (!this.paused()) this.releaseHeld();
    });
    this.changed();
  }

  /** Documents captured while held are shown as held too. Call inside a transaction or alone. */
  holdWaiting(reason = this.current()?.reason ?? 'queue on hold'): void {
    for (const document of this.store.documents.withState(['queued'])) {
      this.store.documents.transition(document.id, { state: 'held', reason }, { type: 'document.held' });
    }
  }

  private releaseHeld(): void {
    for (const document of this.store.documents.withState(['held'])) {
      this.store.documents.transition(document.id, { state: 'queued', reason: null }, { type: 'document.queued', message: 'hold released' });
    }
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
