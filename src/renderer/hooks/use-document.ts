// One document's detail (GET /documents/{id}), reloaded when events arrive. The previous answer
// stays on screen while the next one loads, so the panel does not flicker.
import { useEffect, useState } from 'react';
import type { DocumentDetail } from '../../contract/local-api.ts';
import type { ApiClient } from '../api/client.ts';
import { isAbort } from '../api/api-error.ts';

export interface DocumentDetailState {
  detail: DocumentDetail | null;
  error: unknown;
}

export function useDocument(api: ApiClient, id: string | null, refreshKey: number): DocumentDetailState {
  const [state, setState] = useState<DocumentDetailState>({ detail: null, error: null });

  useEffect(() => {
    if (!id) {
      setState({ detail: null, error: null });
      return;
    }
    const controller = new AbortController();
    api.document(id, controller.signal).then(
      (detail) => setState({ detail, error: null }),
      (error: unknown) => {
        if (!isAbort(error)) setState((previous) => ({ detail: previous.detail?.id === id ? previous.detail : null, error }));
      },
    );
    return () => controller.abort();
  }, [api, id, refreshKey]);

  return id && state.detail && state.detail.id !== id ? { detail: null, error: null } : state;
}
