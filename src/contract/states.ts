// Document states: the names docs/states.md lists. Scripts and ERPs rely on them; never rename.

/** States owned by the agent, before or instead of the hub. */
export const LOCAL_STATES = [
  'captured', // recorded, not yet inspected
  'invalid', // refused before sending (bad input, preflight); reason shown
  'duplicate', // the same bytes were already captured; sent only if the user asks (retry)
  'awaiting_approval', // the profile sends by hand: waits for a person to approve or refuse it
  'declined', // a person refused to send it (manual approval); reason = theirs; final
  'queued',
  'sending',
  'held', // queue on hold (paused, no credits, key invalid); reason shown
  'failed', // refused permanently by the hub; reason shown
  'cancelled',
] as const;

/** States reported by the hub and SDI (docs/hub-protocol.md), mirrored one to one. */
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

// What each state allows, and when a document is settled: document-lifecycle.ts.

export type DocumentKind = 'pdf' | 'fatturapa' | 'p7m' | 'zip' | 'sdi_notification' | 'unknown';
export type CaptureSource = 'printer' | 'folder' | 'api' | 'upload';
