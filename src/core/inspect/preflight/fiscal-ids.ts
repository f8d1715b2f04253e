// Check digits of Italian tax identifiers. A failure is only ever a warning: SDI checks the number
// against the tax register, and the official samples use numbers that fail these checks.

/**
 * Partita IVA: 11 digits, the last a Luhn-style check digit (docs/preflight.md). All zeros passes
 * the arithmetic but is never issued, so it is refused.
 */
export function checkPartitaIva(vat: string): boolean {
  if (!/^[0-9]{11}$/.test(vat) || vat === '00000000000') return false;
  let total = 0;
  for (let index = 0; index < 10; index += 1) {
    const digit = vat.charCodeAt(index) - 48;
    if (index % 2 === 0) {
      total += digit; // positions 1, 3, 5, 7, 9
    } else {
      const doubled = digit * 2; // positions 2, 4, 6, 8, 10
      total += doubled > 9 ? doubled - 9 : doubled;
    }
  }
  return (10 - (total % 10)) % 10 === vat.charCodeAt(10) - 48;
}

// Omocodia: when two people would get the same code, digits are replaced, from the right, by these
// letters (0 → L … 9 → V). The check letter is computed on the code as written.
const OMOCODIA_LETTERS = 'LMNPQRSTUV';
const MONTH_LETTERS = 'ABCDEHLMPRST';
const DIGIT_OR_OMOCODIA = '[0-9LMNPQRSTUV]';
const PERSONAL_CODE = new RegExp(`^[A-Z]{6}${DIGIT_OR_OMOCODIA}{2}[${MONTH_LETTERS}]${DIGIT_OR_OMOCODIA}{2}[A-Z]${DIGIT_OR_OMOCODIA}{3}[A-Z]$`);
// Values of characters in odd positions (1st, 3rd, …), for 0–9 and A–Z alike (0 and A share a value).
const ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

function characterIndex(char: string): number {
  const code = char.charCodeAt(0);
  return code <= 57 ? code - 48 : code - 65; // '0'..'9' → 0..9, 'A'..'Z' → 0..25
}

function decodeOmocodia(chars: string): number {
  let value = 0;
  for (const char of chars) {
    const digit = /[0-9]/.test(char) ? Number(char) : OMOCODIA_LETTERS.indexOf(char);
    value = value * 10 + digit;
  }
  return value;
}

/** Check letter of the first 15 characters of a personal codice fiscale. */
export function codiceFiscaleCheckLetter(first15: string): string {
  let total = 0;
  for (let index = 0; index < 15; index += 1) {
    const value = characterIndex(first15.charAt(index));
    total += index % 2 === 0 ? (ODD_VALUES[value] ?? 0) : value;
  }
  return String.fromCharCode(65 + (total % 26));
}

/**
 * Codice fiscale: 16 characters for a person (format, day of birth 1–31 or 41–71 for women,
 * omocodia letters, check letter), or 11 digits for a company or a provisional code (same check as
 * the Partita IVA). Lower case is accepted here; the schema itself requires upper case.
 */
export function checkCodiceFiscale(cf: string): boolean {
  const code = cf.toUpperCase();
  if (code.length === 11) return checkPartitaIva(code);
  if (!PERSONAL_CODE.test(code)) return false;
  const day = decodeOmocodia(code.slice(9, 11));
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return false;
  return codiceFiscaleCheckLetter(code.slice(0, 15)) === code.charAt(15);
}
