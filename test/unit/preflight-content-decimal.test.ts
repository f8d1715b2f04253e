// The exact decimals behind the amount rules: no binary rounding, half away from zero.
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  compare,
  dec,
  decimalKey,
  divideByPowerOfTen,
  formatDecimal,
  mul,
  parseDecimal,
  round,
  sub,
  within,
} from '../../src/core/inspect/preflight/content/decimal.ts';

const text = (value: ReturnType<typeof dec>, minScale = 2) => formatDecimal(value, minScale);

describe('decimal', () => {
  it('parses what the schema allows and nothing else', () => {
    expect(parseDecimal('12.50')).toEqual({ units: 1250n, scale: 2 });
    expect(parseDecimal('-0.00000001')).toEqual({ units: -1n, scale: 8 });
    expect(parseDecimal('5')).toEqual({ units: 5n, scale: 0 });
    for (const bad of ['', '1,50', '1.2.3', '1e3', ' 1.00', 'abc', '.5', undefined]) expect(parseDecimal(bad)).toBeNull();
  });

  it('adds without binary rounding: 0.1 + 0.2 is 0.3', () => {
    expect(text(add(dec('0.1'), dec('0.2')))).toBe('0.30');
    expect(compare(add(dec('0.1'), dec('0.2')), dec('0.3'))).toBe(0);
    expect(text(sub(dec('1.00'), dec('1.005')), 3)).toBe('-0.005');
  });

  it('multiplies 8-decimal unit prices exactly', () => {
    expect(text(mul(dec('22633.00'), dec('0.030987')))).toBe('701.328771');
    expect(text(mul(dec('3.00'), dec('0.33333333')))).toBe('0.99999999');
    expect(text(divideByPowerOfTen(mul(dec('25.00'), dec('22.00')), 2))).toBe('5.50');
  });

  it('rounds half away from zero', () => {
    expect(text(round(dec('1.005'), 2))).toBe('1.01');
    expect(text(round(dec('-1.005'), 2))).toBe('-1.01');
    expect(text(round(dec('1.0049999'), 2))).toBe('1.00');
    expect(text(round(dec('2.5'), 0), 0)).toBe('3');
    expect(text(round(dec('7'), 2))).toBe('7.00');
  });

  it('compares with a tolerance, inclusive', () => {
    expect(within(dec('1.10'), dec('1.11'), dec('0.01'))).toBe(true);
    expect(within(dec('1.10'), dec('1.1101'), dec('0.01'))).toBe(false);
    expect(within(dec('-5.00'), dec('-4.00'), dec('1.00'))).toBe(true);
    expect(text(abs(dec('-3.10')))).toBe('3.10');
  });

  it('keys equal values alike and formats with at least two decimals', () => {
    expect(decimalKey(dec('22.00'))).toBe(decimalKey(dec('22')));
    expect(decimalKey(dec('0.00'))).toBe('0');
    expect(text(dec('1.1'))).toBe('1.10');
    expect(text(dec('-0.5'))).toBe('-0.50');
    expect(text(dec('0.12345678'))).toBe('0.12345678');
  });
});
