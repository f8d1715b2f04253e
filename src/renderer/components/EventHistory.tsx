// Everything that happened to a document, oldest first: when, which state, what the agent noted.
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
      <table className="history">
        <thead>
          <tr>
            <th scope="col">{t.eventTime}</th>
            <th scope="col">{t.eventState}</th>
            <th scope="col">{t.eventMessage}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.seq} data-testid="history-row">
              <td className="nowrap">{formatDateTime(event.at, locale)}</td>
              <td>{event.state ? <StateBadge state={event.state} /> : null}</td>
              <td>{event.message ?? event.type}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
