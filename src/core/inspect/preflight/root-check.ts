// Is this an ordinary FatturaPA 1.2 invoice at all, and do its two format markers agree?
import type { XmlElement } from '../../xml/safe-xml.ts';
import { DATI_TRASMISSIONE, FATTURAPA_NAMESPACE, FORMATI_ORDINARI, SIMPLIFIED_NAMESPACE, textOf } from './fatturapa-paths.ts';
import { preflightError, preflightWarning, quoteValue } from './issue.ts';
import type { PreflightIssue } from './types.ts';

export interface RootCheck {
  /** False: nothing else can be checked. */
  isFatturaPa: boolean;
  issues: PreflightIssue[];
}

function isFormato(value: string | undefined): boolean {
  return (FORMATI_ORDINARI as readonly string[]).includes(value ?? '');
}

export function checkRoot(root: XmlElement): RootCheck {
  if (root.uri === SIMPLIFIED_NAMESPACE && root.local === 'FatturaElettronicaSemplificata') {
    // SDI accepts simplified invoices (TD07–TD09); their schema is not shipped, so only the
    // file, duplicate, numbering and a few content rules apply (content/simplified.ts). Say so
    // rather than pretend it was all checked.
    return {
      isFatturaPa: false,
      issues: [
        preflightWarning('simplified_not_checked', undefined, {
          it: 'Fattura semplificata (FSM10): SDI la accetta, ma Recapito ne controlla solo nome, dimensione, duplicati, numerazione, data, numero e limite di 400 euro, non la struttura. Verificarla nel gestionale se SDI la scarta.',
          en: 'Simplified invoice (FSM10): SDI accepts it, but Recapito checks only its name, size, duplicates, numbering, date, number and 400 euro limit, not its structure. Check it in the invoicing software if SDI rejects it.',
        }),
      ],
    };
  }
  if (root.local !== 'FatturaElettronica' || root.uri !== FATTURAPA_NAMESPACE) {
    const found = `${root.local}${root.uri ? ` (namespace ${root.uri})` : ' (no namespace)'}`;
    return {
      isFatturaPa: false,
      issues: [
        preflightError(
          'not_fatturapa',
          undefined,
          {
            it: `Non è una fattura FatturaPA: l'elemento radice è ${found}, atteso FatturaElettronica nel namespace ${FATTURAPA_NAMESPACE}.`,
            en: `This is not a FatturaPA invoice: the root element is ${found}; expected FatturaElettronica in namespace ${FATTURAPA_NAMESPACE}.`,
          },
          '00200',
        ),
      ],
    };
  }

  const issues: PreflightIssue[] = [];
  const versione = root.attributes.versione;
  if (!isFormato(versione)) {
    issues.push(
      preflightError(
        'invalid_versione',
        '@versione',
        versione === undefined
          ? {
              it: "Manca l'attributo versione sulla radice FatturaElettronica: indicare FPA12 (fattura a una pubblica amministrazione) o FPR12 (fattura tra privati).",
              en: 'The root FatturaElettronica has no versione attribute: set FPA12 (invoice to a public administration) or FPR12 (invoice between private parties).',
            }
          : {
              it: `L'attributo versione vale ${quoteValue(versione)}: deve essere FPA12 (fattura a una pubblica amministrazione) o FPR12 (fattura tra privati).`,
              en: `The versione attribute is ${quoteValue(versione)}: it must be FPA12 (invoice to a public administration) or FPR12 (invoice between private parties).`,
            },
        '00200',
      ),
    );
  }
  const formato = textOf(root, `${DATI_TRASMISSIONE}/FormatoTrasmissione`);
  if (isFormato(versione) && isFormato(formato) && versione !== formato) {
    issues.push(
      preflightError(
        'versione_mismatch',
        `${DATI_TRASMISSIONE}/FormatoTrasmissione`,
        {
          it: `FormatoTrasmissione (${formato}) non coincide con l'attributo versione della radice (${versione}): devono essere uguali. Usare FPA12 per una pubblica amministrazione, FPR12 altrimenti.`,
          en: `FormatoTrasmissione (${formato}) does not match the root's versione attribute (${versione}): they must be the same. Use FPA12 for a public administration, FPR12 otherwise.`,
        },
        '00428',
      ),
    );
  }
  return { isFatturaPa: true, issues };
}
