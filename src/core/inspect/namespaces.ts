// The XML namespaces of the Italian e-invoicing formats, as the official schemas declare them.

/** FatturaPA 1.2 (FPA12, FPR12). */
export const FATTURAPA_NAMESPACE = 'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2';
/** The simplified invoice (FSM10). */
export const SIMPLIFIED_NAMESPACE = 'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.0';
/** SDI's notifications (RC, NS, MC, NE, DT, AT, EC, MT). */
export const SDI_MESSAGES_NAMESPACE = 'http://www.fatturapa.gov.it/sdi/messaggi/v1.0';
