// The short "why" of a document in the list: the reason the agent gave, what MC means, or which
// document this one duplicates.
import type { DocumentSummary } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function ReasonText({ document, onOpen }: { document: DocumentSummary; onOpen: (id: string) => void }) {
  const { t, language } = useI18n();
  if (document.state === 'not_delivered') {
    return <span className="reason reason-issued">{t.notDeliveredShort}</span>;
  }
  if (document.state === 'duplicate' && document.duplicateOf) {
    const original = document.duplicateOf;
    return (
      <span className="reason">
        {t.duplicateOf}{' '}
        <button type="button" className="link" onClick={() => onOpen(original)} title={original}>
          {original.slice(0, 8)}
        </button>
      </span>
    );
  }
  // Preflight's refusals come in both languages; other reasons are the agent's English.
  const reason = document.reasonText?.[language] ?? document.reason;
  if (!reason) return null;
  return (
    <span className="reason" title={reason}>
      {reason}
    </span>
  );
}
