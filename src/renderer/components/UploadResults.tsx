// What happened to each uploaded file: its state and reason as the agent answered, or the refusal.
import type { DocumentState } from '../../contract/states.ts';
import type { Uploads } from '../hooks/use-uploads.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { StateBadge } from './StateBadge.tsx';
import { describeError } from './ErrorNote.tsx';

interface UploadResultsProps {
  uploads: Uploads;
  /** The states the list shows now: an upload's state moves on after the agent answered. */
  currentStates: ReadonlyMap<string, DocumentState>;
  onOpen: (id: string) => void;
}

export function UploadResults({ uploads, currentStates, onOpen }: UploadResultsProps) {
  const { t } = useI18n();
  if (uploads.entries.length === 0) return null;
  return (
    <section className="uploads" aria-labelledby="uploads-title" data-testid="uploads">
      <div className="uploads-head">
        <h2 id="uploads-title">{t.uploadsTitle}</h2>
        <button type="button" className="icon-button" onClick={uploads.dismiss} aria-label={t.close} title={t.close}>
          ×
        </button>
      </div>
      <ul>
        {uploads.entries.map((entry) => (
          <li key={entry.key} data-testid="upload-entry" data-phase={entry.phase}>
            {entry.phase === 'sending' ? (
              <span className="upload-line">
                <span className="file-name">{entry.name}</span>
                <span className="muted">{t.uploading}</span>
              </span>
            ) : null}
            {entry.phase === 'failed' ? (
              <span className="upload-line">
                <span className="file-name">{entry.name}</span>
                <span className="error-text">{describeError(t, entry.error)}</span>
              </span>
            ) : null}
            {entry.documents.map((document) => (
              <span key={document.id} className="upload-line">
                <button type="button" className="link file-name" onClick={() => onOpen(document.id)}>
                  {document.name}
                </button>
                <StateBadge state={currentStates.get(document.id) ?? document.state} />
                {document.reason && !currentStates.has(document.id) ? <span className="reason">{document.reason}</span> : null}
              </span>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}
