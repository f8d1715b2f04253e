// One document in full: what its state means, the reason, Retry/Cancel where allowed, the invoice
// it holds and what preflight found, its data, the files the hub returned (SDI notifications), the
// original, and its whole history.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { DocumentDetail } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { ApiClient, Download } from '../api/client.ts';
import { formatBytes, formatDateTime, formatLocale } from '../ui/format.ts';
import { allows } from '../../contract/document-lifecycle.ts';
import { saveBlob } from '../ui/save-blob.ts';
import { StateBadge } from './StateBadge.tsx';
import { ErrorNote } from './ErrorNote.tsx';
import { StateExplanation } from './StateExplanation.tsx';
import { EventHistory } from './EventHistory.tsx';
import { InvoiceSection } from './InvoiceSection.tsx';
import { InvoiceViewButton } from './InvoiceView.tsx';
import { PdfPreview } from './PdfPreview.tsx';
import { ChecksSection } from './PreflightList.tsx';
import { INVOICE_METADATA_KEYS } from '../ui/invoice-metadata.ts';
import type { Decision } from './DecisionDialog.tsx';
import type { Messages } from '../i18n/messages-it.ts';

interface DocumentPanelProps {
  api: ApiClient;
  detail: DocumentDetail | null;
  error: unknown;
  onClose: () => void;
  onOpen: (id: string) => void;
  onChanged: () => void;
  /** Approve or refuse (manual sending): the dashboard asks for the reason, the approver and the PIN. */
  onDecide?: (decision: Decision, document: DocumentDetail) => void;
}

export function DocumentPanel({ api, detail, error, onClose, onOpen, onChanged, onDecide }: DocumentPanelProps) {
  const { t } = useI18n();
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = detail?.id ?? null;

  useEffect(() => setActionError(null), [id]);
  // Opening a document (Enter on a row) moves the focus to its title, so the keyboard and a screen
  // reader continue in the panel; Escape closes it and the dashboard puts the focus back on the row.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (id) heading.current?.focus();
  }, [id]);
  // An action that changes the state (Riprova, Approva…) can remove the button that had the focus:
  // the focus, dropped to the page, comes back to the title rather than to the top of the page.
  const state = detail?.state;
  useEffect(() => {
    if (state && (document.activeElement === null || document.activeElement === document.body)) heading.current?.focus();
  }, [state]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const act = (action: () => Promise<unknown>, changes: boolean) => {
    setBusy(true);
    setActionError(null);
    action().then(
      () => {
        setBusy(false);
        if (changes) onChanged();
      },
      (failure: unknown) => {
        setBusy(false);
        setActionError(failure);
      },
    );
  };
  const download = (fetchIt: () => Promise<Download>) =>
    act(async () => {
      const file = await fetchIt();
      saveBlob(file.blob, file.name);
    }, false);

  return (
    <aside className="detail-panel" aria-label={t.detailTitle} data-testid="detail-panel">
      <div className="detail-head">
        <h2 className="detail-title" ref={heading} tabIndex={-1}>
          {detail?.name ?? t.loading}
        </h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t.close} title={t.close}>
          ×
        </button>
      </div>
      <ErrorNote error={error} />
      {detail ? (
        <>
          <div className="detail-state">
            <StateBadge state={detail.state} />
          </div>
          <StateExplanation detail={detail} />

          <div className="detail-actions">
            {allows(detail.state, 'approve') && onDecide ? (
              <button type="button" className="primary" disabled={busy} onClick={() => onDecide('approve', detail)} data-testid="detail-approve">
                {t.approval.approve}
              </button>
            ) : null}
            {allows(detail.state, 'refuse') && onDecide ? (
              <button type="button" className="danger" disabled={busy} onClick={() => onDecide('refuse', detail)} data-testid="detail-refuse">
                {t.approval.refuse}
              </button>
            ) : null}
            {allows(detail.state, 'retry') ? (
              <button type="button" disabled={busy} onClick={() => act(() => api.retry(detail.id), true)}>
                {t.retry}
              </button>
            ) : null}
            {allows(detail.state, 'cancel') ? (
              <button type="button" className="danger" disabled={busy} onClick={() => act(() => api.cancel(detail.id), true)}>
                {t.cancel}
              </button>
            ) : null}
            <button type="button" disabled={busy} onClick={() => download(() => api.downloadContent(detail.id, detail.name))}>
              {t.downloadOriginal}
            </button>
          </div>
          <ErrorNote error={actionError} />

          <InvoiceSection detail={detail} />
          <InvoiceViewButton api={api} detail={detail} />
          <PdfPreview api={api} detail={detail} />
          <ChecksSection detail={detail} />
          <DataList detail={detail} onOpen={onOpen} />
          <HubFiles detail={detail} busy={busy} onDownload={(name) => download(() => api.downloadFile(detail.id, name))} />
          <EventHistory events={detail.events} />
        </>
      ) : null}
    </aside>
  );
}

