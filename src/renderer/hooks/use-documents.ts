// The document list (GET /documents), newest first, with "load more". A refresh (events arrived)
// reloads as many rows as are shown, so the reader keeps their place and sees changes in place.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentSummary } from '../../contract/local-api.ts';
import type { DocumentState } from '../../contract/states.ts';
import type { ApiClient, DateRange } from '../api/client.ts';
import { isAbort } from '../api/api-error.ts';

const PAGE_SIZE = 50;
const MAX_REFRESH = 500; // the API's largest page

export interface DocumentFilter {
  states: readonly DocumentState[];
  profile: string | null;
  q: string;
  /** The date-range filter (DateRangeFilter); null: none. */
  dates?: DateRange | null;
}

export interface DocumentListState {
  documents: DocumentSummary[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
}

export function useDocuments(api: ApiClient, filter: DocumentFilter, refreshKey: number): DocumentListState {
  const [documents, setDocuments] = useState<DocumentSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const shown = useRef(PAGE_SIZE);
  const filterKey = JSON.stringify(filter);
  const lastFilterKey = useRef(filterKey);
  const moreController = useRef<AbortController | null>(null);

  useEffect(() => {
    if (lastFilterKey.current !== filterKey) {
      lastFilterKey.current = filterKey;
      shown.current = PAGE_SIZE;
    }
    const parsed = JSON.parse(filterKey) as DocumentFilter;
    const controller = new AbortController();
    moreController.current?.abort();
    setLoading(true);
    api.documents({ ...parsed, cursor: null, limit: Math.min(Math.max(shown.current, PAGE_SIZE), MAX_REFRESH) }, controller.signal).then(
      (page) => {
        setDocuments(page.documents);
        setNextCursor(page.nextCursor);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (isAbort(failure)) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [api, filterKey, refreshKey]);

  const loadMore = useCallback(() => {
    if (!nextCursor) return;
    const parsed = JSON.parse(filterKey) as DocumentFilter;
    const controller = new AbortController();
    moreController.current?.abort();
    moreController.current = controller;
    setLoading(true);
    api.documents({ ...parsed, cursor: nextCursor, limit: PAGE_SIZE }, controller.signal).then(
      (page) => {
        setDocuments((previous) => {
          const seen = new Set(previous.map((d) => d.id));
          const merged = [...previous, ...page.documents.filter((d) => !seen.has(d.id))];
          shown.current = merged.length;
          return merged;
        });
        setNextCursor(page.nextCursor);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (isAbort(failure)) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, [api, filterKey, nextCursor]);

  return { documents, nextCursor, loading, error, loadMore };
}
