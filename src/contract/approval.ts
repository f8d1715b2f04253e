// Manual approval and dual control (docs/approval.md): what the local API takes and answers when a
// person approves or refuses documents, and the register of approvers. Shared by the core, the UI
// and the CLI; the core validates, this side only describes.
import type { DocumentState } from './states.ts';

/** `profiles[].sending`: send every document as soon as it is captured, or only once a person approves it. */
export type SendingMode = 'automatic' | 'manual';

/**
 * Who is deciding. `approver` is a person's name; when it names a registered approver the PIN is
 * required and checked. Under dual control only a registered approver with the right PIN may decide.
 */
export interface ApproverCredentials {
  approver?: string;
  pin?: string;
}

/** POST /documents/{id}/approve. */
export type ApproveBody = ApproverCredentials;

/** POST /documents/{id}/refuse: the reason is required (one line, at most 500 characters). */
export interface RefuseBody extends ApproverCredentials {
  reason: string;
}

/** POST /documents/approve: up to 500 ids, each answered on its own. */
export interface BulkApproveBody extends ApproverCredentials {
  ids: string[];
}

/** POST /documents/refuse. */
export interface BulkRefuseBody extends RefuseBody {
  ids: string[];
}

/** What happened to one document of a decision. */
export type DecisionOutcome = { id: string; ok: true; state: DocumentState } | { id: string; ok: false; status: number; code: string; message: string };

/** The bulk routes' answer: one outcome per id, in the order asked. */
export interface DecisionAnswer {
  results: DecisionOutcome[];
}

/** Who captured or released a document, as far as the agent can tell (docs/approval.md, "Identities"). */
export interface SubmittedBy {
  /** The OS account: the agent's for folders, uploads and the API; the print job's user for the printer. */
  osUser: string | null;
  /** The name given at upload (`X-Submitted-By`): a claim, not checked against a PIN. */
  name: string | null;
}

/** The last decision taken on a document, from its history. */
export interface ApprovalDecision {
  decision: 'approved' | 'declined';
  /** The approver's name as given (null when none was given, without dual control). */
  approver: string | null;
  /** Whether the name is a registered approver whose PIN was checked. */
  verified: boolean;
  /** The OS user running the agent that recorded the decision. */
  osUser: string;
  at: string;
  /** For a refusal: the person's reason. */
  reason: string | null;
}

/** An approver as the API shows it: never the PIN or its hash. */
export interface ApproverView {
  name: string;
  /** The OS account this person uses, if linked: documents captured by it are theirs (no self-approval). */
  osUser: string | null;
  createdAt: string;
  /** Set while wrong PINs keep this approver locked out (ISO time). */
  lockedUntil: string | null;
}

/** GET /approvers. */
export interface ApproversAnswer {
  approvers: ApproverView[];
}

/**
 * POST /approvers. Once one approver exists, another one must vouch for the new one (`by`), so a
 * person alone cannot make up a second identity without it being recorded under their own name.
 */
export interface NewApproverBody {
  name: string;
  pin: string;
  osUser?: string | null;
  by?: { approver: string; pin: string };
}

/** POST /approvers/{name}/remove: a registered approver (the same one or another) confirms with their PIN. */
export interface RemoveApproverBody {
  by: { approver: string; pin: string };
}
