// SDI's rejection codes with the Italian description SDI puts in ListaErrori/Errore/Descrizione:
// the ones the simulated SDI finds by itself (format, recipient, the content rules it shares with the
// agent's preflight) and the ones magic values ask for. Any other 5-digit code asked for through a
// magic value gets a generic description.
//
// The texts are SDI's own, from the list of error codes of the technical specifications (Allegato A,
// "Elenco controlli"; the 004xx texts as in version 1.9.1, Appendix 1, where they changed), as
// transcribed verbatim by public code lists (docs/sandbox-hub.md, "Content rules", names them). One
// exception: no transcription of 00330 was found, so its text is written in SDI's style and says
// exactly what the rule checks.

const DESCRIPTIONS: Record<string, string> = {
  '00002': 'Nome file duplicato',
  '00102': 'File non integro (firma non valida)',
  '00200': 'File non conforme al formato',
  '00305': '1.4.1.1.2 <IdCodice> non valido',
  '00311': '1.1.4 <CodiceDestinatario> non valido',
  '00313':
    'l\'elemento 1.1.4 <CodiceDestinatario> può essere valorizzato con "XXXXXXX" per comunicare i dati di fatture emesse esclusivamente verso soggetti non residenti (1.4.1.1 <IdFiscaleIVA> deve essere valorizzato e 1.4.1.1.1 <IdPaese> deve essere diverso da "IT")',
  '00330': '1.1.6 <PECDestinatario> valorizzato con un indirizzo PEC del Sistema di Interscambio',
  '00400': '2.2.1.14 <Natura> non presente a fronte di 2.2.1.12 <AliquotaIVA> pari a zero',
  '00401': '2.2.1.14 <Natura> presente a fronte di 2.2.1.12 <AliquotaIVA> diversa da zero',
  '00403': '2.1.1.3 <Data> successiva alla data di ricezione',
  '00404': 'Fattura duplicata',
  '00409': 'Fattura duplicata nel lotto',
  '00411': '2.1.1.5 <DatiRitenuta> non presente a fronte di almeno un blocco 2.2.1 <DettaglioLinee> con 2.2.1.13 <Ritenuta> uguale a SI',
  '00413': '2.1.1.7.7 <Natura> non presente a fronte di 2.1.1.7.5 <AliquotaIVA> pari a zero',
  '00414': '2.1.1.7.7 <Natura> presente a fronte di 2.1.1.7.5 <AliquotaIVA> diversa da zero',
  '00415': '2.1.1.5 <DatiRitenuta> non presente a fronte di 2.1.1.7.6 <Ritenuta> uguale a SI',
  '00417': '1.4.1.1 <IdFiscaleIVA> e 1.4.1.2 <CodiceFiscale> non valorizzati (almeno uno dei due deve essere valorizzato)',
  '00418': '2.1.1.3 <Data> antecedente a 2.1.6.3 <Data>',
  '00419': '2.2.2 <DatiRiepilogo> non presente in corrispondenza di almeno un valore di 2.1.1.7.5 <AliquotaIVA> o 2.2.1.12 <AliquotaIVA>',
  '00420': '2.2.2.2 <Natura> con valore di tipo N6 a fronte di 2.2.2.7 <EsigibilitaIVA> uguale a S (scissione pagamenti)',
  '00421': '2.2.2.6 <Imposta> non calcolato secondo le regole definite nelle specifiche tecniche',
  '00422': '2.2.2.5 <ImponibileImporto> non calcolato secondo le regole definite nelle specifiche tecniche',
  '00423': '2.2.1.11 <PrezzoTotale> non calcolato secondo le regole definite nelle specifiche tecniche',
  '00424': '2.2.1.12 <AliquotaIVA> o 2.2.2.1 <AliquotaIVA> o 2.1.1.7.5 <AliquotaIVA> non indicata in termini percentuali',
  '00425': '2.1.1.4 <Numero> non contenente caratteri numerici',
  '00427':
    '1.1.4 <CodiceDestinatario> di 7 caratteri a fronte di 1.1.3 <FormatoTrasmissione> con valore FPA12 o 1.1.4 <CodiceDestinatario> di 6 caratteri a fronte di 1.1.3 <FormatoTrasmissione> con valore FPR12',
  '00428': "1.1.3 <FormatoTrasmissione> non coerente con il valore dell'attributo VERSION",
  '00429': '2.2.2.2 <Natura> non presente a fronte di 2.2.2.1 <AliquotaIVA> pari a zero',
  '00430': '2.2.2.2 <Natura> presente a fronte di 2.2.2.1 <AliquotaIVA> diversa da zero',
  '00437': '2.1.1.8.2 <Percentuale> e 2.1.1.8.3 <Importo> non presenti a fronte di 2.1.1.8.1 <Tipo> valorizzato',
  '00438': '2.2.1.10.2 <Percentuale> e 2.2.1.10.3 <Importo> non presenti a fronte di 2.2.1.10.1 <Tipo> valorizzato',
  '00443':
    "non c'è corrispondenza tra i valori indicati nell'elemento 2.2.1.12 <AliquotaIVA> o 2.1.1.7.5 <AliquotaIVA> e quelli dell'elemento 2.2.2.1 <AliquotaIVA>",
  '00444': "non c'è corrispondenza tra i valori indicati nell'elemento 2.2.1.14 <Natura> o 2.1.1.7.7 <Natura> e quelli dell'elemento 2.2.2.2 <Natura>",
  '00445': "non è più ammesso il valore generico N2, N3 o N6 come codice natura dell'operazione",
  '00448': "per le fatture transfrontaliere non è più ammesso il valore generico N2, N3 o N6 come codice natura dell'operazione",
  '00460': 'Importo totale superiore al limite previsto per le fatture semplificate ai sensi del DPR 633/72, art. 21bis e DM del 10 maggio 2019',
  '00471': "per il valore indicato nell'elemento 2.1.1.1 <TipoDocumento> il cedente/prestatore non può essere uguale al cessionario/committente",
  '00472': "per il valore indicato nell'elemento 2.1.1.1 <TipoDocumento> il cedente/prestatore deve essere uguale al cessionario/committente",
  '00473': "per il valore indicato nell'elemento 2.1.1.1 <TipoDocumento> il valore presente nell'elemento 1.2.1.1.1 <IdPaese> non è ammesso",
  '00474':
    "per il valore indicato nell'elemento 2.1.1.1 <TipoDocumento> non sono ammesse linee di dettaglio con l'elemento 2.2.1.12 <AliquotaIVA> contenente valore zero",
  '00475': "per il valore indicato nell'elemento 2.1.1.1 <TipoDocumento> deve essere presente l'elemento 1.4.1.1 <IdFiscaleIVA> del cessionario/committente",
  '00476': 'gli elementi 1.2.1.1.1 <IdPaese> e 1.4.1.1.1 <IdPaese> non possono essere entrambi valorizzati con codice diverso da IT',
};

/** SDI limits Descrizione to 255 characters. */
export const MAX_DESCRIPTION = 255;

/** Whether the sandbox knows SDI's own description of `code`. */
export function knownSdiErrorCode(code: string): boolean {
  return code in DESCRIPTIONS;
}

export function sdiErrorDescription(code: string, detail?: string): string {
  const base = DESCRIPTIONS[code] ?? `Errore ${code} simulato dal sandbox`;
  const text = detail ? `${base}: ${detail}` : base;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 3)}...` : text;
}
