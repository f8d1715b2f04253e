// The shape every SDI notification is read into (MessaggiTypes v1.0/v1.1/v1.2, docs/return-folder.md), whatever its type.

export type NotificationType = 'RC' | 'NS' | 'MC' | 'NE' | 'DT' | 'AT' | 'MT' | 'EC' | 'SE';

export { SDI_MESSAGES_NAMESPACE } from '../namespaces.ts';

/** Root element (local name) of each notification type. */
export const NOTIFICATION_ROOT_TYPES: Readonly<Record<string, NotificationType>> = {
  RicevutaConsegna: 'RC',
  NotificaScarto: 'NS',
  NotificaMancataConsegna: 'MC',
  NotificaEsito: 'NE',
  NotificaDecorrenzaTermini: 'DT',
  AttestazioneTrasmissioneFattura: 'AT',
  MetadatiInvioFile: 'MT',
  NotificaEsitoCommittente: 'EC',
  ScartoEsitoCommittente: 'SE',
};

export interface SdiError {
  code: string;
  description: string;
  /** SDI's own hint (`Suggerimento`, MessaggiTypes v1.2), when it gives one. */
  suggestion: string | null;
}

export interface SdiNotification {
  type: NotificationType;
  identificativoSdI: string | null;
  /** Name of the transmitted invoice file the notification is about (not the notification's own name). */
  nomeFile: string | null;
  messageId: string | null;
  /** DataOraRicezione: when SDI received the invoice file. */
  receivedAt: string | null;
  /** DataOraConsegna: when SDI delivered it (RC). */
  deliveredAt: string | null;
  /** NS: ListaErrori; SE: the Scarto code. */
  errors: SdiError[];
  /** NE and EC: EC01 accepted, EC02 refused. */
  esito: 'EC01' | 'EC02' | null;
  description: string | null;
  note: string | null;
  /** Destinatario as "Descrizione (Codice)", or MT's CodiceDestinatario. */
  recipient: string | null;
}

export type NotificationErrorCode =
  | 'not_a_notification'
  | 'missing_field'
  | 'bad_field'
  | 'xml_doctype'
  | 'xml_malformed'
  | 'xml_too_large'
  | 'xml_too_deep'
  | 'xml_too_many_elements'
  | 'xml_encoding';

export class NotificationError extends Error {
  readonly code: NotificationErrorCode;
  constructor(code: NotificationErrorCode, message: string) {
    super(message);
    this.name = 'NotificationError';
    this.code = code;
  }
}
