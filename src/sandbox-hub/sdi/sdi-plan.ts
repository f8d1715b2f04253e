// What the simulated SDI will do with one document, decided when the hub accepts it and stored with
// the document, so the steps survive a restart and run the same way afterwards.
import type { HubError, HubStatus } from '../../contract/hub-protocol.ts';

export type NotificationType = 'RC' | 'NS' | 'MC' | 'NE' | 'DT' | 'AT';

/** Which configured delay (SandboxHubOptions.sdiDelaysMs) comes before a step. */
export type StepDelay = 'processing' | 'sent' | 'outcome' | 'paOutcome';

export type SdiStep =
  | { kind: 'processing'; delay: StepDelay }
  | { kind: 'sent'; delay: StepDelay }
  | { kind: 'notification'; delay: StepDelay; type: NotificationType; status: HubStatus; errors?: HubError[]; esito?: 'EC01' | 'EC02'; description?: string }
  | { kind: 'failed'; delay: StepDelay; reason: string }
  | { kind: 'paid'; delay: StepDelay };

export interface SdiPlan {
  documentKind: 'fatturapa' | 'p7m' | 'pdf';
  /** Extension of the name the hub gives the file it transmits. */
  transmittedExtension: '.xml' | '.xml.p7m';
  recipient: { code: string; description: string };
  invoice?: { number: string; year: string };
  steps: SdiStep[];
}
