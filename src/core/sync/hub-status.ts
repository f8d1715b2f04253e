// Hub statuses mapped to the document states the user sees (identical names, by design).
import type { DocumentState } from '../../contract/states.ts';
import type { HubStatus } from '../../contract/hub-protocol.ts';

export function documentStateForHubStatus(status: HubStatus): DocumentState | null {
  switch (status) {
    case 'held':
      return 'held'; // SFTP: the hub keeps the file waiting (e.g. no credits) and processes it later
    default:
      return status;
  }
}

const FINAL: ReadonlySet<string> = new Set(['rejected', 'failed', 'delivered', 'not_delivered', 'accepted', 'refused', 'expired', 'undeliverable', 'paid', 'invalid', 'duplicate', 'cancelled']);

/**
 * Whether nothing more is expected from the hub. For a PA invoice (FPA12) delivered/not_delivered
 * are not final: the NE, DT or AT comes later.
 */
export function isSettled(state: DocumentState, formato: string | undefined): boolean {
  if (formato === 'FPA12' && (state === 'delivered' || state === 'not_delivered')) return false;
  return FINAL.has(state);
}
