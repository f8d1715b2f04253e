// SDI notification files in the MessaggiTypes v1.1 shape: same root elements, namespace, prefix and
// element order as the official samples (../fixtures/sdi). Like those samples they carry no
// ds:Signature: a sandbox cannot sign as SDI, and the agent must not require the signature.
import type { HubError } from '../../contract/hub-protocol.ts';
import type { NotificationType } from './sdi-plan.ts';

import { SDI_MESSAGES_NAMESPACE } from '../../core/inspect/namespaces.ts';

const NOTIFICATION_ROOTS: Record<NotificationType, string> = {
  RC: 'RicevutaConsegna',
  NS: 'NotificaScarto',
  MC: 'NotificaMancataConsegna',
  NE: 'NotificaEsito',
  DT: 'NotificaDecorrenzaTermini',
  AT: 'AttestazioneTrasmissioneFattura',
};

export interface NotificationInput {
  type: NotificationType;
  sdiId: string;
  /** Name of the transmitted invoice file (NomeFile). */
  fileName: string;
  /** When SDI received the file (DataOraRicezione). */
  receivedAt: Date;
  /** When this notification was produced (DataOraConsegna for RC). */
  at: Date;
  recipient: { code: string; description: string };
  messageId: string;
  errors?: HubError[];
  esito?: 'EC01' | 'EC02';
  description?: string;
  invoice?: { number: string; year: string };
  /** SHA-256 (hex) of the transmitted file, for AT's HashFileOriginale. */
  transmittedSha256: string;
}

const NOTE = 'Notifica generata dal sandbox hub di Recapito: nessun valore fiscale';

type Node = [name: string, content: string | Node[]] | null;

export function buildNotificationXml(input: NotificationInput): string {
  const root = NOTIFICATION_ROOTS[input.type];
  const attributes = `xmlns:types="${SDI_MESSAGES_NAMESPACE}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" versione="1.0"`;
  const body = render(bodyOf(input), 1);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<types:${root} ${attributes}>\n${body}</types:${root}>\n`;
}

function bodyOf(input: NotificationInput): Node[] {
  const id: Node = ['IdentificativoSdI', input.sdiId];
  const name: Node = ['NomeFile', input.fileName];
  const received: Node = ['DataOraRicezione', xsdDateTime(input.receivedAt)];
  const recipient: Node = [
    'Destinatario',
    [
      ['Codice', input.recipient.code],
      ['Descrizione', input.recipient.description],
    ],
  ];
  const messageId: Node = ['MessageId', input.messageId];
  const note: Node = ['Note', NOTE];
  const description: Node = input.description ? ['Descrizione', limit(input.description)] : null;
  const invoiceReference: Node = input.invoice
    ? [
        'RiferimentoFattura',
        [
          ['NumeroFattura', input.invoice.number],
          ['AnnoFattura', input.invoice.year],
        ],
      ]
    : null;
  switch (input.type) {
    case 'RC':
      return [id, name, received, ['DataOraConsegna', xsdDateTime(input.at)], recipient, messageId, note];
    case 'NS': {
      const errors: Node[] = (input.errors ?? []).map((error) => [
        'Errore',
        [
          ['Codice', error.code],
          ['Descrizione', limit(error.description)],
        ],
      ]);
      return [id, name, received, ['ListaErrori', errors], messageId, note];
    }
    case 'MC':
      return [id, name, received, description, messageId, note];
    case 'NE': {
      const outcome: Node = ['EsitoCommittente', [id, invoiceReference, ['Esito', input.esito ?? 'EC01'], description]];
      return [id, name, outcome, messageId, note];
    }
    case 'DT':
      return [id, invoiceReference, name, description, messageId, note];
    case 'AT':
      return [id, name, received, recipient, messageId, note, ['HashFileOriginale', input.transmittedSha256]];
  }
}

function render(nodes: Node[], depth: number): string {
  const indent = '  '.repeat(depth);
  let out = '';
  for (const node of nodes) {
    if (!node) continue;
    const [name, content] = node;
    // EsitoCommittente is the one nested element with its own required versione attribute.
    const open = name === 'EsitoCommittente' ? `${name} versione="1.0"` : name;
    out +=
      typeof content === 'string'
        ? `${indent}<${open}>${escapeXml(content)}</${name}>\n`
        : `${indent}<${open}>\n${render(content, depth + 1)}${indent}</${name}>\n`;
  }
  return out;
}

/** xsd:dateTime in UTC without milliseconds, e.g. 2026-01-31T09:15:00Z. */
function xsdDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function limit(text: string): string {
  return text.length > 255 ? `${text.slice(0, 252)}...` : text;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char] as string);
}

/** `<invoice name without .xml/.xml.p7m>_<TT>_<NNN>.xml`, as SDI names its files. */
export function notificationFileName(invoiceFileName: string, type: NotificationType, progressive: number): string {
  const base = invoiceFileName.replace(/\.xml(\.p7m)?$/i, '');
  return `${base}_${type}_${String(progressive).padStart(3, '0')}.xml`;
}
