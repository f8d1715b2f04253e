// A few real SDI rejection codes, with the Italian description SDI puts in ListaErrori/Errore.
// Any other 5-digit code can be asked for through a magic value; it gets a generic description.

const DESCRIPTIONS: Record<string, string> = {
  '00002': 'Nome file duplicato',
  '00102': 'File non integro (firma non valida)',
  '00200': 'File non conforme al formato',
  '00305': '1.4.1.1.2 <IdCodice> non valido',
  '00311': '1.1.4 <CodiceDestinatario> non valido',
  '00400': '2.2.1.14 <Natura> non presente a fronte di 2.2.1.12 <AliquotaIVA> pari a zero',
  '00404': 'Fattura duplicata',
  '00423': '2.2.1.11 <PrezzoTotale> non calcolato secondo le regole definite nelle specifiche tecniche',
  '00427': '1.1.4 <CodiceDestinatario> di 7 caratteri a fronte di 1.1.3 <FormatoTrasmissione> con valore FPA12 o di 6 caratteri a fronte di FPR12',
};

/** SDI limits Descrizione to 255 characters. */
export function sdiErrorDescription(code: string, detail?: string): string {
  const base = DESCRIPTIONS[code] ?? `Errore ${code} simulato dal sandbox`;
  const text = detail ? `${base}: ${detail}` : base;
  return text.length > 255 ? `${text.slice(0, 252)}...` : text;
}
