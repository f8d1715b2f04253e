// Italian and English texts for schema violations: what is wrong, where, and what to do.
import { listValues, quoteValue } from '../issue.ts';
import type { Bilingual } from '../issue.ts';
import type { ValueProblem } from './simple-value.ts';
import type { BuiltinType } from './xsd-model.ts';

/** Plain descriptions of the FatturaPA types whose pattern alone would mean nothing to a user. */
const TYPE_HINTS: Record<string, Bilingual> = {
  CodiceDestinatarioType: { it: '6 o 7 lettere maiuscole o cifre', en: '6 or 7 upper-case letters or digits' },
  Amount2DecimalType: {
    it: 'un importo con esattamente 2 decimali e il punto come separatore (es. 1234.50 o -10.00)',
    en: 'an amount with exactly 2 decimals and a dot as separator (e.g. 1234.50 or -10.00)',
  },
  Amount8DecimalType: {
    it: 'un importo con da 2 a 8 decimali e il punto come separatore (es. 12.50)',
    en: 'an amount with 2 to 8 decimals and a dot as separator (e.g. 12.50)',
  },
  RateType: { it: 'una percentuale con 2 decimali e il punto (es. 22.00)', en: 'a percentage with 2 decimals and a dot (e.g. 22.00)' },
  QuantitaType: { it: 'una quantità con da 2 a 8 decimali e il punto (es. 1.00)', en: 'a quantity with 2 to 8 decimals and a dot (e.g. 1.00)' },
  PesoType: { it: 'un peso con 1 o 2 decimali e il punto (es. 12.5)', en: 'a weight with 1 or 2 decimals and a dot (e.g. 12.5)' },
  NazioneType: { it: 'un codice paese ISO 3166 di 2 lettere maiuscole (es. IT)', en: 'an ISO 3166 country code of 2 upper-case letters (e.g. IT)' },
  ProvinciaType: { it: 'una sigla di provincia di 2 lettere maiuscole (es. RM)', en: 'a province code of 2 upper-case letters (e.g. RM)' },
  DivisaType: { it: 'un codice valuta ISO 4217 di 3 lettere maiuscole (es. EUR)', en: 'an ISO 4217 currency code of 3 upper-case letters (e.g. EUR)' },
  TipoResaType: { it: 'un codice Incoterms di 3 lettere maiuscole (es. EXW)', en: 'an Incoterms code of 3 upper-case letters (e.g. EXW)' },
  CAPType: { it: '5 cifre', en: '5 digits' },
  ABIType: { it: '5 cifre', en: '5 digits' },
  CABType: { it: '5 cifre', en: '5 digits' },
  CodiceFiscaleType: { it: 'da 11 a 16 lettere maiuscole o cifre, senza spazi', en: '11 to 16 upper-case letters or digits, no spaces' },
  CodiceFiscalePFType: { it: '16 lettere maiuscole o cifre, senza spazi', en: '16 upper-case letters or digits, no spaces' },
  IBANType: {
    it: 'un IBAN senza spazi (2 lettere, 2 cifre, poi 11–30 lettere o cifre)',
    en: 'an IBAN without spaces (2 letters, 2 digits, then 11–30 letters or digits)',
  },
  BICType: { it: 'un codice BIC/SWIFT di 8 o 11 caratteri maiuscoli', en: 'a BIC/SWIFT code of 8 or 11 upper-case characters' },
  EmailType: {
    it: 'un indirizzo PEC valido, senza spazi (es. fatture@pec.esempio.it)',
    en: 'a valid PEC address, without spaces (e.g. fatture@pec.esempio.it)',
  },
  EmailContattiType: { it: 'un indirizzo email (es. nome@esempio.it)', en: 'an email address (e.g. name@example.it)' },
};

const CHARSETS: Record<string, Bilingual> = {
  BasicLatin: { it: 'ASCII (lettere senza accenti, cifre e punteggiatura comune)', en: 'ASCII (unaccented letters, digits and common punctuation)' },
  'BasicLatin+Latin-1Supplement': {
    it: 'Latin-1 (ISO-8859-1: le lettere accentate sì, simboli come € o le virgolette tipografiche no)',
    en: 'Latin-1 (ISO-8859-1: accented letters are fine, symbols such as € or curly quotes are not)',
  },
};

const LEXICAL: Partial<Record<BuiltinType, Bilingual>> = {
  date: { it: 'non è una data valida: usare il formato AAAA-MM-GG (es. 2024-03-31)', en: 'is not a valid date: use YYYY-MM-DD (e.g. 2024-03-31)' },
  dateTime: {
    it: 'non è una data e ora valida: usare AAAA-MM-GGThh:mm:ss (es. 2024-03-31T14:30:00)',
    en: 'is not a valid date and time: use YYYY-MM-DDThh:mm:ss (e.g. 2024-03-31T14:30:00)',
  },
  decimal: {
    it: 'non è un numero: usare cifre e il punto come separatore decimale, senza separatore delle migliaia (es. 1234.50)',
    en: 'is not a number: use digits and a dot as decimal separator, no thousands separator (e.g. 1234.50)',
  },
  integer: { it: 'non è un numero intero', en: 'is not a whole number' },
  nonNegativeInteger: { it: 'non è un numero intero non negativo', en: 'is not a non-negative whole number' },
  positiveInteger: { it: 'non è un numero intero positivo', en: 'is not a positive whole number' },
  boolean: { it: 'deve essere true o false', en: 'must be true or false' },
  base64Binary: {
    it: 'non è un contenuto base64 valido (allegato troncato o corrotto?)',
    en: 'is not valid base64 content (a truncated or corrupted attachment?)',
  },
};

