import { describe, expect, it } from 'vitest';
import { XsdPatternError, translateXsdPattern } from '../../src/core/inspect/preflight/schema/xsd-regex.ts';
import { startCpuClock } from '../helpers/cpu-time.ts';

const matches = (pattern: string, value: string): boolean => translateXsdPattern(pattern).regex.test(value);

describe('XSD pattern translation', () => {
  it('is anchored: the whole value must match', () => {
    expect(matches('[A-Z0-9]{6,7}', 'ABC123')).toBe(true);
    expect(matches('[A-Z0-9]{6,7}', 'ABC1234')).toBe(true);
    expect(matches('[A-Z0-9]{6,7}', 'xABC123')).toBe(false);
    expect(matches('[A-Z0-9]{6,7}', 'ABC12345')).toBe(false);
    expect(matches('a|b', 'ab')).toBe(false);
  });

  it('translates Unicode blocks, which JavaScript does not know', () => {
    const basic = '(\\p{IsBasicLatin}{1,10})';
    expect(matches(basic, 'ABC 123 ;!')).toBe(true);
    expect(matches(basic, 'caffè')).toBe(false);
    expect(matches(basic, '12345678901')).toBe(false);
    const latin1 = '[\\p{IsBasicLatin}\\p{IsLatin-1Supplement}]{1,5}';
    expect(matches(latin1, 'caffè')).toBe(true);
    expect(matches(latin1, 'ÿ')).toBe(true);
    expect(matches(latin1, '5 €')).toBe(false);
    expect(matches(latin1, '“a”')).toBe(false);
    expect(matches(latin1, '😀')).toBe(false);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(matches('.{1,2}', '😀😀')).toBe(true);
    expect(translateXsdPattern('[\\p{IsBasicLatin}\\p{IsLatin-1Supplement}]{1,1000}').maxLength).toBe(1000);
  });

  it('keeps ^ and $ as ordinary characters, and . away from line breaks', () => {
    expect(matches('a^b$', 'a^b$')).toBe(true);
    expect(matches('a.b', 'a-b')).toBe(true);
    expect(matches('a.b', 'a\nb')).toBe(false);
  });

  it('reads ranges, literal dashes, escapes and negated classes as XSD does', () => {
    expect(matches('[\\-]?[0-9]{1,11}\\.[0-9]{2}', '-12.50')).toBe(true);
    expect(matches('[\\-]?[0-9]{1,11}\\.[0-9]{2}', '12,50')).toBe(false);
    expect(matches('[a-c-]+', 'a-c')).toBe(true);
    expect(matches('[^-~ ]', 'a')).toBe(true);
    expect(matches('[^-~ ]', '-')).toBe(false);
    expect(matches('[.]+', '..')).toBe(true);
    expect(matches('[.]+', 'ab')).toBe(false);
  });

  it('handles the FatturaPA email patterns', () => {
    const pec =
      "([!#-'*+/-9=?A-Z^-~-]+(\\.[!#-'*+/-9=?A-Z^-~-]+)*|\"(\\[\\]!#-[^-~ \\t]|(\\\\[\\t -~]))+\")@([!#-'*+/-9=?A-Z^-~-]+(\\.[!#-'*+/-9=?A-Z^-~-]+)*|\\[[\\t -Z^-~]*\\])";
    expect(matches(pec, 'fatture@pec.esempio.it')).toBe(true);
    expect(matches(pec, 'nome.cognome+x@[192.168.0.1]')).toBe(true);
    expect(matches(pec, 'fatture pec@esempio.it')).toBe(false);
    expect(matches(pec, 'fatture@@esempio.it')).toBe(false);
    expect(matches(pec, '.fatture@esempio.it')).toBe(false);
    expect(matches('.+@.+[.]+.+', 'a@b.it')).toBe(true);
    expect(matches('.+@.+[.]+.+', 'a@bit')).toBe(false);
  });

  it('computes the longest possible match, Infinity when unbounded', () => {
    expect(translateXsdPattern('[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3}){0,1}').maxLength).toBe(11);
    expect(translateXsdPattern('[a-zA-Z]{2}[0-9]{2}[a-zA-Z0-9]{11,30}').maxLength).toBe(34);
    expect(translateXsdPattern('.+@.+').maxLength).toBe(Infinity);
    expect(translateXsdPattern('(a*)*').maxLength).toBe(Infinity);
    expect(translateXsdPattern('a{0}').maxLength).toBe(0);
  });

  it('refuses what it cannot translate faithfully, instead of guessing', () => {
    for (const pattern of ['[a-z-[aeiou]]', '\\i\\c*', 'a*?', '[\\P{IsBasicLatin}]', '\\p{IsKlingon}', '(ab', '[ab', 'a{3,2}', 'a{99999}']) {
      expect(() => translateXsdPattern(pattern), pattern).toThrow(XsdPatternError);
    }
  });

  it('stays fast on long hostile input', () => {
    const cpuMs = startCpuClock(); // CPU time: backtracking burns it whatever the load
    expect(matches('.+@.+[.]+.+', `${'a@'.repeat(2000)}`)).toBe(false);
    expect(matches("([!#-'*+/-9=?A-Z^-~-]+(\\.[!#-'*+/-9=?A-Z^-~-]+)*)@x", `${'a.'.repeat(5000)}!`)).toBe(false);
    expect(cpuMs()).toBeLessThan(2000);
  });
});
