import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../src/core/hub/retry-after.ts';

const now = new Date('2025-03-10T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds as milliseconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', now)).toBe(5_000);
  });

  it('reads an HTTP-date as the time left until then', () => {
    expect(parseRetryAfter('Mon, 10 Mar 2025 12:01:30 GMT', now)).toBe(90_000);
    // The obsolete RFC 850 and asctime forms are still HTTP-dates.
    expect(parseRetryAfter('Monday, 10-Mar-25 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon Mar 10 12:00:20 2025', now)).toBe(20_000);
  });

  it('treats a date in the past as "now"', () => {
    expect(parseRetryAfter('Mon, 10 Mar 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('caps any wish at one hour', () => {
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('99999999999999999999999', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 10 Mar 2045 12:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('returns null when absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('10 minutes', now)).toBeNull();
    expect(parseRetryAfter('Mon, 99 Foo 2025 99:99:99 GMT', now)).toBeNull();
  });
});
