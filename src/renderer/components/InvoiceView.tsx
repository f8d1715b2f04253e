// The invoice laid out as a document (docs/ui.md, "The invoice view"): one page per invoice of the
// file (a batch holds several), with seller and buyer, the lines, the VAT summary, the total (marked
// when the agent computed it), withholding, stamp duty, payment and attachments. Built from the
// agent's model (GET /documents/:id/invoice), never from the file's markup: every value is React
// text, so a `<script>` in a description is shown as those characters. Printable: the print
// stylesheet keeps only the pages, and the browser's "Save as PDF" makes the PDF.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import type { DocumentDetail } from '../../contract/local-api.ts';
import type { InvoiceView, InvoiceViewAttachment, InvoiceViewBody, InvoiceViewLine, InvoiceViewParty } from '../../contract/invoice-view.ts';
import type { ApiClient } from '../api/client.ts';
import { isAbort } from '../api/api-error.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { INVOICE_VIEW_MESSAGES, type InvoiceViewMessages } from '../i18n/messages-invoice-view.ts';
import { formatBytes, formatLocale } from '../ui/format.ts';
import { formatInvoiceDate, formatXmlAmount } from '../ui/invoice-format.ts';
import { documentTypeLabel } from '../ui/invoice-labels.ts';
import { invoiceReadingOf } from '../ui/invoice-metadata.ts';
import { saveBlob } from '../ui/save-blob.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { useDialogFocus } from '../hooks/use-dialog-focus.ts';
import './invoice-view.css';

