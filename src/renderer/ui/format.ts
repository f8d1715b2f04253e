// Dates, sizes and numbers in the reader's local format (it-IT by default).
import type { Language } from '../i18n/language.ts';
import { dateTimeFormat, numberFormat } from './intl-cache.ts';

/** The formatting locale: Italian is always it-IT; English follows the browser's English variant. */
export function formatLocale(language: Language): string {
  if (language === 'it') return 'it-IT';
  const english = (navigator.languages ?? [navigator.language]).find((tag) => tag.toLowerCase().startsWith('en-'));
  return english ?? 'en-GB';
}

export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(date);
}

/** Without seconds, for the list where space is short. */
export function formatShortDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(date);
}

export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}

export function formatNumber(value: number, locale: string): string {
  return numberFormat(locale).format(value);
}

export function formatBytes(count: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : 1;
  return `${numberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/** Days from now until `iso` (negative when past), or null when unknown. */
export function daysUntil(iso: string | null, now = Date.now()): number | null {
  if (!iso) return null;
  const time = new Date(iso).getTime();
  if (Number.isNaN(time)) return null;
  return Math.floor((time - now) / 86_400_000);
}
