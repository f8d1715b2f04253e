// Document states: the names product.md lists. Scripts and ERPs rely on them; never rename.

/** States owned by the agent, before or instead of the hub. */
export const LOCAL_STATES = [
  'captured', // recorded, not yet inspected
  'invalid', // refused before sending (bad input, preflight); reason shown
  'duplicate', // the same bytes were already captured; sent only if the user asks (retry)
  'awaiting_approval',
  'queued',
  'sending',
  'held', // queue on hold (paused, no credits, key invalid); reason shown
  'failed', // refused permanently by the hub; reason shown
  'cancelled',
] as const;

/** States reported by the hub and SDI (hub-protocol.md), mirrored one to one. */
export const HUB_STATES = [
  'received',
  'processing',
  'sent',
  'delivered',
  'not_delivered',
  'rejected',
  'accepted',
  'refused',
  'expired',
  'undeliverable',
  'paid',
] as const;

export type LocalState = (typeof LOCAL_STATES)[number];
export type HubState = (typeof HUB_STATES)[number];
export type DocumentState = LocalState | HubState;

export const DOCUMENT_STATES: readonly DocumentState[] = [...LOCAL_STATES, ...HUB_STATES];

export function isDocumentState(value: string): value is DocumentState {
  return (DOCUMENT_STATES as readonly string[]).includes(value);
}

/** States the agent will not move a document out of by itself. */
export const FINAL_LOCAL_STATES: readonly DocumentState[] = ['invalid', 'duplicate', 'failed', 'cancelled'];

/** Hub statuses after which nothing more is expected for a B2B (FPR12/PDF) document. */
export const B2B_TERMINAL: readonly HubState[] = ['delivered', 'not_delivered', 'rejected', 'paid'];
/** Hub statuses after which nothing more is expected for a PA (FPA12) document. */
export const PA_TERMINAL: readonly HubState[] = ['accepted', 'refused', 'expired', 'undeliverable', 'rejected', 'paid'];

export type DocumentKind = 'pdf' | 'fatturapa' | 'p7m' | 'zip' | 'sdi_notification' | 'unknown';
export type CaptureSource = 'printer' | 'folder' | 'api' | 'upload';
