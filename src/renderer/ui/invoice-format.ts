// Invoice values in the reader's format. Amounts stay strings: an XML amount ("1220.00") is
// regrouped digit by digit (never through a float, so nothing is rounded); anything else, such as
// an amount printed in a PDF, is shown as it was written.

import { dateTimeFormat, numberFormat } from './intl-cache.ts';

const XML_AMOUNT = /^(-?)(\d+)(?:\.(\d+))?$/;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "1220.00" → "1.220,00" in it-IT, "1,220.00" in en-GB; other forms unchanged. */
export function formatXmlAmount(value: string, locale: string): string {
  const match = XML_AMOUNT.exec(value.trim());
  if (!match) return value;
  const [, sign = '', whole = '0', fraction] = match;
  const integer = numberFormat(locale, { useGrouping: 'always' }).format(BigInt(whole));
  if (fraction === undefined) return `${sign}${integer}`;
  const decimal =
    numberFormat(locale)
      .formatToParts(1.5)
      .find((part) => part.type === 'decimal')?.value ?? '.';
  return `${sign}${integer}${decimal}${fraction}`;
}

/** "2014-12-18" → "18/12/2014" (it-IT). A calendar day, so no time zone may shift it. */
export function formatInvoiceDate(value: string | null, locale: string): string {
  if (!value) return '';
  const match = ISO_DAY.exec(value);
  if (!match) return value;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(time)) return value;
  return dateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(time);
}

/** A total with its currency: the XML form regrouped, a guessed (printed) one left alone. */
export function formatTotal(total: string | null, currency: string | null, guessed: boolean, locale: string): string {
  if (!total) return '';
  const amount = guessed ? total : formatXmlAmount(total, locale);
  return currency ? `${amount} ${currency}` : amount;
}
