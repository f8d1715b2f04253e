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
import { useState, type KeyboardEvent } from 'react';

/** Moves the focus to a document's row (after the detail panel closes, from the search box). */
export function focusDocumentRow(id: string | null): boolean {
  const rows = Array.from(document.querySelectorAll<HTMLElement>('tr[data-testid="document-row"]'));
  const row = (id ? rows.find((r) => r.dataset['id'] === id) : undefined) ?? rows.find((r) => r.tabIndex === 0) ?? rows[0];
  row?.focus();
  return row !== undefined;
}

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
  // One tab stop for the whole list (the row last moved to, else the open one, else the first);
  // the arrows, Home and End move between rows, Enter or Space opens one (docs/ui.md, "Accessibility").
  const [activeId, setActiveId] = useState<string | null>(null);
  const tabStop = [activeId, selectedId].find((id) => id !== null && documents.some((d) => d.id === id)) ?? documents[0]?.id;
  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, index: number) => {
    if (event.target !== event.currentTarget) return; // a checkbox or a link inside the row has its own keys
    const to = (at: number) => {
      const next = documents[Math.max(0, Math.min(documents.length - 1, at))];
      if (!next) return;
      event.preventDefault();
      setActiveId(next.id);
      focusDocumentRow(next.id);
    };
    if (event.key === 'ArrowDown') to(index + 1);
    else if (event.key === 'ArrowUp') to(index - 1);
    else if (event.key === 'Home') to(0);
    else if (event.key === 'End') to(documents.length - 1);
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const id = event.currentTarget.dataset['id'];
      if (id) onOpen(id);
    }
  };
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
      <table className="document-table" id="document-list">
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
          {documents.map((document, index) => (
            <tr
              key={document.id}
              data-testid="document-row"
              data-id={document.id}
              data-state={document.state}
              className={document.id === selectedId ? 'selected' : ''}
              tabIndex={document.id === tabStop ? 0 : -1}
              aria-selected={document.id === selectedId}
              onFocus={(event) => {
                if (event.target === event.currentTarget) setActiveId(document.id);
              }}
              onKeyDown={(event) => onRowKey(event, index)}
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
                  tabIndex={-1} // the row is the tab stop and opens the same detail on Enter
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
