// The short "why" of a document in the list: the reason the agent gave, what MC means, or which
// document this one duplicates.
import type { DocumentSummary } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function ReasonText({ document, onOpen }: { document: DocumentSummary; onOpen(id: string): void }) {
  const { t } = useI18n();
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
  if (!document.reason) return null;
  return (
    <span className="reason" title={document.reason}>
      {document.reason}
    </span>
  );
}
