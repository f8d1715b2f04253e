// The agent's settings as GET /config answers them (settings, which secrets are set, editable),
// loaded when the panel opens and again on request (after a save, to show the secrets' new state).
import { useCallback, useEffect, useState } from 'react';
import type { SettingsView } from '../../contract/settings.ts';
import type { ApiClient } from '../api/client.ts';
import { isAbort } from '../api/api-error.ts';

export interface SettingsState {
  view: SettingsView | null;
  error: unknown;
  reload: () => Promise<SettingsView | null>;
}

export function useSettings(api: ApiClient): SettingsState {
  const [view, setView] = useState<SettingsView | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    api.config(controller.signal).then(
      (loaded) => {
        setView(loaded);
        setError(null);
      },
      (failure: unknown) => {
        if (!isAbort(failure)) setError(failure);
      },
    );
    return () => controller.abort();
  }, [api]);

  const reload = useCallback(async () => {
    try {
      const loaded = await api.config();
      setView(loaded);
      setError(null);
      return loaded;
    } catch (failure) {
      setError(failure);
      return null;
    }
  }, [api]);

  return { view, error, reload };
}
