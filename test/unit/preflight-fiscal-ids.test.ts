import { describe, expect, it } from 'vitest';
import { checkCodiceFiscale, checkPartitaIva } from '../../src/core/inspect/preflight/preflight.ts';
import { codiceFiscaleCheckLetter } from '../../src/core/inspect/preflight/fiscal-ids.ts';

describe('checkPartitaIva', () => {
  it('accepts numbers whose check digit is right', () => {
    // Check digits computed by hand with the algorithm of docs/preflight.md.
    for (const vat of ['01234567897', '09876543217', '12345678903', '00112233440', '07431230965']) {
      expect(checkPartitaIva(vat), vat).toBe(true);
    }
  });

  it('refuses the official samples (they fail the check digit by design)', () => {
    expect(checkPartitaIva('01234567890')).toBe(false);
    expect(checkPartitaIva('09876543210')).toBe(false);
  });

  it('refuses a wrong check digit, a changed digit and swapped digits', () => {
    expect(checkPartitaIva('01234567898')).toBe(false);
    expect(checkPartitaIva('01234567807')).toBe(false);
    expect(checkPartitaIva('10234567897')).toBe(false);
  });

  it('refuses wrong lengths, letters, spaces and all zeros', () => {
    for (const vat of ['', '0123456789', '012345678970', '0123456789A', ' 01234567897', 'IT01234567897', '00000000000']) {
      expect(checkPartitaIva(vat), JSON.stringify(vat)).toBe(false);
    }
  });
});

describe('checkCodiceFiscale', () => {
  it('accepts valid personal codes (men and women)', () => {
    expect(checkCodiceFiscale('RSSMRA85T10A562S')).toBe(true);
    expect(checkCodiceFiscale('MRTMTT25D09F205Z')).toBe(true);
    expect(checkCodiceFiscale('BNCGLI80A41H501C')).toBe(true); // day 41: a woman born on the 1st
  });

  it('accepts omocodia variants, whose digits are replaced by L–V and whose check letter changes', () => {
    expect(checkCodiceFiscale('RSSMRA85T10A56NH')).toBe(true); // last digit 2 → N
    expect(checkCodiceFiscale('RSSMRA85T10A5RNS')).toBe(true); // 6 → R as well
    expect(checkCodiceFiscale('RSSMRAURTMLARSNL')).toBe(true); // every digit replaced
  });

  it('is case-insensitive', () => {
    expect(checkCodiceFiscale('rssmra85t10a562s')).toBe(true);
  });

  it('refuses a wrong check letter', () => {
    expect(checkCodiceFiscale('RSSMRA85T10A562T')).toBe(false);
    expect(checkCodiceFiscale('RSSMRA85T10A56NS')).toBe(false); // omocodia without recomputing the check
  });

  it('refuses bad formats: month letter, day, digits where letters go, non-omocodia letters, length', () => {
    const withCheck = (first15: string): string => first15 + codiceFiscaleCheckLetter(first15);
    expect(checkCodiceFiscale(withCheck('RSSMRA85T10A562'))).toBe(true);
    expect(checkCodiceFiscale(withCheck('RSSMRA85F10A562'))).toBe(false); // F is not a month letter
    expect(checkCodiceFiscale(withCheck('RSSMRA85T32A562'))).toBe(false); // day 32
    expect(checkCodiceFiscale(withCheck('RSSMRA85T00A562'))).toBe(false); // day 0
    expect(checkCodiceFiscale(withCheck('RSSMRA85T72A562'))).toBe(false); // day 72 (31 + 40 is the last)
    expect(checkCodiceFiscale(withCheck('RSS1RA85T10A562'))).toBe(false); // digit in the name part
    expect(checkCodiceFiscale(withCheck('RSSMRA85T10A56A'))).toBe(false); // A is not an omocodia letter
    expect(checkCodiceFiscale('RSSMRA85T10A562')).toBe(false);
    expect(checkCodiceFiscale('RSSMRA85T10A562SS')).toBe(false);
    expect(checkCodiceFiscale('')).toBe(false);
  });

  it('checks an 11-digit code (companies) like a Partita IVA', () => {
    expect(checkCodiceFiscale('01234567897')).toBe(true);
    expect(checkCodiceFiscale('09876543210')).toBe(false);
    expect(checkCodiceFiscale('0123456789')).toBe(false);
  });
});
