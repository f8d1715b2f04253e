// Every long-running part of the agent is a Service. The runner starts them in the order given and
// stops them in reverse, so each one stops before the things it uses; a stop that fails is logged
// and the others still stop. A required service that cannot start undoes the ones already started;
// an optional one (the printer, whose port may be taken) is reported in health and the agent runs on.
import type { Logger } from '../log/logger.ts';
import type { ServiceHealth } from './service-health.ts';

export interface Service {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export interface ServicePlan {
  service: Service;
  /** Default true. An optional service that fails to start is reported, not fatal. */
  required?: boolean;
}

/** A service from two functions, for resources that are opened and closed rather than run. */
export function service(name: string, start: () => void | Promise<void>, stop: () => void | Promise<void> = () => undefined): Service {
  return { name, start, stop };
}

export class ServiceRunner {
  readonly #health: ServiceHealth;
  readonly #log: Logger;
  readonly #started: Service[] = [];

  constructor(health: ServiceHealth, log: Logger) {
    this.#health = health;
    this.#log = log;
  }

  /** Starts the plans in order. Throws (after stopping what it started) when a required one fails. */
  async startAll(plans: readonly ServicePlan[]): Promise<void> {
    for (const { service, required = true } of plans) {
      try {
        await service.start();
        this.#started.push(service);
        this.#health.running(service.name);
      } catch (error) {
        this.#health.failed(service.name, error);
        if (!required) {
          this.#log.error(`${service.name} did not start; the agent runs without it`, { error: describe(error) });
          continue;
        }
        this.#log.error(`${service.name} did not start; stopping what started`, { error: describe(error) });
        await this.stopAll();
        throw error;
      }
    }
  }

  /** Stops every started service, last started first; each failure is logged and the rest still stop. */
  async stopAll(): Promise<void> {
    for (let service = this.#started.pop(); service; service = this.#started.pop()) {
      try {
        await service.stop();
        this.#health.stopped(service.name);
      } catch (error) {
        this.#health.failed(service.name, error);
        this.#log.error(`stopping ${service.name} failed`, { error: describe(error) });
      }
    }
  }

  /** Names of the running services, in start order. */
  get running(): string[] {
    return this.#started.map((service) => service.name);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
