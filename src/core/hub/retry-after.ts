// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. The hub's wish is honoured, but a
// broken or hostile value can never park the queue for more than an hour.

export const MAX_RETRY_AFTER_MS = 3_600_000;

const DELAY_SECONDS = /^\d+$/;
// IMF-fixdate, the obsolete RFC 850 form and asctime all start with a day name.
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i;

/** Milliseconds to wait, capped at one hour; null when the header is absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (DELAY_SECONDS.test(text)) {
    return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  }
  if (!HTTP_DATE.test(text)) return null;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return null;
  // A date already past means "now".
  return Math.min(Math.max(at - now.getTime(), 0), MAX_RETRY_AFTER_MS);
}
