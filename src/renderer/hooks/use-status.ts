// The agent status (GET /status): loaded at start, whenever `refreshKey` changes (events arrived)
// and every 15 s, since hub reachability can change without a document event.
import { useEffect, useState } from 'react';
import type { AgentStatus } from '../../contract/local-api.ts';
import type { ApiClient } from '../api/client.ts';
import { isAbort } from '../api/api-error.ts';

const STATUS_INTERVAL_MS = 15_000;

export interface StatusState {
  status: AgentStatus | null;
  error: unknown;
}

export function useStatus(api: ApiClient, refreshKey: number): StatusState {
  const [state, setState] = useState<StatusState>({ status: null, error: null });
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const timer = window.setInterval(() => setTick((n) => n + 1), STATUS_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    api.status(controller.signal).then(
      (status) => setState({ status, error: null }),
      (error: unknown) => {
        if (!isAbort(error)) setState((previous) => ({ status: previous.status, error }));
      },
    );
    return () => controller.abort();
  }, [api, refreshKey, tick]);

  return state;
}