/** "Vedi la fattura" in the detail panel, for a FatturaPA the agent could read (plain or .p7m). */
export function InvoiceViewButton({ api, detail }: { api: ApiClient; detail: DocumentDetail }) {
  const { language } = useI18n();
  const m = INVOICE_VIEW_MESSAGES[language];
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  useEffect(() => setOpen(false), [detail.id]);
  if ((detail.kind !== 'fatturapa' && detail.kind !== 'p7m') || !invoiceReadingOf(detail.metadata)) return null;
  return (
    <>
      <button type="button" ref={opener} className="primary invoice-view-open" title={m.openHint} onClick={() => setOpen(true)} data-testid="invoice-view-open">
        {m.open}
      </button>
      {open ? (
        <InvoiceViewDialog
          api={api}
          id={detail.id}
          onClose={() => {
            setOpen(false);
            opener.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}

function InvoiceViewDialog({ api, id, onClose }: { api: ApiClient; id: string; onClose: () => void }) {
  const { t, language } = useI18n();
  const m = INVOICE_VIEW_MESSAGES[language];
  const [view, setView] = useState<InvoiceView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    setView(null);
    setError(null);
    api.invoice(id, controller.signal).then(setView, (failure: unknown) => {
      if (!isAbort(failure)) setError(failure);
    });
    return () => controller.abort();
  }, [api, id]);
  // Focus on Close, Tab kept inside, Escape closes only this dialog (the detail panel closes on
  // Escape too), the focus back on "Vedi la fattura" afterwards.
  const overlay = useRef<HTMLDivElement>(null);
  useDialogFocus(overlay, { onEscape: onClose, initial: closeButton });

  const downloadAttachment = (body: number, attachment: InvoiceViewAttachment) => {
    setError(null);
    api.downloadInvoiceAttachment(id, body, attachment.index, `allegato-${body + 1}-${attachment.index + 1}.bin`).then(
      (file) => saveBlob(file.blob, file.name),
      (failure: unknown) => setError(failure),
    );
  };

  return createPortal(
    <div
      ref={overlay}
      tabIndex={-1}
      className="invoice-overlay"
      role="dialog"
      aria-modal="true"
      aria-labelledby="invoice-view-title"
      data-testid="invoice-view"
    >
      <div className="invoice-toolbar">
        <h2 id="invoice-view-title">{m.dialogTitle}</h2>
        <span className="invoice-toolbar-hint">{m.printHint}</span>
        <button type="button" onClick={() => window.print()} disabled={!view} data-testid="invoice-view-print">
          {m.print}
        </button>
        <button type="button" ref={closeButton} onClick={onClose} data-testid="invoice-view-close">
          {m.close}
        </button>
      </div>
      <div className="invoice-pages">
        <ErrorNote error={error} />
        {!view && !error ? <p className="invoice-loading">{m.loading}</p> : null}
        {view
          ? view.bodies.map((body, index) => (
              <InvoicePage
                key={index}
                view={view}
                body={body}
                index={index}
                t={t}
                m={m}
                locale={formatLocale(language)}
                onDownload={(attachment) => downloadAttachment(index, attachment)}
              />
            ))
          : null}
      </div>
    </div>,
    document.body,
  );
}

interface PageProps {
  view: InvoiceView;
  body: InvoiceViewBody;
  index: number;
  t: ReturnType<typeof useI18n>['t'];
  m: InvoiceViewMessages;
  locale: string;
  onDownload: (attachment: InvoiceViewAttachment) => void;
}

function InvoicePage({ view, body, index, t, m, locale, onDownload }: PageProps) {
  const amount = (value: string | null) => (value ? formatXmlAmount(value, locale) : '');
  const money = (value: string | null) => (value ? `${formatXmlAmount(value, locale)}${body.currency ? ` ${body.currency}` : ''}` : '');
  const typeName = documentTypeLabel(t, body.type);
  const date = formatInvoiceDate(body.date, locale);
  const simplified = view.format === 'FSM10';
  return (
    <article className="invoice-doc" data-testid="invoice-doc" aria-label={`${typeName} ${body.number ?? ''}`}>
      {view.bodies.length > 1 ? <p className="invoice-doc-count">{m.documentOf(index + 1, view.bodies.length)}</p> : null}
      {/* The title first for a screen reader (headings in order: the type, then the parties); drawn on the right. */}
      <header className="invoice-doc-head">
        <div className="invoice-doc-title">
          <h3 data-testid="invoice-type">
            {typeName}
            {body.type ? (
              <>
                {' '}
                <span className="invoice-code">{body.type}</span>
              </>
            ) : null}
          </h3>
          <p className="invoice-doc-number" data-testid="invoice-number">
            {m.number} <strong>{body.number ?? '—'}</strong> {date ? `${m.dateOf} ${date}` : null}
          </p>
          <p className="invoice-doc-format">{t.invoice.formatName[view.format] ?? view.format}</p>
          {view.signed ? <p className="invoice-doc-signed">{m.signed}</p> : null}
        </div>
        <PartyBlock title={m.seller} party={view.seller} m={m} testId="invoice-seller" prominent />
      </header>

      <div className="invoice-doc-parties">
        <PartyBlock title={m.buyer} party={view.buyer} m={m} testId="invoice-buyer" />
        <dl className="invoice-doc-recipient">
          {view.codiceDestinatario ? (
            <div>
              <dt>{m.recipient}</dt>
              <dd className="mono">{view.codiceDestinatario}</dd>
            </div>
          ) : null}
          {view.pecDestinatario ? (
            <div>
              <dt>{m.recipientPec}</dt>
              <dd>{view.pecDestinatario}</dd>
            </div>
          ) : null}
        </dl>
      </div>

      {body.reasons.length > 0 ? (
        <section className="invoice-doc-reasons">
          <h4>{m.reasons}</h4>
          {body.reasons.map((reason, i) => (
            <p key={i}>{reason}</p>
          ))}
        </section>
      ) : null}

      <section>
        <h4>{m.lines}</h4>
        <table className="invoice-table invoice-lines">
          <thead>
            <tr>
              <th scope="col" className="num">
                {m.lineNumber}
              </th>
              <th scope="col">{m.description}</th>
              {simplified ? null : (
                <>
                  <th scope="col" className="amount">
                    {m.quantity}
                  </th>
                  <th scope="col" className="amount">
                    {m.unitPrice}
                  </th>
                  <th scope="col">{m.adjustments}</th>
                </>
              )}
              <th scope="col" className="amount">
                {m.lineTotal}
              </th>
              <th scope="col" className="amount">
                {m.vat}
              </th>
            </tr>
          </thead>
          <tbody>
            {body.lines.length === 0 ? (
              <tr>
                <td colSpan={simplified ? 4 : 7} className="muted">
                  {m.noLines}
                </td>
              </tr>
            ) : null}
            {body.lines.map((line, i) => (
              <tr key={i} data-testid="invoice-line">
                <td className="num">{line.number}</td>
                <td className="invoice-description" data-testid="invoice-line-description">
                  {line.description}
                  {line.codes.length > 0 ? <span className="invoice-sub mono">{line.codes.join(' · ')}</span> : null}
                </td>
                {simplified ? null : (
                  <>
                    <td className="amount nowrap" data-testid="invoice-line-quantity">
                      {amount(line.quantity)}
                      {line.unit ? ` ${line.unit}` : null}
                    </td>
                    <td className="amount nowrap">{amount(line.unitPrice)}</td>
                    <td>{adjustmentsText(line, m, locale)}</td>
                  </>
                )}
                <td className="amount nowrap" data-testid="invoice-line-total">
                  {amount(line.total)}
                </td>
                <td className="amount">{vatText(line, m, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {body.vatSummary.length > 0 ? (
        <section>
          <h4>{m.vatSummary}</h4>
          <table className="invoice-table invoice-vat">
            <thead>
              <tr>
                <th scope="col">{m.rateOrNature}</th>
                <th scope="col" className="amount">
                  {m.taxable}
                </th>
                <th scope="col" className="amount">
                  {m.tax}
                </th>
                <th scope="col">{m.chargeability}</th>
              </tr>
            </thead>
            <tbody>
              {body.vatSummary.map((row, i) => (
                <tr key={i} data-testid="invoice-vat-row">
                  <td>
                    {row.nature ? natureText(row.nature, m) : `${amount(row.vatRate)}%`}
                    {row.legalReference ? <span className="invoice-sub">{row.legalReference}</span> : null}
                  </td>
                  <td className="amount nowrap">{amount(row.taxable)}</td>
                  <td className="amount nowrap">{amount(row.tax)}</td>
                  <td>{row.chargeability ? (m.chargeabilityName[row.chargeability] ?? row.chargeability) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      <section className="invoice-totals">
        <dl>
          {body.withholdings.map((withholding, i) => (
            <div key={`w${i}`} data-testid="invoice-withholding">
              <dt>
                {m.withholding}
                {withholding.type ? ` – ${m.withholdingType[withholding.type] ?? withholding.type}` : null}
                <span className="invoice-sub">
                  {[
                    withholding.rate ? `${m.withholdingRate} ${amount(withholding.rate)}%` : null,
                    withholding.reason ? `${m.withholdingReason} ${withholding.reason}` : null,
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </dt>
              <dd className="nowrap">{money(withholding.amount)}</dd>
            </div>
          ))}
          {body.stamp ? (
            <div data-testid="invoice-stamp">
              <dt>
                {m.stamp}
                {body.stamp.virtual ? <span className="invoice-sub">{m.stampVirtual}</span> : null}
              </dt>
              <dd className="nowrap">{money(body.stamp.amount)}</dd>
            </div>
          ) : null}
          {body.rounding ? (
            <div>
              <dt>{m.rounding}</dt>
              <dd className="nowrap">{money(body.rounding)}</dd>
            </div>
          ) : null}
          <div className="invoice-grand-total" data-testid="invoice-total" data-computed={body.totalComputed ? 'true' : 'false'}>
            <dt>
              {m.total}
              {body.totalComputed ? <span className="invoice-sub">{simplified ? m.totalComputedLines : m.totalComputed}</span> : null}
            </dt>
            <dd className="nowrap" data-testid="invoice-total-amount">
              {body.total ? money(body.total) : m.totalMissing}
            </dd>
          </div>
        </dl>
      </section>

      {body.payments.length > 0 ? (
        <section>
          <h4>{m.payment}</h4>
          <table className="invoice-table invoice-payments">
            <thead>
              <tr>
                <th scope="col">{m.paymentMode}</th>
                <th scope="col">{m.dueDate}</th>
                <th scope="col" className="amount">
                  {m.amount}
                </th>
                <th scope="col">{m.iban}</th>
              </tr>
            </thead>
            <tbody>
              {body.payments.flatMap((payment, p) =>
                payment.instalments.map((instalment, i) => (
                  <tr key={`${p}-${i}`} data-testid="invoice-payment">
                    <td>
                      {instalment.mode ? (m.paymentModeName[instalment.mode] ?? instalment.mode) : ''}
                      {payment.terms ? <span className="invoice-sub">{m.paymentTerms[payment.terms] ?? payment.terms}</span> : null}
                    </td>
                    <td className="nowrap">{formatInvoiceDate(instalment.dueDate, locale)}</td>
                    <td className="amount nowrap">{money(instalment.amount)}</td>
                    <td>
                      {instalment.iban ? (
                        <span className="mono" data-testid="invoice-iban">
                          {groupIban(instalment.iban)}
                        </span>
                      ) : null}
                      {instalment.bank || instalment.beneficiary ? (
                        <span className="invoice-sub">{[instalment.bank, instalment.beneficiary].filter(Boolean).join(' · ')}</span>
                      ) : null}
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </section>
      ) : null}

      {body.attachments.length > 0 ? (
        <section className="invoice-attachments">
          <h4>{m.attachments}</h4>
          <ul>
            {body.attachments.map((attachment) => (
              <li key={attachment.index} data-testid="invoice-attachment">
                <span className="invoice-attachment-name">{attachment.name ?? `#${attachment.index + 1}`}</span>
                <span className="muted">{[attachment.format, attachment.description, formatBytes(attachment.size, locale)].filter(Boolean).join(' · ')}</span>
                <button type="button" className="small invoice-no-print" onClick={() => onDownload(attachment)} data-testid="invoice-attachment-download">
                  {m.download}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}

function PartyBlock({
  title,
  party,
  m,
  testId,
  prominent = false,
}: {
  title: string;
  party: InvoiceViewParty;
  m: InvoiceViewMessages;
  testId: string;
  prominent?: boolean;
}) {
  const address = party.address;
  const street = address ? [address.street, address.streetNumber].filter(Boolean).join(', ') : '';
  const place = address ? [address.postcode, address.city, address.province ? `(${address.province})` : null].filter(Boolean).join(' ') : '';
  const rows: Array<[string, ReactNode]> = [];
  if (party.vatNumber) rows.push([m.vatNumber, `${party.vatCountry ?? ''}${party.vatNumber}`]);
  if (party.fiscalCode) rows.push([m.fiscalCode, party.fiscalCode]);
  if (party.taxRegime) rows.push([m.taxRegime, party.taxRegime]);
  return (
    <section className={`invoice-party${prominent ? ' prominent' : ''}`} data-testid={testId}>
      <h4>{title}</h4>
      <p className="invoice-party-name" data-testid={`${testId}-name`}>
        {party.name ?? '—'}
      </p>
      {street ? <p>{street}</p> : null}
      {place || (address?.country && address.country !== 'IT') ? (
        <p>{[place, address?.country && address.country !== 'IT' ? address.country : null].filter(Boolean).join(' – ')}</p>
      ) : null}
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className="mono">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function natureText(code: string, m: InvoiceViewMessages): string {
  const words = m.nature[code];
  return words ? `${code} – ${words}` : code;
}

function vatText(line: InvoiceViewLine, m: InvoiceViewMessages, locale: string): string {
  if (line.nature) return natureText(line.nature, m);
  if (line.vatRate) return `${formatXmlAmount(line.vatRate, locale)}%`;
  if (line.vatAmount) return m.vatAmount(formatXmlAmount(line.vatAmount, locale));
  return '';
}

function adjustmentsText(line: InvoiceViewLine, m: InvoiceViewMessages, locale: string): string {
  return line.adjustments
    .map((adjustment) => {
      const kind = adjustment.kind === 'MG' ? m.surcharge : m.discount;
      const sign = adjustment.kind === 'MG' ? '+' : '−';
      const figures = [
        adjustment.percent ? `${sign}${formatXmlAmount(adjustment.percent, locale)}%` : null,
        adjustment.amount ? `${sign}${formatXmlAmount(adjustment.amount, locale)}` : null,
      ]
        .filter(Boolean)
        .join(' ');
      return `${kind} ${figures}`;
    })
    .join('; ');
}

/** "IT60X0542811101000000123456" → "IT60 X054 2811 1010 0000 0123 456", as printed on paper. */
function groupIban(iban: string): string {
  const compact = iban.replace(/\s+/g, '');
  return /^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact) ? (compact.match(/.{1,4}/g) ?? [compact]).join(' ') : iban;
}
