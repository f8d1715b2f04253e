// Live updates: long-polls GET /events from the newest event on, in a loop that stops when the
// component goes away. Reports the connection state and hands every batch of events to `onEvents`.
import { useEffect, useRef, useState } from 'react';
import type { DocumentEvent } from '../../contract/local-api.ts';
import type { ApiClient } from '../api/client.ts';
import { isAbort } from '../api/api-error.ts';

export type FeedState = 'connecting' | 'live' | 'lost';

const LONG_POLL_SECONDS = 25;
const PAGE = 1000;
const MAX_BACKOFF_MS = 15_000;

export function useEventFeed(api: ApiClient, onEvents: (events: DocumentEvent[]) => void): FeedState {
  const [state, setState] = useState<FeedState>('connecting');
  const handler = useRef(onEvents);
  useEffect(() => {
    handler.current = onEvents;
  }, [onEvents]);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;

    async function newestSeq(): Promise<number> {
      // The feed has no "latest" shortcut: skip the history a page at a time without waiting.
      let since = 0;
      for (;;) {
        const page = await api.events(since, 0, PAGE, signal);
        since = page.lastSeq;
        if (page.events.length < PAGE) return since;
      }
    }

    async function run(): Promise<void> {
      let since: number | null = null;
      let backoff = 1000;
      let missedSome = false;
      while (!signal.aborted) {
        try {
          if (since === null) {
            since = await newestSeq();
            setState('live');
            // Anything that happened while the page was loading: refresh once now.
            handler.current([]);
          }
          const page = await api.events(since, LONG_POLL_SECONDS, PAGE, signal);
          setState('live');
          backoff = 1000;
          if (page.events.length > 0) since = page.lastSeq;
          if (page.events.length > 0 || missedSome) handler.current(page.events);
          missedSome = false;
        } catch (error) {
          if (signal.aborted || isAbort(error)) return;
          setState('lost');
          await sleep(backoff, signal);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          // Status and documents may have changed unseen (e.g. the agent restarted): refresh when back.
          missedSome = true;
        }
      }
    }

    void run(); // never rejects: the loop catches every failure, reports it and tries again
    return () => controller.abort();
  }, [api]);

  return state;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = window.setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        window.clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
