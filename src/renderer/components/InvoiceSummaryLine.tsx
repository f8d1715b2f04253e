// The one line under a document's name in the list: which invoice it is, for whom, how much.
// "Fattura 123 del 18/12/2014 · Cessionario: DITTA BETA · 1.220,00 EUR"; a PDF's values are marked
// as guessed, a batch says how many more invoices it holds, a total the file did not state (worked
// out from its VAT summary at capture) is marked "(calcolato)".
import type { InvoiceSummary } from '../../contract/invoice.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatLocale } from '../ui/format.ts';
import { formatInvoiceDate, formatTotal } from '../ui/invoice-format.ts';
import { documentTypeLabel } from '../ui/invoice-labels.ts';

export function InvoiceSummaryLine({ invoice }: { invoice: InvoiceSummary }) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  const date = formatInvoiceDate(invoice.date, locale);
  const heading = [documentTypeLabel(t, invoice.type), invoice.number, date ? `${t.invoice.dateOf} ${date}` : null].filter(Boolean).join(' ');
  const buyer = invoice.buyer ? `${t.invoice.buyerShort}: ${invoice.buyer}` : null;
  const total = formatTotal(invoice.total, invoice.currency, invoice.guessed, locale) || null;
  // Short pieces do not break inside, so a narrow column wraps the line between them.
  const pieces: Array<{ text: string; keep: boolean; computed?: boolean }> = [
    { text: heading, keep: true },
    ...(buyer ? [{ text: buyer, keep: false }] : []),
    ...(total ? [{ text: total, keep: true, computed: invoice.totalComputed }] : []),
  ];
  const more = invoice.count > 1 ? t.invoice.more(invoice.count - 1) : null;
  return (
    <span className="invoice-line" data-testid="invoice-line" data-guessed={invoice.guessed ? 'true' : 'false'}>
      {pieces.map((piece, index) => (
        <span key={index}>
          {index > 0 ? ' · ' : null}
          <span className={piece.keep ? 'nowrap' : undefined}>
            {piece.text}
            {piece.computed ? <ComputedMark /> : null}
          </span>
        </span>
      ))}
      {more ? <span className="invoice-line-more nowrap"> {more}</span> : null}
      {invoice.guessed ? <span className="invoice-line-guessed nowrap"> {t.invoice.guessedMark}</span> : null}
    </span>
  );
}

/** " (calcolato)" after a total the file did not state; the title says how it was worked out. */
export function ComputedMark() {
  const { t } = useI18n();
  return (
    <span className="invoice-total-computed" data-testid="invoice-total-computed" title={t.invoice.computedTitle}>
      {' '}
      {t.invoice.computedMark}
    </span>
  );
}
