// Manual uploads (POST /documents with X-Source: upload), one file after another, each with the
// state and reason the agent answered (a ZIP answers with several documents).
import { useCallback, useRef, useState } from 'react';
import type { ApiClient, UploadedDocument } from '../api/client.ts';
import { ApiError } from '../api/api-error.ts';

export interface UploadEntry {
  key: number;
  name: string;
  phase: 'sending' | 'done' | 'failed';
  documents: UploadedDocument[];
  error: ApiError | null;
}

export interface Uploads {
  entries: UploadEntry[];
  upload: (files: File[]) => void;
  dismiss: () => void;
}

export function useUploads(api: ApiClient, onUploaded: () => void): Uploads {
  const [entries, setEntries] = useState<UploadEntry[]>([]);
  const nextKey = useRef(1);
  const queue = useRef<Promise<void>>(Promise.resolve());

  const update = (key: number, patch: Partial<UploadEntry>) =>
    setEntries((previous) => previous.map((entry) => (entry.key === key ? { ...entry, ...patch } : entry)));

  const upload = useCallback(
    (files: File[]) => {
      for (const file of files) {
        const key = nextKey.current++;
        setEntries((previous) => [{ key, name: file.name, phase: 'sending', documents: [], error: null }, ...previous]);
        queue.current = queue.current.then(async () => {
          try {
            const answer = await api.upload(file);
            update(key, { phase: 'done', documents: answer.documents });
          } catch (error) {
            update(key, { phase: 'failed', error: error instanceof ApiError ? error : new ApiError(0, 'network', String(error)) });
          }
          onUploaded();
        });
      }
    },
    [api, onUploaded],
  );

  const dismiss = useCallback(() => setEntries((previous) => previous.filter((entry) => entry.phase === 'sending')), []);

  return { entries, upload, dismiss };
}
