// The documents, newest first: name (with the invoice it holds), state (with preflight's warnings),
// why, SDI id and when it was captured. A click opens the detail panel; "load more" fetches the next page.
import type { DocumentSummary } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime, formatLocale, formatShortDateTime } from '../ui/format.ts';
import { StateBadge } from './StateBadge.tsx';
import { ReasonText } from './ReasonText.tsx';
import { ErrorNote } from './ErrorNote.tsx';
import { InvoiceSummaryLine } from './InvoiceSummaryLine.tsx';
import { WarningsMarker } from './WarningsMarker.tsx';
import { allows } from '../../contract/document-lifecycle.ts';

interface DocumentTableProps {
  documents: DocumentSummary[];
  selectedId: string | null;
  filtered: boolean;
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  onOpen: (id: string) => void;
  onLoadMore: () => void;
  /** Rows a person may approve or refuse can be selected, to decide many at once (docs/approval.md). */
  selection?: { selected: ReadonlySet<string>; onChange: (ids: ReadonlySet<string>) => void };
}

export function DocumentTable({ documents, selectedId, filtered, loading, error, hasMore, onOpen, onLoadMore, selection }: DocumentTableProps) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  const decidable = documents.filter((d) => allows(d.state, 'approve')).map((d) => d.id);
  const showSelection = selection !== undefined && decidable.length > 0;
  const allSelected = showSelection && decidable.every((id) => selection.selected.has(id));
  const toggle = (id: string, on: boolean) => {
    if (!selection) return;
    const next = new Set(selection.selected);
    if (on) next.add(id);
    else next.delete(id);
    selection.onChange(next);
  };
  return (
    <section className="documents" aria-label={t.columnName}>
      <ErrorNote error={error} />
      <table className="document-table">
        <thead>
          <tr>
            {showSelection ? (
              <th scope="col" className="col-select">
                <input
                  type="checkbox"
                  aria-label={t.approval.selectAll}
                  title={t.approval.selectAll}
                  data-testid="select-all"
                  checked={allSelected}
                  onChange={(event) => selection.onChange(event.target.checked ? new Set(decidable) : new Set())}
                />
              </th>
            ) : null}
            <th scope="col">{t.columnName}</th>
            <th scope="col">{t.columnState}</th>
            <th scope="col" className="col-reason">
              {t.columnReason}
            </th>
            <th scope="col">
              {t.columnCaptured}
              <span className="th-sub">{t.columnSdi}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {documents.map((document) => (
            <tr
              key={document.id}
              data-testid="document-row"
              data-id={document.id}
              data-state={document.state}
              className={document.id === selectedId ? 'selected' : ''}
              onClick={() => onOpen(document.id)}
            >
              {showSelection ? (
                <td className="col-select" onClick={(event) => event.stopPropagation()}>
                  {allows(document.state, 'approve') ? (
                    <input
                      type="checkbox"
                      aria-label={`${t.approval.selectRow} ${document.name}`}
                      data-testid="select-row"
                      checked={selection.selected.has(document.id)}
                      onChange={(event) => toggle(document.id, event.target.checked)}
                    />
                  ) : null}
                </td>
              ) : null}
              <td className="col-name">
                <button
                  type="button"
                  className="link document-name"
                  onClick={(event) => {
                    event.stopPropagation();
                    onOpen(document.id);
                  }}
                >
                  {document.name}
                </button>
                {document.invoice ? <InvoiceSummaryLine invoice={document.invoice} /> : null}
                <span className="sub">
                  {t.kind[document.kind]} · {t.source[document.source]}
                </span>
              </td>
              <td>
                <StateBadge state={document.state} />
                {document.state !== 'invalid' ? <WarningsMarker count={document.warnings ?? 0} /> : null}
              </td>
              <td className="col-reason">
                <ReasonText document={document} onOpen={onOpen} />
              </td>
              <td className="nowrap col-time">
                <span title={formatDateTime(document.createdAt, locale)}>{formatShortDateTime(document.createdAt, locale)}</span>
                {document.sdiId ? (
                  <span className="sub mono" title={t.columnSdi}>
                    SDI {document.sdiId}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {documents.length === 0 && !loading && !error ? <p className="empty">{filtered ? t.listEmptyFiltered : t.listEmpty}</p> : null}
      <div className="list-footer">
        {loading ? <span className="muted">{t.loading}</span> : null}
        {hasMore && !loading ? (
          <button type="button" onClick={onLoadMore}>
            {t.loadMore}
          </button>
        ) : null}
      </div>
    </section>
  );
}