function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function shownChar(char: string): string {
  return (char.codePointAt(0) ?? 0) < 0x20 ? codePoint(char) : `«${char}» (${codePoint(char)})`;
}

export function valueReason(problem: ValueProblem, typeName: string, builtin: BuiltinType): Bilingual {
  const isDate = builtin === 'date' || builtin === 'dateTime';
  switch (problem.kind) {
    case 'enumeration': {
      const list = listValues(problem.allowed, 15);
      return { it: `deve essere uno di: ${list.it}`, en: `must be one of: ${list.en}` };
    }
    case 'lexical':
      return LEXICAL[problem.builtin] ?? { it: `non è un valore ${problem.builtin} valido`, en: `is not a valid ${problem.builtin}` };
    case 'length':
      return {
        it: `deve avere esattamente ${problem.expected} caratteri (ne ha ${problem.actual})`,
        en: `must be exactly ${problem.expected} characters long (it has ${problem.actual})`,
      };
    case 'minLength':
      return {
        it: `deve avere almeno ${problem.expected} caratteri (ne ha ${problem.actual})`,
        en: `must have at least ${problem.expected} characters (it has ${problem.actual})`,
      };
    case 'maxLength':
      return {
        it: `può avere al massimo ${problem.expected} caratteri (ne ha ${problem.actual}): accorciarlo`,
        en: `may have at most ${problem.expected} characters (it has ${problem.actual}): shorten it`,
      };
    case 'characters': {
      const charset = CHARSETS[problem.charset] ?? { it: problem.charset, en: problem.charset };
      return {
        it: `contiene il carattere ${shownChar(problem.badChar)}, non ammesso: si possono usare solo caratteri ${charset.it}`,
        en: `contains the character ${shownChar(problem.badChar).replace(/[«»]/g, '"')}, which is not allowed: only ${charset.en} characters are accepted`,
      };
    }
    case 'pattern': {
      const hint = TYPE_HINTS[typeName];
      if (hint) return { it: `deve essere ${hint.it}`, en: `must be ${hint.en}` };
      const patterns = problem.patterns.join(' | ');
      return { it: `non rispetta il formato richiesto (${patterns})`, en: `does not match the required format (${patterns})` };
    }
    case 'minInclusive':
      return isDate
        ? { it: `non può essere anteriore a ${problem.limit}`, en: `must not be before ${problem.limit}` }
        : { it: `deve essere almeno ${problem.limit}`, en: `must be at least ${problem.limit}` };
    case 'maxInclusive':
      return isDate
        ? { it: `non può essere successivo a ${problem.limit}`, en: `must not be after ${problem.limit}` }
        : { it: `non può superare ${problem.limit}`, en: `must not exceed ${problem.limit}` };
    case 'minExclusive':
      return { it: `deve essere maggiore di ${problem.limit}`, en: `must be greater than ${problem.limit}` };
    case 'maxExclusive':
      return { it: `deve essere minore di ${problem.limit}`, en: `must be less than ${problem.limit}` };
    case 'totalDigits':
      return { it: `ha più di ${problem.expected} cifre`, en: `has more than ${problem.expected} digits` };
    case 'fractionDigits':
      return { it: `ha più di ${problem.expected} decimali`, en: `has more than ${problem.expected} decimals` };
  }
}

function names(list: readonly string[]): Bilingual {
  return listValues(list, 12);
}

