// The invoice as the agent read it: format, seller and buyer, recipient, each invoice in the file
// and the signature of a P7M. For a PDF, what its text suggests, clearly marked as a guess.
import { Fragment, type ReactNode } from 'react';
import type { DocumentDetail } from '../../contract/local-api.ts';
import type { InvoiceParty, InvoiceReading, PdfGuess, SignerInfo } from '../../contract/invoice.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Messages } from '../i18n/messages-it.ts';
import { formatDateTime, formatLocale } from '../ui/format.ts';
import { formatInvoiceDate, formatTotal } from '../ui/invoice-format.ts';
import { documentTypeLabel } from '../ui/invoice-labels.ts';
import { invoiceReadingOf, pdfGuessOf, pdfUnreadableOf } from '../ui/invoice-metadata.ts';
import { ComputedMark } from './InvoiceSummaryLine.tsx';

export function InvoiceSection({ detail }: { detail: DocumentDetail }) {
  const reading = invoiceReadingOf(detail.metadata);
  if (reading) return <InvoiceReadingView reading={reading} />;
  const guess = pdfGuessOf(detail.metadata);
  const unreadable = pdfUnreadableOf(detail.metadata);
  if (guess || unreadable) return <PdfGuessView guess={guess} unreadable={unreadable} />;
  return null;
}

/** "Cessionario/committente" is one long word: let it wrap after the slash. */
function breakAfterSlashes(label: string): ReactNode {
  const parts = label.split('/');
  return parts.map((part, index) => (
    <Fragment key={index}>
      {part}
      {index < parts.length - 1 ? (
        <>
          /<wbr />
        </>
      ) : null}
    </Fragment>
  ));
}

function Rows({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <dl className="data-list">
      {rows
        .filter(([, value]) => value !== null && value !== '')
        .map(([label, value]) => (
          <div key={label} className="data-row">
            <dt>{breakAfterSlashes(label)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}

function InvoiceReadingView({ reading }: { reading: InvoiceReading }) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  const transmitter = [reading.transmitter.country, reading.transmitter.id].filter(Boolean).join('');
  const transmission =
    transmitter || reading.progressivoInvio ? (
      <>
        {transmitter ? <span className="mono">{transmitter}</span> : null}
        {transmitter && reading.progressivoInvio ? ' · ' : null}
        {reading.progressivoInvio ? (
          <span className="nowrap">
            {t.invoice.progressive} <span className="mono">{reading.progressivoInvio}</span>
          </span>
        ) : null}
      </>
    ) : null;
  return (
    <section className="detail-section invoice-section" data-testid="invoice-section">
      <h3>{t.invoice.title}</h3>
      <Rows
        rows={[
          [t.invoice.format, t.invoice.formatName[reading.format] ?? reading.format],
          [t.invoice.seller, <Party party={reading.seller} />],
          [t.invoice.buyer, <Party party={reading.buyer} />],
          [t.invoice.recipientCode, reading.codiceDestinatario ? <span className="mono">{reading.codiceDestinatario}</span> : null],
          [t.invoice.recipientPec, reading.pecDestinatario],
          [t.invoice.transmitter, transmission],
        ]}
      />
      <table className="invoice-bodies" aria-label={t.invoice.bodies}>
        <thead>
          <tr>
            <th scope="col">{t.invoice.bodyType}</th>
            <th scope="col">{t.invoice.bodyNumber}</th>
            <th scope="col">{t.invoice.bodyDate}</th>
            <th scope="col" className="amount">
              {t.invoice.bodyTotal}
            </th>
          </tr>
        </thead>
        <tbody>
          {reading.bodies.map((body, index) => (
            <tr key={index} data-testid="invoice-body">
              <td>
                {documentTypeLabel(t, body.type)}
                {body.type ? <span className="sub mono">{body.type}</span> : null}
              </td>
              <td>{body.number ?? t.invoice.notStated}</td>
              <td className="nowrap">{formatInvoiceDate(body.date, locale) || t.invoice.notStated}</td>
              <td className="amount nowrap">
                {formatTotal(body.total, body.currency, false, locale) || t.invoice.notStated}
                {body.total && body.totalComputed === true ? <ComputedMark /> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {reading.signed ? <Signature signers={reading.signed.signers} /> : null}
    </section>
  );
}

function Party({ party }: { party: InvoiceParty }) {
  const { t } = useI18n();
  const vat = party.vatNumber ? `${party.country ?? ''}${party.vatNumber}` : null;
  if (!party.name && !vat && !party.fiscalCode) return <>{t.invoice.notStated}</>;
  return (
    <span className="party">
      {party.name ? <span className="party-name">{party.name}</span> : null}
      {vat ? (
        <span className="party-id">
          {t.invoice.vatNumber} <span className="mono">{vat}</span>
        </span>
      ) : null}
      {party.fiscalCode ? (
        <span className="party-id">
          {t.invoice.fiscalCode} <span className="mono">{party.fiscalCode}</span>
        </span>
      ) : null}
    </span>
  );
}

function signerText(t: Messages, signer: SignerInfo, locale: string): string {
  let text = `${t.invoice.signedBy} ${signer.commonName ?? t.invoice.unknownSigner}`;
  if (signer.fiscalCode) text += ` (${signer.fiscalCode})`;
  if (signer.issuer) text += `, ${t.invoice.certificateOf} ${signer.issuer}`;
  if (signer.signingTime) text += `, ${t.invoice.signedOn} ${formatDateTime(signer.signingTime, locale)}`;
  return text;
}

function Signature({ signers }: { signers: SignerInfo[] }) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  return (
    <div className="signature" data-testid="invoice-signature">
      {signers.length === 0 ? (
        <p>
          {t.invoice.signedBy} {t.invoice.unknownSigner}
        </p>
      ) : (
        signers.map((signer, index) => <p key={index}>{signerText(t, signer, locale)}</p>)
      )}
      <p className="note">{t.invoice.signatureNotVerified}</p>
    </div>
  );
}

function PdfGuessView({ guess, unreadable }: { guess: PdfGuess | null; unreadable: string | null }) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  const found = guess !== null && (guess.number !== null || guess.date !== null || guess.total !== null || guess.vatNumbers.length > 0);
  return (
    <section className="detail-section invoice-section guessed" data-testid="invoice-section" data-guessed="true">
      <h3>{found ? t.invoice.titleGuessed : t.invoice.title}</h3>
      {unreadable ? (
        <p className="note" data-testid="pdf-unreadable" title={unreadable}>
          {t.invoice.pdfUnreadable}
        </p>
      ) : null}
      {guess && found ? (
        <>
          <p className="guess-note">{t.invoice.guessNote}</p>
          <Rows
            rows={[
              [t.invoice.guessNumber, guess.number ? <span className="mono">{guess.number}</span> : null],
              [t.invoice.guessDate, formatInvoiceDate(guess.date, locale)],
              [t.invoice.guessTotal, formatTotal(guess.total, null, true, locale)],
              [t.invoice.guessVatNumbers, guess.vatNumbers.length > 0 ? <span className="mono">{guess.vatNumbers.join(', ')}</span> : null],
            ]}
          />
        </>
      ) : null}
      {guess && !found ? <p className="note">{t.invoice.guessNothing}</p> : null}
    </section>
  );
}
