// The UI's Intl formatters are made once per locale and options (renderer/ui/intl-cache.ts): the
// list formats four values per row on every render, and making a formatter costs far more than
// using one. The same formatter comes back, and formats as a fresh one does.
import { describe, expect, it } from 'vitest';
import { dateTimeFormat, numberFormat } from '../../src/renderer/ui/intl-cache.ts';
import { formatShortDateTime } from '../../src/renderer/ui/format.ts';
import { formatXmlAmount } from '../../src/renderer/ui/invoice-format.ts';

describe('Intl formatters kept per locale and options', () => {
  it('gives the same formatter for the same locale and options, another for others', () => {
    const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
    expect(dateTimeFormat('it-IT', options)).toBe(dateTimeFormat('it-IT', { ...options }));
    expect(dateTimeFormat('en-GB', options)).not.toBe(dateTimeFormat('it-IT', options));
    expect(dateTimeFormat('it-IT', { dateStyle: 'medium' })).not.toBe(dateTimeFormat('it-IT', options));
    expect(numberFormat('it-IT')).toBe(numberFormat('it-IT', {}));
    expect(numberFormat('it-IT', { useGrouping: 'always' })).not.toBe(numberFormat('it-IT'));
  });

  it('formats as a fresh formatter does, in each locale', () => {
    const at = '2026-03-04T05:06:07.000Z';
    for (const locale of ['it-IT', 'en-GB']) {
      const fresh = new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(
        new Date(at),
      );
      expect(formatShortDateTime(at, locale)).toBe(fresh);
    }
    expect(formatXmlAmount('1220.00', 'it-IT')).toBe('1.220,00');
    expect(formatXmlAmount('1220.00', 'en-GB')).toBe('1,220.00');
  });
});
