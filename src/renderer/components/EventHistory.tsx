// Everything that happened to a document, oldest first: when, which state, what the agent noted.
// A list rather than a table: it stays readable in the narrow detail panel.
import type { DocumentEvent } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime, formatLocale } from '../ui/format.ts';
import { StateBadge } from './StateBadge.tsx';

export function EventHistory({ events }: { events: DocumentEvent[] }) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  return (
    <section className="detail-section">
      <h3>{t.detailHistory}</h3>
      <ol className="history">
        {events.map((event) => (
          <li key={event.seq} data-testid="history-row">
            <div className="history-head">
              <span className="event-label">{t.eventType[event.type] ?? event.type}</span>
              {event.state ? <StateBadge state={event.state} /> : null}
            </div>
            <div className="history-meta">
              <time dateTime={event.at}>{formatDateTime(event.at, locale)}</time>
              {event.message ? <span className="event-message"> · {event.message}</span> : null}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
