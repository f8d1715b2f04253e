// Lexical checks of the XSD built-in types and the ordering used by range facets.
import type { BuiltinType, WhiteSpace } from './xsd-model.ts';

export function normalizeWhiteSpace(value: string, mode: WhiteSpace): string {
  if (mode === 'preserve') return value;
  const replaced = value.replace(/[\t\n\r]/g, ' ');
  return mode === 'replace' ? replaced : replaced.replace(/ {2,}/g, ' ').trim();
}

const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
const INTEGER = /^[+-]?[0-9]+$/;
const DATE = /^(-?)([0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?$/;
const DATE_TIME = /^(-?)([0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/;
const BASE64 = /^[A-Za-z0-9+/]*$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function validTimeZone(zone: string | undefined): boolean {
  if (zone === undefined || zone === 'Z') return true;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  return minutes <= 59 && (hours < 14 || (hours === 14 && minutes === 0));
}

function validDay(yearText: string, monthText: string, dayText: string): boolean {
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  // XSD 1.0 has no year 0; a year over 4 digits may not start with 0.
  if (year === 0 || (yearText.length > 4 && yearText.startsWith('0'))) return false;
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function isValidDate(value: string): boolean {
  const match = DATE.exec(value);
  return !!match && validDay(match[2] ?? '', match[3] ?? '', match[4] ?? '') && validTimeZone(match[5]);
}

function isValidDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match || !validDay(match[2] ?? '', match[3] ?? '', match[4] ?? '') || !validTimeZone(match[9])) return false;
  const hours = Number(match[5]);
  const minutes = Number(match[6]);
  const seconds = Number(match[7]);
  const endOfDay = hours === 24 && minutes === 0 && seconds === 0 && /^(\.0*)?$/.test(match[8] ?? '');
  return endOfDay || (hours <= 23 && minutes <= 59 && seconds <= 59);
}

/** Decoded length in octets, or null if not base64 (whitespace allowed, padding only at the end). */
export function base64Octets(value: string): number | null {
  const compact = value.replace(/[ \t\n\r]/g, '');
  if (compact.length % 4 !== 0) return null;
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  const body = compact.slice(0, compact.length - padding);
  if (!BASE64.test(body)) return null;
  // The last character before padding may only carry bits that are actually used.
  const last = body.charAt(body.length - 1);
  if (padding === 2 && !'AQgw'.includes(last)) return null;
  if (padding === 1 && !'AEIMQUYcgkosw048'.includes(last)) return null;
  return (compact.length / 4) * 3 - padding;
}

export function isLexicallyValid(value: string, builtin: BuiltinType): boolean {
  switch (builtin) {
    case 'anySimpleType':
    case 'string':
    case 'normalizedString':
    case 'token':
      return true;
    case 'decimal':
      return DECIMAL.test(value);
    case 'integer':
      return INTEGER.test(value);
    case 'nonNegativeInteger':
      return INTEGER.test(value) && (!value.startsWith('-') || /^-0+$/.test(value));
    case 'positiveInteger':
      return INTEGER.test(value) && !value.startsWith('-') && /[1-9]/.test(value);
    case 'boolean':
      return ['true', 'false', '1', '0'].includes(value);
    case 'date':
      return isValidDate(value);
    case 'dateTime':
      return isValidDateTime(value);
    case 'base64Binary':
      return base64Octets(value) !== null;
  }
}

export function isNumeric(builtin: BuiltinType): boolean {
  return ['decimal', 'integer', 'nonNegativeInteger', 'positiveInteger'].includes(builtin);
}

/**
 * A number that orders values of a date, dateTime or numeric type for min/max facets. Time zones
 * are ignored (the schemas only bound dates by day).
 */
export function orderingKey(value: string, builtin: BuiltinType): number {
  if (isNumeric(builtin)) return Number(value);
  const match = /^(-?)([0-9]{4,})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}):([0-9]{2}))?/.exec(value);
  if (!match) return NaN;
  const sign = match[1] === '-' ? -1 : 1;
  const [year, month, day, hours, minutes, seconds] = [2, 3, 4, 5, 6, 7].map((index) => Number(match[index] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return sign * year * 1e10 + month * 1e8 + day * 1e6 + hours * 1e4 + minutes * 100 + seconds;
}

/** Total digits and fraction digits of a decimal, ignoring sign and insignificant zeros. */
export function decimalDigits(value: string): { total: number; fraction: number } {
  const unsigned = value.replace(/^[+-]/, '');
  const [integerPart = '', fractionPart = ''] = unsigned.split('.');
  const integer = integerPart.replace(/^0+/, '');
  const fraction = fractionPart.replace(/0+$/, '');
  return { total: Math.max(integer.length + fraction.length, 1), fraction: fraction.length };
}
