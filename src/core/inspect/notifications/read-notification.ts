// Reads an SDI notification file as data: the root says the type, the elements say which invoice
// (IdentificativoSdI, NomeFile) and what happened. The XML signature is not required (the official
// samples lack it, and the hub has already checked the real ones); DTDs are refused (safe-xml).
import { XmlRefusedError, childElement, childElements, elementAt, parseXml, textAt, type XmlElement, type XmlLimits } from '../../xml/safe-xml.ts';
import { NOTIFICATION_ROOT_TYPES, NotificationError, SDI_MESSAGES_NAMESPACE, type SdiError, type SdiNotification } from './notification-types.ts';

export type { NotificationType, SdiNotification } from './notification-types.ts';
export { NotificationError } from './notification-types.ts';
export { explainNotification } from './explain-notification.ts';
export { matchNotification } from './match-notification.ts';

/** A notification is a few KB (an NS lists at most 200 errors); anything far bigger is not one. */
const NOTIFICATION_LIMITS: XmlLimits = { maxBytes: 2 * 1024 * 1024, maxDepth: 32, maxElements: 20_000 };

/** Scarto codes of an SE (ScartoEsitoCommittente), as the schema documents them. */
const SCARTO_DESCRIPTIONS: Record<string, string> = {
  EN00: 'Notifica non conforme al formato',
  EN01: 'Notifica non ammissibile',
};

export function readNotification(bytes: Buffer): SdiNotification {
  const root = parse(bytes);
  const type = NOTIFICATION_ROOT_TYPES[root.local];
  if (!type || root.uri !== SDI_MESSAGES_NAMESPACE) {
    throw new NotificationError(
      'not_a_notification',
      `not an SDI notification: the root element is <${root.local}>${root.uri ? ` in ${root.uri}` : ' without a namespace'}; ` +
        `an SDI notification has one of ${Object.keys(NOTIFICATION_ROOT_TYPES).join(', ')} in ${SDI_MESSAGES_NAMESPACE}`,
    );
  }
  // NE carries the PA's answer inside EsitoCommittente; EC is that answer on its own.
  const outcome = type === 'NE' ? childElement(root, 'EsitoCommittente') : type === 'EC' ? root : undefined;
  if (type === 'NE' && !outcome) throw new NotificationError('missing_field', 'the NE (NotificaEsito) has no EsitoCommittente, so the outcome is unknown');
  const identificativoSdI = readIdentificativo(root);
  return {
    type,
    identificativoSdI,
    nomeFile: text(root, 'NomeFile'),
    messageId: text(root, 'MessageId') ?? text(root, 'MessageIdCommittente'),
    receivedAt: text(root, 'DataOraRicezione'),
    deliveredAt: text(root, 'DataOraConsegna'),
    errors: type === 'NS' ? readErrors(root) : type === 'SE' ? readScarto(root) : [],
    esito: outcome ? readEsito(outcome, type) : null,
    description: outcome ? text(outcome, 'Descrizione') : text(root, 'Descrizione'),
    note: text(root, 'Note'),
    recipient: readRecipient(root),
  };
}

function parse(bytes: Buffer): XmlElement {
  try {
    return parseXml(bytes, NOTIFICATION_LIMITS);
  } catch (error) {
    if (error instanceof XmlRefusedError) throw new NotificationError(error.code, `the notification cannot be read: ${error.message}`);
    throw error;
  }
}

function text(element: XmlElement | undefined, ...path: string[]): string | null {
  const value = textAt(element, ...path);
  return value ? value : null;
}

function readIdentificativo(root: XmlElement): string | null {
  const value = text(root, 'IdentificativoSdI');
  if (value === null) return null;
  // xsd:integer of at most 12 digits; the same number may be written with leading zeros.
  if (!/^\+?\d{1,12}$/.test(value)) throw new NotificationError('bad_field', `IdentificativoSdI "${value.slice(0, 40)}" is not a number of at most 12 digits`);
  return value.replace(/^\+/, '');
}

function readErrors(root: XmlElement): SdiError[] {
  const list = childElement(root, 'ListaErrori');
  if (!list) throw new NotificationError('missing_field', 'the NS (NotificaScarto) has no ListaErrori, so the reasons for the rejection are unknown');
  return childElements(list, 'Errore').map((error) => ({
    code: text(error, 'Codice') ?? '?',
    description: text(error, 'Descrizione') ?? '',
    suggestion: text(error, 'Suggerimento'),
  }));
}

function readScarto(root: XmlElement): SdiError[] {
  const code = text(root, 'Scarto');
  return code ? [{ code, description: SCARTO_DESCRIPTIONS[code] ?? 'Esito committente scartato', suggestion: null }] : [];
}

function readEsito(outcome: XmlElement, type: string): 'EC01' | 'EC02' | null {
  const value = text(outcome, 'Esito');
  if (value === 'EC01' || value === 'EC02') return value;
  if (value === null) throw new NotificationError('missing_field', `the ${type} has no Esito, so the outcome is unknown`);
  throw new NotificationError('bad_field', `Esito "${value.slice(0, 20)}" is neither EC01 (accepted) nor EC02 (refused)`);
}

function readRecipient(root: XmlElement): string | null {
  const recipient = elementAt(root, 'Destinatario');
  if (!recipient) return text(root, 'CodiceDestinatario');
  const description = text(recipient, 'Descrizione');
  const code = text(recipient, 'Codice');
  if (description && code) return `${description} (${code})`;
  return description ?? code;
}
