// How each state looks and what a person may do with it. The colour tone groups states by what the
// reader should feel: fine, on its way, waiting for someone, a problem, or nothing more to do.
import { DOCUMENT_STATES, type DocumentState } from '../../contract/states.ts';

export type Tone = 'ok' | 'progress' | 'waiting' | 'problem' | 'neutral' | 'issued';

export const STATE_TONE: Record<DocumentState, Tone> = {
  captured: 'progress',
  queued: 'progress',
  sending: 'progress',
  received: 'progress',
  processing: 'progress',
  sent: 'progress',
  held: 'waiting',
  awaiting_approval: 'waiting',
  delivered: 'ok',
  accepted: 'ok',
  paid: 'ok',
  expired: 'ok',
  not_delivered: 'issued',
  undeliverable: 'issued',
  invalid: 'problem',
  failed: 'problem',
  rejected: 'problem',
  refused: 'problem',
  duplicate: 'neutral',
  declined: 'neutral',
  cancelled: 'neutral',
};

/** The order of the filter chips: what needs attention and what is moving first, settled last. */
const STATE_RANK: Record<DocumentState, number> = {
  held: 0,
  awaiting_approval: 1,
  queued: 2,
  captured: 3,
  sending: 4,
  received: 5,
  processing: 6,
  sent: 7,
  delivered: 8,
  not_delivered: 9,
  accepted: 10,
  paid: 11,
  expired: 12,
  undeliverable: 13,
  rejected: 14,
  refused: 15,
  failed: 16,
  invalid: 17,
  duplicate: 18,
  cancelled: 19,
  declined: 20,
};

export const STATE_ORDER: readonly DocumentState[] = [...DOCUMENT_STATES].sort((a, b) => STATE_RANK[a] - STATE_RANK[b]);

/** SDI rejection reasons come as "code: description; code: description". */
export function splitErrors(reason: string | null): string[] {
  if (!reason) return [];
  return reason
    .split(/;\s*/)
    .map((part) => part.trim())
    .filter(Boolean);
}
