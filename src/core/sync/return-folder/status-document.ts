// The content of `<name>.status.json`: the document's state, worded for a person from the SDI
// notification when there is one, its history, its errors and the files written beside it.
import type { DocumentRecord } from '../../store/documents.ts';
import type { DocumentEvent } from '../../../contract/local-api.ts';
import type { DocumentState } from '../../../contract/states.ts';
import { explainNotification, type SdiNotification } from '../../inspect/notifications/read-notification.ts';
import type { InvoiceFormat } from '../../inspect/notifications/explain-notification.ts';
import { plainStateText, type StateText } from './state-text.ts';
import { invoiceSummaryOf } from '../../inspect/invoice/invoice-summary.ts';
import type { InvoiceSummary, PreflightIssue } from '../../../contract/invoice.ts';

export interface ReturnStatus {
  id: string;
  name: string;
  state: DocumentState;
  stateText: StateText;
  reason: string | null;
  sdiId: string | null;
  sdiFileName: string | null;
  hubId: string | null;
  capturedAt: string;
  updatedAt: string;
  history: { at: string; state: DocumentState | null; message: string | null }[];
  errors: { code: string; description: string }[];
  files: string[];
  /** What the agent read: number, date, parties, total (the first invoice of a batch; `count` says how many). */
  invoice: InvoiceSummary | null;
  /** What preflight found, in Italian and English: the errors that stopped it, the warnings it went with. */
  preflight: PreflightIssue[];
}

export interface StatusInput {
  document: DocumentRecord;
  events: DocumentEvent[];
  /** The document's SDI notifications that could be read, oldest first. */
  notifications: SdiNotification[];
  /** Names of the files already written to the return folder for this document. */
  files: string[];
}

const FORMATS: readonly string[] = ['FPA12', 'FPR12', 'FSM10'];

export function buildReturnStatus({ document, events, notifications, files }: StatusInput): ReturnStatus {
  const formato =
    typeof document.metadata['formato'] === 'string' && FORMATS.includes(document.metadata['formato']) ? (document.metadata['formato'] as InvoiceFormat) : null;
  const hubErrors = currentErrors(document.state, events);
  // The newest notification that explains the current state (an RC is followed by an NE for a PA).
  const notification =
    [...notifications].reverse().find((n) => explainNotification(n, formato).state === document.state) ??
    // Without the NS file (not downloaded yet), the hub's error list still tells what to fix.
    (document.state === 'rejected' && hubErrors.length > 0 ? rejectionFrom(document, hubErrors) : null);
  return {
    id: document.id,
    name: document.name,
    state: document.state,
    stateText: notification ? explainNotification(notification, formato).text : plainStateText(document.state, document.reason),
    reason: document.reason,
    sdiId: document.sdiId,
    sdiFileName: document.sdiFileName,
    hubId: document.hubId,
    capturedAt: document.createdAt,
    updatedAt: document.updatedAt,
    history: events.map((event) => ({ at: event.at, state: event.state, message: event.message })),
    errors: notification?.type === 'NS' ? notification.errors.map(({ code, description }) => ({ code, description })) : hubErrors,
    files,
    invoice: invoiceSummaryOf(document.metadata),
    preflight: Array.isArray(document.metadata['preflight']) ? (document.metadata['preflight'] as PreflightIssue[]) : [],
  };
}

/** Errors the hub reported since the document entered its current state (older ones no longer apply). */
function currentErrors(state: DocumentState, events: DocumentEvent[]): { code: string; description: string }[] {
  for (let i = events.length - 1; i >= 0 && events[i]!.state === state; i -= 1) {
    const errors = events[i]!.data?.['errors'];
    if (Array.isArray(errors) && errors.length > 0) {
      return errors
        .filter((e): e is { code: unknown; description: unknown } => typeof e === 'object' && e !== null)
        .map((e) => ({ code: textOf(e.code), description: textOf(e.description) }));
    }
  }
  return [];
}

/** A field of stored JSON shown as text: a string as it is, a number spelled out, anything else empty. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function rejectionFrom(document: DocumentRecord, errors: { code: string; description: string }[]): SdiNotification {
  return {
    type: 'NS',
    identificativoSdI: document.sdiId,
    nomeFile: document.sdiFileName,
    messageId: null,
    receivedAt: null,
    deliveredAt: null,
    errors: errors.map((error) => ({ ...error, suggestion: null })),
    esito: null,
    description: null,
    note: null,
    recipient: null,
  };
}
