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
