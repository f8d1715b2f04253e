// XSD regular expressions (XML Schema Part 2, appendix F) translated to JavaScript RegExp.
// The two dialects differ in ways that matter: XSD patterns are implicitly anchored, `^` and `$`
// are ordinary characters, `\p{IsBlock}` names Unicode blocks (JS has no block properties), `.`
// excludes only \n and \r, and there are no lazy quantifiers or backreferences. The translation
// parses the XSD syntax and re-emits every literal as `\u{…}`, so no XSD character can change
// meaning in JS. Constructs this schema does not use and JS cannot express simply (class
// subtraction, `\i`, `\c`, negated blocks inside a class) are refused loudly at load time.

export class XsdPatternError extends Error {
  constructor(pattern: string, reason: string) {
    super(`unsupported or invalid XSD pattern ${JSON.stringify(pattern)}: ${reason}`);
    this.name = 'XsdPatternError';
  }
}

export interface TranslatedPattern {
  /** The XSD source, for messages. */
  source: string;
  /** Anchored, `u` flag. */
  regex: RegExp;
  /** Longest string the pattern can match, in code points (Infinity when unbounded): longer values fail without running the regex. */
  maxLength: number;
}

// Unicode blocks used by FatturaPA and SDI schemas, plus their neighbours.
const BLOCK_RANGES: Record<string, [number, number]> = {
  BasicLatin: [0x0000, 0x007f],
  'Latin-1Supplement': [0x0080, 0x00ff],
  'LatinExtended-A': [0x0100, 0x017f],
  'LatinExtended-B': [0x0180, 0x024f],
  IPAExtensions: [0x0250, 0x02af],
  GeneralPunctuation: [0x2000, 0x206f],
  CurrencySymbols: [0x20a0, 0x20cf],
};

// Unicode general categories JS accepts as \p{..} with the `u` flag.
const CATEGORIES = new Set([
  'L',
  'Lu',
  'Ll',
  'Lt',
  'Lm',
  'Lo',
  'M',
  'Mn',
  'Mc',
  'Me',
  'N',
  'Nd',
  'Nl',
  'No',
  'P',
  'Pc',
  'Pd',
  'Ps',
  'Pe',
  'Pi',
  'Pf',
  'Po',
  'Z',
  'Zs',
  'Zl',
  'Zp',
  'S',
  'Sm',
  'Sc',
  'Sk',
  'So',
  'C',
  'Cc',
  'Cf',
  'Co',
  'Cn',
]);

const SINGLE_CHAR_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  '|': '|',
  '.': '.',
  '-': '-',
  '^': '^',
  '?': '?',
  '*': '*',
  '+': '+',
  '{': '{',
  '}': '}',
  '(': '(',
  ')': ')',
  '[': '[',
  ']': ']',
};

const MAX_UNROLL = 10_000;

/** Longest match of an atom repeated up to `times` (0 × ∞ is 0, not NaN). */
function repeatLength(atomLength: number, times: number): number {
  return atomLength === 0 || times === 0 ? 0 : atomLength * times;
}

function literal(codePoint: number): string {
  return `\\u{${codePoint.toString(16)}}`;
}

interface Fragment {
  js: string;
  maxLength: number;
}

/** A piece of a character class: a JS class body fragment. `single` is set when it is one character (a range end). */
interface ClassItem {
  js: string;
  single?: number;
}

class Translator {
  private readonly chars: string[];
  private position = 0;
  private readonly source: string;

  constructor(source: string) {
    this.source = source;
    this.chars = [...source];
  }

  translate(): Fragment {
    const fragment = this.regExp();
    if (this.position < this.chars.length) this.fail(`unexpected ${JSON.stringify(this.peek())}`);
    return fragment;
  }

