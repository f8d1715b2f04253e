// A refresh counter that bursts of events bump once: every event in a 200 ms window → one reload.
import { useCallback, useEffect, useRef, useState } from 'react';

const COALESCE_MS = 200;

export function useRefresh(): [number, () => void] {
  const [key, setKey] = useState(0);
  const timer = useRef<number | null>(null);
  const request = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = window.setTimeout(() => {
      timer.current = null;
      setKey((n) => n + 1);
    }, COALESCE_MS);
  }, []);
  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );
  return [key, request];
}
