// Exact decimal arithmetic for invoice amounts: a value is an integer (BigInt) and a scale (how
// many digits are decimals), so 1.10 is 110n / 2. Binary floating point cannot hold 0.1 exactly,
// and a check with a 0.01 tolerance must not depend on how 0.1 + 0.2 rounds. Only what the SDI
// rules need: +, -, ×, ÷ by a power of ten, comparison, rounding half away from zero.

export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const POWERS: bigint[] = [];
function pow10(exponent: number): bigint {
  let power = POWERS[exponent];
  if (power === undefined) {
    power = 10n ** BigInt(exponent);
    POWERS[exponent] = power;
  }
  return power;
}

export const ZERO: Decimal = { units: 0n, scale: 0 };

const DECIMAL = /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/;

/** "12.50", "-0.01", "5" → a Decimal; anything else (the schema check reports it) → null. */
export function parseDecimal(text: string | undefined): Decimal | null {
  if (text === undefined) return null;
  if (text.length > 40) return null;
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const fraction = match[3] ?? '';
  const digits = fraction === '' ? (match[2] ?? '') : `${match[2]}${fraction}`;
  // Up to 15 digits a Number is exact and BigInt(number) is cheaper than parsing a string.
  const units = digits.length <= 15 ? BigInt(Number(digits)) : BigInt(digits);
  return { units: match[1] === '-' ? -units : units, scale: fraction.length };
}

/** A literal known to be valid, e.g. dec('0.01'). */
export function dec(text: string): Decimal {
  const value = parseDecimal(text);
  if (!value) throw new Error(`not a decimal: ${text}`);
  return value;
}

function atScale(value: Decimal, scale: number): bigint {
  return value.scale === scale ? value.units : value.units * pow10(scale - value.scale);
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: atScale(a, scale) + atScale(b, scale), scale };
}

export function sub(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { units: atScale(a, scale) - atScale(b, scale), scale };
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** value / 10^exponent, exactly (a percentage: divideByPowerOfTen(x, 2)). */
export function divideByPowerOfTen(value: Decimal, exponent: number): Decimal {
  return { units: value.units, scale: value.scale + exponent };
}

function negate(value: Decimal): Decimal {
  return { units: -value.units, scale: value.scale };
}

export function abs(value: Decimal): Decimal {
  return value.units < 0n ? negate(value) : value;
}

export function compare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale);
  const left = atScale(a, scale);
  const right = atScale(b, scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

export function isZero(value: Decimal): boolean {
  return value.units === 0n;
}

/** Rounded to `scale` decimals, half away from zero (how amounts are rounded in invoices). */
export function round(value: Decimal, scale: number): Decimal {
  if (value.scale <= scale) return { units: atScale(value, scale), scale };
  const divisor = pow10(value.scale - scale);
  const negative = value.units < 0n;
  const magnitude = negative ? -value.units : value.units;
  let quotient = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
  return { units: negative ? -quotient : quotient, scale };
}

/** |a - b| <= tolerance. */
export function within(a: Decimal, b: Decimal, tolerance: Decimal): boolean {
  return compare(abs(sub(a, b)), tolerance) <= 0;
}

/** Plain text with at least `minScale` decimals and no trailing zeros beyond them: 1.1 → "1.10". */
export function formatDecimal(value: Decimal, minScale = 2): string {
  let { units, scale } = value;
  while (scale > minScale && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  if (scale < minScale) {
    units *= pow10(minScale - scale);
    scale = minScale;
  }
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** A key equal for equal values: "22", "22.0" and "22.00" give the same key. */
export function decimalKey(value: Decimal): string {
  return formatDecimal(value, 0);
}