  private fail(reason: string): never {
    throw new XsdPatternError(this.source, `${reason} at character ${this.position + 1}`);
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.position + offset];
  }

  private next(): string {
    const char = this.chars[this.position];
    if (char === undefined) this.fail('unexpected end');
    this.position += 1;
    return char;
  }

  private regExp(): Fragment {
    const branches = [this.branch()];
    while (this.peek() === '|') {
      this.position += 1;
      branches.push(this.branch());
    }
    return { js: branches.map((b) => b.js).join('|'), maxLength: Math.max(...branches.map((b) => b.maxLength)) };
  }

  private branch(): Fragment {
    let js = '';
    let maxLength = 0;
    while (this.position < this.chars.length && this.peek() !== '|' && this.peek() !== ')') {
      const piece = this.piece();
      js += piece.js;
      maxLength += piece.maxLength;
    }
    return { js, maxLength };
  }

  private piece(): Fragment {
    const atom = this.atom();
    const char = this.peek();
    if (char === '?') return this.quantified(atom, '?', 1);
    if (char === '*') return this.quantified(atom, '*', Infinity);
    if (char === '+') return this.quantified(atom, '+', Infinity);
    if (char === '{') return this.braces(atom);
    return atom;
  }

  private quantified(atom: Fragment, quantifier: string, max: number): Fragment {
    this.position += 1;
    if (this.peek() === '?') this.fail('lazy quantifiers do not exist in XSD');
    return { js: `(?:${atom.js})${quantifier}`, maxLength: repeatLength(atom.maxLength, max) };
  }

  private braces(atom: Fragment): Fragment {
    this.position += 1;
    const min = this.number();
    let max = min;
    if (this.peek() === ',') {
      this.position += 1;
      max = this.peek() === '}' ? Infinity : this.number();
    }
    if (this.next() !== '}') this.fail('expected }');
    if (max < min || min > MAX_UNROLL || (max !== Infinity && max > MAX_UNROLL)) this.fail('bad or too large repetition');
    const quantifier = max === Infinity ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
    return { js: `(?:${atom.js})${quantifier}`, maxLength: repeatLength(atom.maxLength, max) };
  }

  private number(): number {
    let digits = '';
    while (/[0-9]/.test(this.peek() ?? '')) digits += this.next();
    if (digits === '') this.fail('expected a number');
    return Number(digits);
  }

  private atom(): Fragment {
    const char = this.next();
    switch (char) {
      case '(': {
        const inner = this.regExp();
        if (this.next() !== ')') this.fail('expected )');
        return { js: `(?:${inner.js})`, maxLength: inner.maxLength };
      }
      case '[':
        return { js: this.characterClass(), maxLength: 1 };
      case '.':
        return { js: '[^\\n\\r]', maxLength: 1 };
      case '\\':
        return { js: this.escapeOutsideClass(), maxLength: 1 };
      case '?':
      case '*':
      case '+':
      case '{':
      case '}':
      case ')':
      case ']':
      case '|':
        return this.fail(`unexpected ${JSON.stringify(char)}`);
      default:
        return { js: literal(char.codePointAt(0) ?? 0), maxLength: 1 };
    }
  }

  private escapeOutsideClass(): string {
    const item = this.escapeItem();
    return item.single !== undefined ? item.js : `[${item.js}]`;
  }

  /** After a backslash: a single character or a class escape, as a JS class body fragment. */
  private escapeItem(): ClassItem {
    const char = this.next();
    const single = SINGLE_CHAR_ESCAPES[char];
    if (single !== undefined) return { js: literal(single.codePointAt(0) ?? 0), single: single.codePointAt(0) ?? 0 };
    switch (char) {
      case 'd':
        return { js: '\\p{Nd}' };
      case 'D':
        return { js: '\\P{Nd}' };
      case 's':
        return { js: '\\u{20}\\u{9}\\u{a}\\u{d}' };
      case 'p':
      case 'P':
        return { js: this.property(char === 'P') };
      default:
        return this.fail(`escape \\${char} is not supported`);
    }
  }

  private property(negated: boolean): string {
    if (this.next() !== '{') this.fail('expected {');
    let name = '';
    while (this.peek() !== '}') name += this.next();
    this.position += 1;
    if (name.startsWith('Is')) {
      const range = BLOCK_RANGES[name.slice(2)];
      if (!range) this.fail(`unknown block ${name}`);
      if (negated) this.fail('negated blocks are not supported');
      return `${literal(range[0])}-${literal(range[1])}`;
    }
    if (!CATEGORIES.has(name)) this.fail(`unknown category ${name}`);
    return `\\${negated ? 'P' : 'p'}{${name}}`;
  }

  private characterClass(): string {
    const negated = this.peek() === '^';
    if (negated) this.position += 1;
    let body = '';
    while (this.peek() !== ']') {
      if (this.position >= this.chars.length) this.fail('unterminated [');
      if (this.peek() === '-' && this.peek(1) === '[') this.fail('class subtraction is not supported');
      const start = this.classAtom();
      // A `-` between two characters is a range; at the end of the group it is a literal.
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '[') {
        this.position += 1;
        const end = this.classAtom();
        if (start.single === undefined || end.single === undefined || end.single < start.single) this.fail('bad range');
        body += `${start.js}-${end.js}`;
      } else {
        body += start.js;
      }
    }
    this.position += 1;
    if (body === '') this.fail('empty character class');
    return `[${negated ? '^' : ''}${body}]`;
  }

  private classAtom(): ClassItem {
    const char = this.next();
    if (char === '\\') return this.escapeItem();
    if (char === '[') this.fail('unescaped [ inside a class');
    const codePoint = char.codePointAt(0) ?? 0;
    return { js: literal(codePoint), single: codePoint };
  }
}

const cache = new Map<string, TranslatedPattern>();

export function translateXsdPattern(source: string): TranslatedPattern {
  const known = cache.get(source);
  if (known) return known;
  const fragment = new Translator(source).translate();
  const translated = { source, regex: new RegExp(`^(?:${fragment.js})$`, 'u'), maxLength: fragment.maxLength };
  cache.set(source, translated);
  return translated;
}