function DataList({ detail, onOpen }: { detail: DocumentDetail; onOpen: (id: string) => void }) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  const link = (id: string | null) =>
    id ? (
      <button type="button" className="link mono" onClick={() => onOpen(id)}>
        {id}
      </button>
    ) : null;
  const rows: Array<[string, ReactNode]> = [
    [t.field.id, <span className="mono">{detail.id}</span>],
    [t.field.profile, detail.profile],
    [t.field.source, t.source[detail.source]],
    [t.field.kind, t.kind[detail.kind]],
    [t.field.size, formatBytes(detail.size, locale)],
    [t.approval.submittedBy, submitterText(detail, t)],
    [t.approval.decision, decisionText(detail, t, locale)],
    [t.field.createdAt, formatDateTime(detail.createdAt, locale)],
    [t.field.updatedAt, formatDateTime(detail.updatedAt, locale)],
    [t.field.sdiId, detail.sdiId ? <span className="mono">{detail.sdiId}</span> : null],
    [t.field.hubId, detail.hubId ? <span className="mono">{detail.hubId}</span> : null],
    [t.field.duplicateOf, link(detail.duplicateOf)],
    [t.field.parentId, link(detail.parentId)],
    [t.field.sha256, <span className="mono hash">{detail.sha256}</span>],
  ];
  // The invoice and preflight's findings have their own sections above.
  const metadata = Object.entries(detail.metadata ?? {}).filter(
    ([key, value]) => !INVOICE_METADATA_KEYS.includes(key) && value !== null && value !== undefined && value !== '',
  );
  return (
    <section className="detail-section">
      <h3>{t.detailData}</h3>
      <dl className="data-list">
        {rows
          .filter(([, value]) => value !== null && value !== '')
          .map(([label, value]) => (
            <div key={label} className="data-row">
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
      </dl>
      {metadata.length > 0 ? (
        <>
          <h3>{t.detailMetadata}</h3>
          <dl className="data-list">
            {metadata.map(([key, value]) => (
              <div key={key} className="data-row">
                <dt>{key}</dt>
                <dd>{metadataText(value)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </section>
  );
}

function HubFiles({ detail, busy, onDownload }: { detail: DocumentDetail; busy: boolean; onDownload: (name: string) => void }) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  return (
    <section className="detail-section">
      <h3>{t.detailFiles}</h3>
      {detail.files.length === 0 ? <p className="muted">{t.detailNoFiles}</p> : null}
      <ul className="file-list">
        {detail.files.map((file) => (
          <li key={file.name} data-testid="hub-file">
            <span className="file-name mono">{file.name}</span>
            <span className="muted">{formatBytes(file.size, locale)}</span>
            <button type="button" className="small" disabled={busy} onClick={() => onDownload(file.name)}>
              {t.download}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Who released the document: the declared name and the OS user (docs/approval.md, "Identities"). */
function submitterText(detail: DocumentDetail, t: Messages): string | null {
  const by = detail.submittedBy;
  if (!by || (!by.name && !by.osUser)) return null;
  return [by.name, by.osUser ? `${t.approval.osUser} ${by.osUser}` : null].filter(Boolean).join(' · ');
}

/** The last approval or refusal: who (PIN checked or not), on which OS account, when. */
function decisionText(detail: DocumentDetail, t: Messages, locale: string): string | null {
  const decision = detail.approval;
  if (!decision) return null;
  const a = t.approval;
  const who = decision.approver ? `${decision.approver} (${decision.verified ? a.pinChecked : a.nameOnly})` : a.nobody;
  const verb = decision.decision === 'approved' ? a.decisionApproved : a.decisionDeclined;
  return `${verb} ${who} · ${a.osUser} ${decision.osUser} · ${formatDateTime(decision.at, locale)}`;
}

/** A metadata value (stored JSON) as text: strings as they are, anything else as its JSON. */
function metadataText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}
