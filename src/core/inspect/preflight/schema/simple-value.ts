// Checks one text value against a simple type: whitespace, built-in lexical form, then facets.
// Returns the first problem only: one clear reason per field is what a user can act on.
import { base64Octets, decimalDigits, isLexicallyValid, isNumeric, normalizeWhiteSpace, orderingKey } from './xsd-datatypes.ts';
import type { BuiltinType, SimpleTypeDef } from './xsd-model.ts';
import { translateXsdPattern } from './xsd-regex.ts';
import type { TranslatedPattern } from './xsd-regex.ts';

export type ValueProblem =
  | { kind: 'lexical'; builtin: BuiltinType }
  | { kind: 'length' | 'minLength' | 'maxLength'; expected: number; actual: number }
  | { kind: 'characters'; badChar: string; charset: string }
  | { kind: 'pattern'; patterns: string[] }
  | { kind: 'enumeration'; allowed: string[] }
  | { kind: 'minInclusive' | 'maxInclusive' | 'minExclusive' | 'maxExclusive'; limit: string }
  | { kind: 'totalDigits' | 'fractionDigits'; expected: number };

/** Values longer than this are not run through an unbounded pattern (no schema here has one without a maxLength). */
const MAX_PATTERN_INPUT = 100_000;

/** A pattern that only says "m to n characters from these blocks", e.g. `[\p{IsBasicLatin}\p{IsLatin-1Supplement}]{1,80}`. */
interface CharsetPattern {
  charClass: TranslatedPattern;
  min: number;
  max: number;
  blocks: string[];
}

const charsetCache = new Map<string, CharsetPattern | null>();

function charsetPattern(source: string): CharsetPattern | null {
  if (charsetCache.has(source)) return charsetCache.get(source) ?? null;
  const match = /^\(?(\\p\{Is[A-Za-z0-9-]+\}|\[(?:\\p\{Is[A-Za-z0-9-]+\})+\])\{([0-9]+),([0-9]+)\}\)?$/.exec(source);
  const parsed = match
    ? {
        charClass: translateXsdPattern(match[1] ?? ''),
        min: Number(match[2]),
        max: Number(match[3]),
        blocks: [...(match[1] ?? '').matchAll(/\\p\{Is([A-Za-z0-9-]+)\}/g)].map((block) => block[1] ?? ''),
      }
    : null;
  charsetCache.set(source, parsed);
  return parsed;
}

function codePointLength(value: string): number {
  let count = 0;
  for (const _char of value) count += 1;
  return count;
}

function matchesOne(value: string, length: number, step: TranslatedPattern[]): boolean {
  return step.some((pattern) => length <= pattern.maxLength && pattern.regex.test(value));
}

/** Why a charset-only pattern failed, in the user's terms: length, or the first character outside the set. */
function explainCharset(value: string, length: number, step: TranslatedPattern[]): ValueProblem | null {
  const charset = step.length === 1 ? charsetPattern(step[0]?.source ?? '') : null;
  if (!charset) return null;
  if (length > charset.max) return { kind: 'maxLength', expected: charset.max, actual: length };
  if (length < charset.min) return { kind: 'minLength', expected: charset.min, actual: length };
  for (const char of value) {
    if (!charset.charClass.regex.test(char)) return { kind: 'characters', badChar: char, charset: charset.blocks.join('+') };
  }
  return null;
}

function checkPatterns(value: string, type: SimpleTypeDef): ValueProblem | null {
  if (type.facets.patterns.length === 0) return null;
  const length = value.length <= MAX_PATTERN_INPUT ? codePointLength(value) : value.length;
  for (const step of type.facets.patterns) {
    const bounded = step.every((pattern) => pattern.maxLength !== Infinity);
    if (!bounded && length > MAX_PATTERN_INPUT) return { kind: 'maxLength', expected: MAX_PATTERN_INPUT, actual: length };
    if (!matchesOne(value, length, step)) return explainCharset(value, length, step) ?? { kind: 'pattern', patterns: step.map((p) => p.source) };
  }
  return null;
}

function checkLengths(value: string, type: SimpleTypeDef): ValueProblem | null {
  const { length, minLength, maxLength } = type.facets;
  if (length === undefined && minLength === undefined && maxLength === undefined) return null;
  const actual = type.builtin === 'base64Binary' ? (base64Octets(value) ?? 0) : codePointLength(value);
  if (length !== undefined && actual !== length) return { kind: 'length', expected: length, actual };
  if (minLength !== undefined && actual < minLength) return { kind: 'minLength', expected: minLength, actual };
  if (maxLength !== undefined && actual > maxLength) return { kind: 'maxLength', expected: maxLength, actual };
  return null;
}

function checkRange(value: string, type: SimpleTypeDef): ValueProblem | null {
  const { minInclusive, maxInclusive, minExclusive, maxExclusive } = type.facets;
  const key = orderingKey(value, type.builtin);
  const limit = (bound: string): number => orderingKey(bound, type.builtin);
  if (minInclusive !== undefined && !(key >= limit(minInclusive))) return { kind: 'minInclusive', limit: minInclusive };
  if (maxInclusive !== undefined && !(key <= limit(maxInclusive))) return { kind: 'maxInclusive', limit: maxInclusive };
  if (minExclusive !== undefined && !(key > limit(minExclusive))) return { kind: 'minExclusive', limit: minExclusive };
  if (maxExclusive !== undefined && !(key < limit(maxExclusive))) return { kind: 'maxExclusive', limit: maxExclusive };
  return null;
}

function checkDigits(value: string, type: SimpleTypeDef): ValueProblem | null {
  const { totalDigits, fractionDigits } = type.facets;
  if ((totalDigits === undefined && fractionDigits === undefined) || !isNumeric(type.builtin)) return null;
  const digits = decimalDigits(value);
  if (totalDigits !== undefined && digits.total > totalDigits) return { kind: 'totalDigits', expected: totalDigits };
  if (fractionDigits !== undefined && digits.fraction > fractionDigits) return { kind: 'fractionDigits', expected: fractionDigits };
  return null;
}

export function checkSimpleValue(raw: string, type: SimpleTypeDef): ValueProblem | null {
  const value = normalizeWhiteSpace(raw, type.whiteSpace);
  // A closed list says it all: "must be one of …" helps more than a length or format complaint.
  if (type.facets.enumeration && !type.facets.enumeration.includes(value)) return { kind: 'enumeration', allowed: type.facets.enumeration };
  if (!isLexicallyValid(value, type.builtin)) return { kind: 'lexical', builtin: type.builtin };
  // Lengths before patterns: the cheapest test, and it bounds the input any pattern sees.
  return checkLengths(value, type) ?? checkPatterns(value, type) ?? checkRange(value, type) ?? checkDigits(value, type);
}
