// The simulated SDI's format check of a FatturaPA file: what makes SDI answer NS 00200 ("file non
// conforme al formato") or 00428 (FormatoTrasmissione unlike versione), plus the header fields the
// delivery rules need. Not a full XSD validation: it checks what decides routing and the mistakes
// ERPs really make. Parsed only with safe-xml; the parsed root goes on to SDI's content rules
// (sdi-content-rules.ts).
import { childElements, elementAt, parseXml, textAt, XmlRefusedError } from '../../core/xml/safe-xml.ts';
import type { XmlElement } from '../../core/xml/safe-xml.ts';

import { FATTURAPA_NAMESPACE as FATTURAPA_NAMESPACE_V12, SIMPLIFIED_NAMESPACE as FATTURAPA_NAMESPACE_SIMPLIFIED } from '../../core/inspect/namespaces.ts';

export type FormatoTrasmissione = 'FPA12' | 'FPR12' | 'FSM10';

export interface FatturaPAHeader {
  formato: FormatoTrasmissione;
  codiceDestinatario: string;
  pecDestinatario: string | undefined;
  buyerName: string;
  /** First body's number and year, for the RiferimentoFattura of NE/DT. */
  firstInvoice: { number: string; year: string } | undefined;
}

/** `code`: the SDI error code of the refusal (00200, or 00428 for FormatoTrasmissione unlike versione). */
export type FatturaPACheck = { ok: true; header: FatturaPAHeader; root: XmlElement } | { ok: false; code: string; problem: string };

const ROOT_OF: Record<FormatoTrasmissione, string> = {
  FPA12: 'FatturaElettronica',
  FPR12: 'FatturaElettronica',
  FSM10: 'FatturaElettronicaSemplificata',
};

function refused(problem: string, code = '00200'): FatturaPACheck {
  return { ok: false, code, problem };
}

const NAMESPACE_OF: Record<FormatoTrasmissione, string> = {
  FPA12: FATTURAPA_NAMESPACE_V12,
  FPR12: FATTURAPA_NAMESPACE_V12,
  FSM10: FATTURAPA_NAMESPACE_SIMPLIFIED,
};

export function checkFatturaPA(bytes: Uint8Array): FatturaPACheck {
  let root: XmlElement;
  try {
    root = parseXml(bytes);
  } catch (error) {
    if (error instanceof XmlRefusedError) return refused(`il file non è un XML valido (${error.message})`);
    throw error;
  }
  if (root.local !== 'FatturaElettronica' && root.local !== 'FatturaElettronicaSemplificata') {
    return refused(`elemento radice <${root.local}> invece di <FatturaElettronica>`);
  }
  const versione = root.attributes.versione;
  if (!versione || !(versione in NAMESPACE_OF)) {
    return refused(`attributo versione "${versione ?? ''}" non valido (atteso FPA12, FPR12 o FSM10)`);
  }
  const formatoFromVersion = versione as FormatoTrasmissione;
  if (root.local !== ROOT_OF[formatoFromVersion]) {
    return refused(`elemento radice <${root.local}> con versione ${versione} (atteso <${ROOT_OF[formatoFromVersion]}>)`);
  }
  if (root.uri !== NAMESPACE_OF[formatoFromVersion]) {
    return refused(`namespace "${root.uri}" non valido per la versione ${versione} (atteso ${NAMESPACE_OF[formatoFromVersion]})`);
  }

  const header = elementAt(root, 'FatturaElettronicaHeader');
  if (!header) return refused('manca <FatturaElettronicaHeader>');
  const transmission = elementAt(header, 'DatiTrasmissione');
  if (!transmission) return refused('manca <DatiTrasmissione>');
  for (const path of [['IdTrasmittente', 'IdPaese'], ['IdTrasmittente', 'IdCodice'], ['ProgressivoInvio'], ['FormatoTrasmissione'], ['CodiceDestinatario']]) {
    if (!textAt(transmission, ...path)) return refused(`manca <DatiTrasmissione/${path.join('/')}>`);
  }
  const formato = textAt(transmission, 'FormatoTrasmissione') as string;
  if (formato !== versione) {
    return refused(`<FormatoTrasmissione> ${formato}, attributo versione ${versione}`, '00428');
  }
  const codiceDestinatario = textAt(transmission, 'CodiceDestinatario') as string;
  if (!/^[A-Z0-9]{6,7}$/.test(codiceDestinatario)) {
    return refused(`<CodiceDestinatario> "${codiceDestinatario}" non rispetta il formato [A-Z0-9]{6,7}`);
  }
  if (!elementAt(header, 'CedentePrestatore')) return refused('manca <CedentePrestatore>');
  const buyer = elementAt(header, 'CessionarioCommittente');
  if (!buyer) return refused('manca <CessionarioCommittente>');
  const bodies = childElements(root, 'FatturaElettronicaBody');
  if (bodies.length === 0) return refused('manca <FatturaElettronicaBody>');

  return {
    ok: true,
    root,
    header: {
      formato: formatoFromVersion,
      codiceDestinatario,
      pecDestinatario: textAt(transmission, 'PECDestinatario') || undefined,
      buyerName: buyerNameOf(buyer),
      firstInvoice: firstInvoiceOf(bodies[0]),
    },
  };
}

function buyerNameOf(buyer: XmlElement): string {
  // FPA12/FPR12 keep it under DatiAnagrafici/Anagrafica; FSM10 under IdentificativiFiscali/AltriDatiIdentificativi.
  const anagrafica = elementAt(buyer, 'DatiAnagrafici', 'Anagrafica') ?? elementAt(buyer, 'AltriDatiIdentificativi');
  const company = textAt(anagrafica, 'Denominazione');
  if (company) return company;
  const person = [textAt(anagrafica, 'Nome'), textAt(anagrafica, 'Cognome')].filter(Boolean).join(' ');
  return person || 'Destinatario';
}

function firstInvoiceOf(body: XmlElement | undefined): { number: string; year: string } | undefined {
  const general = elementAt(body, 'DatiGenerali', 'DatiGeneraliDocumento');
  const number = textAt(general, 'Numero');
  const year = /^(\d{4})-/.exec(textAt(general, 'Data') ?? '')?.[1];
  // RiferimentoFattura/NumeroFattura allows 1-20 Basic Latin characters only.
  if (!number || !year || !/^[\x20-\x7e]{1,20}$/.test(number)) return undefined;
  return { number, year };
}
