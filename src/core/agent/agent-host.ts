// Who answers the local API: the agent now, replaced by a new one when settings change. A swap is
// all or nothing: the new settings run and are saved, or the previous agent runs again on the same
// data folder and nothing is saved. Requests wait while a swap is under way; swaps run one at a time.
import type { Settings } from '../config/settings-schema.ts';
import type { Logger } from '../log/logger.ts';
import { AgentError } from '../agent-error.ts';
import type { Agent } from './agent.ts';
import type { AgentApi } from './agent-api.ts';

export interface AgentHost {
  current(): AgentApi;
  /** Resolves once no settings change is in progress (requests wait for the new agent). */
  ready?(): Promise<void>;
  /** Saves and applies settings; returns the keys that only take effect after a full restart. */
  applySettings?(settings: Settings): Promise<{ restartRequired: string[] }>;
}

/** Settings that the running process reads once (the listening address, the log): a restart applies them. */
const RESTART_KEYS = ['api', 'log'] as const;

export interface SwappingHostOptions {
  /** The running agent. */
  agent: Agent;
  /** A new (not started) agent for these settings; may throw. */
  create: (settings: Settings) => Agent;
  /** Saves settings that are running; may throw (then the swap is undone). */
  save: (settings: Settings) => Promise<void>;
  /** After a successful swap (e.g. rewriting the printer's URL file). */
  swapped?: (agent: Agent) => Promise<void>;
  log: Logger;
}

export class SwappingAgentHost implements AgentHost {
  #agent: Agent;
  #switching: Promise<unknown> = Promise.resolve();
  readonly #options: SwappingHostOptions;

  constructor(options: SwappingHostOptions) {
    this.#agent = options.agent;
    this.#options = options;
  }

  current(): Agent {
    return this.#agent;
  }

  async ready(): Promise<void> {
    await this.#switching.catch(() => undefined);
  }

  applySettings(next: Settings): Promise<{ restartRequired: string[] }> {
    const work = this.#switching.catch(() => undefined).then(() => this.#swap(next));
    this.#switching = work;
    return work;
  }

  async #swap(next: Settings): Promise<{ restartRequired: string[] }> {
    const { create, save, swapped, log } = this.#options;
    const previous = this.#agent;
    await previous.stop();
    let candidate: Agent | null = null;
    try {
      candidate = create(next);
      await candidate.start();
      await save(next);
    } catch (error) {
      // The new settings cannot run (or be saved): the previous agent comes back, nothing is saved.
      await candidate?.stop().catch((stopError: unknown) => log.error('stopping the agent with the refused settings failed', { error: String(stopError) }));
      await this.#restart(previous, error);
      throw new AgentError('apply_failed', `the new settings were not applied: ${(error as Error).message}`, 400);
    }
    this.#agent = candidate;
    await swapped?.(candidate);
    log.info('settings applied');
    const restartRequired = RESTART_KEYS.filter((key) => JSON.stringify(previous.settings[key]) !== JSON.stringify(next[key]));
    return { restartRequired };
  }

  /** The previous agent again; if even that fails, the API says so on every call instead of hanging. */
  async #restart(previous: Agent, cause: unknown): Promise<void> {
    try {
      await previous.start();
    } catch (error) {
      this.#options.log.error('the previous settings could not be started again; the agent is stopped', { error: String(error), cause: String(cause) });
      throw new AgentError(
        'apply_failed',
        `the new settings were not applied (${(cause as Error).message}) and the previous ones could not start again (${(error as Error).message}); restart the agent`,
        500,
      );
    }
  }
}