export const schemaMessages = {
  missingElement(missing: string[], alternatives: string[], parent: string, before: string | null): Bilingual {
    const what = names(missing);
    const plural = missing.length > 1;
    const alt = alternatives.length > 0 ? names(alternatives) : null;
    return {
      it:
        `${plural ? 'Mancano gli elementi obbligatori' : "Manca l'elemento obbligatorio"} ${what.it} in ${parent}` +
        `${alt ? ` (in alternativa: ${alt.it})` : ''}${before ? `, da inserire prima di ${before}` : ''}: ${plural ? 'aggiungerli' : 'aggiungerlo'}.`,
      en:
        `Required element${plural ? 's' : ''} ${what.en} ${plural ? 'are' : 'is'} missing in ${parent}` +
        `${alt ? ` (or instead: ${alt.en})` : ''}${before ? `, to be placed before ${before}` : ''}: add ${plural ? 'them' : 'it'}.`,
    };
  },
  outOfOrder(element: string, mustPrecede: string[], parent: string): Bilingual {
    const what = names(mustPrecede);
    return {
      it: `${element} è fuori posto in ${parent}: ${what.it} deve venire prima. Lo schema fissa l'ordine degli elementi: spostarlo.`,
      en: `${element} is out of order in ${parent}: ${what.en} must come before it. The schema fixes the order of the elements: move it.`,
    };
  },
  unknownElement(element: string, parent: string, expected: string[]): Bilingual {
    const list = expected.length > 0 ? names(expected) : null;
    return {
      it: `${element} non è un elemento previsto in ${parent} dallo schema FatturaPA: toglierlo o correggerne il nome${list ? ` (qui è atteso: ${list.it})` : ''}.`,
      en: `${element} is not an element the FatturaPA schema allows in ${parent}: remove it or correct its name${list ? ` (expected here: ${list.en})` : ''}.`,
    };
  },
  repeated(element: string, parent: string, max: number): Bilingual {
    return {
      it: `${element} compare in ${parent} più volte del consentito (al massimo ${max}): togliere quelli in più.`,
      en: `${element} appears in ${parent} more often than allowed (at most ${max}): remove the extra ones.`,
    };
  },
  unexpected(element: string, parent: string, expected: string[], endAllowed: boolean): Bilingual {
    const list = names(expected);
    const it =
      expected.length === 0
        ? `dopo questo punto ${parent} non ammette altri elementi`
        : `qui è atteso ${list.it}${endAllowed ? ` oppure la fine di ${parent}` : ''}`;
    const en =
      expected.length === 0 ? `${parent} allows no more elements at this point` : `expected here: ${list.en}${endAllowed ? ` or the end of ${parent}` : ''}`;
    return { it: `${element} non è ammesso in questa posizione di ${parent}: ${it}.`, en: `${element} is not allowed at this position in ${parent}: ${en}.` };
  },
  wrongNamespace(element: string, actual: string, expected: string): Bilingual {
    if (expected === '') {
      return {
        it: `${element} è nel namespace «${actual}», ma gli elementi interni di FatturaPA non devono averne: solo la radice FatturaElettronica va qualificata (con un prefisso, es. p:), senza namespace predefinito (xmlns="…").`,
        en: `${element} is in namespace "${actual}", but FatturaPA's inner elements must have none: qualify only the root FatturaElettronica (with a prefix, e.g. p:) and declare no default namespace (xmlns="…").`,
      };
    }
    return {
      it: `${element} deve essere nel namespace «${expected}»${actual ? `, non «${actual}»` : ''}.`,
      en: `${element} must be in namespace "${expected}"${actual ? `, not "${actual}"` : ''}.`,
    };
  },
  wrongNamespaceMore(count: number): Bilingual {
    return {
      it: `Altri ${count} elementi hanno lo stesso problema di namespace.`,
      en: `${count} more elements have the same namespace problem.`,
    };
  },
  textNotAllowed(element: string, text: string): Bilingual {
    return {
      it: `${element} può contenere solo altri elementi, non testo: togliere ${quoteValue(text, 40)}.`,
      en: `${element} may contain only other elements, not text: remove ${quoteValue(text, 40)}.`,
    };
  },
  childrenNotAllowed(element: string): Bilingual {
    return {
      it: `${element} deve contenere solo un valore, non altri elementi.`,
      en: `${element} must contain a value only, not other elements.`,
    };
  },
  invalidValue(element: string, value: string, reason: Bilingual): Bilingual {
    return {
      it: `Valore non valido in ${element} (${quoteValue(value)}): ${reason.it}.`,
      en: `Invalid value in ${element} (${quoteValue(value)}): ${reason.en}.`,
    };
  },
  missingAttribute(attribute: string, element: string): Bilingual {
    return {
      it: `Manca l'attributo obbligatorio ${attribute} su ${element}: aggiungerlo.`,
      en: `Required attribute ${attribute} is missing on ${element}: add it.`,
    };
  },
  unknownAttribute(attribute: string, element: string): Bilingual {
    return {
      it: `L'attributo ${attribute} non è previsto su ${element}: toglierlo.`,
      en: `Attribute ${attribute} is not allowed on ${element}: remove it.`,
    };
  },
  invalidAttribute(attribute: string, element: string, value: string, reason: Bilingual): Bilingual {
    return {
      it: `Valore non valido nell'attributo ${attribute} di ${element} (${quoteValue(value)}): ${reason.it}.`,
      en: `Invalid value in attribute ${attribute} of ${element} (${quoteValue(value)}): ${reason.en}.`,
    };
  },
  wrongRoot(element: string, namespace: string, expected: string, expectedNamespace: string): Bilingual {
    return {
      it: `L'elemento radice è ${element} (namespace «${namespace}»), lo schema si aspetta ${expected} nel namespace «${expectedNamespace}».`,
      en: `The root element is ${element} (namespace "${namespace}"); the schema expects ${expected} in namespace "${expectedNamespace}".`,
    };
  },
  moreErrors(count: number): Bilingual {
    return {
      it: `Altri ${count} errori di conformità allo schema non sono mostrati: correggere quelli sopra e ricontrollare.`,
      en: `${count} more schema errors are not shown: fix the ones above and check again.`,
    };
  },
};
