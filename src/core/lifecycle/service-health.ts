// What each long-lived service last reported, for /status and the tray: a loop that keeps failing
// shows as failed with its error while it retries with backoff.
export type ServiceState = 'running' | 'failed' | 'stopped';

export interface ServiceReport {
  name: string;
  state: ServiceState;
  error: string | null;
  since: string;
}

export class ServiceHealth {
  private readonly reports = new Map<string, ServiceReport>();

  set(name: string, state: ServiceState, error: string | null = null): void {
    const previous = this.reports.get(name);
    if (previous && previous.state === state && previous.error === error) return;
    this.reports.set(name, { name, state, error, since: new Date().toISOString() });
  }

  running(name: string): void {
    this.set(name, 'running');
  }

  stopped(name: string): void {
    this.set(name, 'stopped');
  }

  failed(name: string, error: unknown): void {
    this.set(name, 'failed', error instanceof Error ? error.message : String(error));
  }

  list(): ServiceReport[] {
    return [...this.reports.values()];
  }
}
