// The one table of document states: what a person may do in each (retry, cancel, approve, refuse), whether the hub
// may know the document, and when nothing more is expected. The core enforces it (core/agent/
// document-actions.ts), the local API explains its refusals from it, the UI shows only the buttons it
// allows, and the status follower and retention decide from it what is still in flight. A new state
// does not compile until it has its row.
import type { DocumentState } from './states.ts';

export type DocumentAction = 'retry' | 'cancel' | 'approve' | 'refuse';

export const DOCUMENT_ACTIONS: readonly DocumentAction[] = ['retry', 'cancel', 'approve', 'refuse'];

export interface StateRules {
  /**
   * What a person may ask for in this state. Retry re-queues (or holds; in a profile that sends by
   * hand, a document never approved goes back to awaiting approval); cancel ends it locally;
   * approve sends it (queued, or held); refuse ends it locally as `declined` with the person's reason
   * (docs/approval.md).
   */
  actions: readonly DocumentAction[];
  /** Whether the hub may hold the document: 'no' never sent, 'maybe' (a crash mid-upload), 'yes'. */
  atHub: 'no' | 'maybe' | 'yes';
  /**
   * Whether nothing more is expected: 'yes'; 'no'; 'b2b' settled for a B2B invoice (FPR12, PDF) but
   * not for a public administration's (FPA12), where the NE, DT or AT comes after delivery.
   */
  settled: 'yes' | 'no' | 'b2b';
}

export const STATE_RULES: Readonly<Record<DocumentState, StateRules>> = {
  captured: { actions: ['cancel'], atHub: 'no', settled: 'no' },
  invalid: { actions: [], atHub: 'no', settled: 'yes' }, // fix the file and capture it again
  duplicate: { actions: ['retry', 'cancel'], atHub: 'no', settled: 'yes' }, // retry = send anyway
  awaiting_approval: { actions: ['approve', 'refuse', 'cancel'], atHub: 'no', settled: 'no' },
  declined: { actions: [], atHub: 'no', settled: 'yes' }, // a person refused it: fix and capture again
  queued: { actions: ['retry', 'cancel'], atHub: 'maybe', settled: 'no' },
  sending: { actions: [], atHub: 'maybe', settled: 'no' },
  held: { actions: ['retry', 'cancel'], atHub: 'maybe', settled: 'no' },
  failed: { actions: ['retry'], atHub: 'maybe', settled: 'yes' },
  cancelled: { actions: ['retry'], atHub: 'no', settled: 'yes' },
  received: { actions: [], atHub: 'yes', settled: 'no' },
  processing: { actions: [], atHub: 'yes', settled: 'no' },
  sent: { actions: [], atHub: 'yes', settled: 'no' },
  delivered: { actions: [], atHub: 'yes', settled: 'b2b' },
  not_delivered: { actions: [], atHub: 'yes', settled: 'b2b' },
  rejected: { actions: [], atHub: 'yes', settled: 'yes' }, // SDI refused it: fix and capture again
  accepted: { actions: [], atHub: 'yes', settled: 'yes' },
  refused: { actions: [], atHub: 'yes', settled: 'yes' },
  expired: { actions: [], atHub: 'yes', settled: 'yes' },
  undeliverable: { actions: [], atHub: 'yes', settled: 'yes' },
  paid: { actions: [], atHub: 'yes', settled: 'yes' },
};

export function allows(state: DocumentState, action: DocumentAction): boolean {
  return STATE_RULES[state].actions.includes(action);
}

/** The states from which `action` is allowed. */
export function statesAllowing(action: DocumentAction): DocumentState[] {
  return (Object.keys(STATE_RULES) as DocumentState[]).filter((state) => allows(state, action));
}

/** Whether nothing more is expected for a document in `state` of format `formato` (FPA12, FPR12, …). */
export function isSettled(state: DocumentState, formato: string | undefined): boolean {
  const { settled } = STATE_RULES[state];
  return settled === 'yes' || (settled === 'b2b' && formato !== 'FPA12');
}

/** States whose document the hub may hold and whose status may still change there. */
export function statesToReconcile(): DocumentState[] {
  return (Object.keys(STATE_RULES) as DocumentState[]).filter((state) => STATE_RULES[state].atHub !== 'no' && STATE_RULES[state].settled !== 'yes');
}
