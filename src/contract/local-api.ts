// Shapes of the local API v1 (docs/local-api.md), used by the UI, the CLI and the ERP-facing docs.
import type { CaptureSource, DocumentKind, DocumentState } from './states.ts';
import type { InvoiceSummary } from './invoice.ts';
import type { BrandingStatus } from './branding.ts';
import type { ApprovalDecision, SubmittedBy } from './approval.ts';

export interface DocumentSummary {
  id: string;
  profile: string;
  source: CaptureSource;
  name: string;
  kind: DocumentKind;
  size: number;
  sha256: string;
  state: DocumentState;
  reason: string | null;
  hubId: string | null;
  sdiId: string | null;
  duplicateOf: string | null;
  parentId: string | null;
  createdAt: string;
  updatedAt: string;
  /** What the document says it is: number, date, parties, total (null when nothing could be read). */
  invoice: InvoiceSummary | null;
  /** Preflight warnings: the document was sent (or will be), but something deserves a look. */
  warnings: number;
  /** For a document preflight refused: `reason` in Italian and English (`reason` itself is English). */
  reasonText: { it: string; en: string } | null;
}

export interface DocumentEvent {
  seq: number;
  at: string;
  type: string;
  documentId: string | null;
  state: DocumentState | null;
  message: string | null;
  data?: Record<string, unknown>;
}

export interface DocumentFile {
  name: string;
  kind: string;
  size: number;
  sha256: string;
}

export interface DocumentDetail extends DocumentSummary {
  /** Includes `invoice` (InvoiceReading), `pdfGuess` (PdfGuess) and `preflight` (PreflightIssue[]) when inspection found them. */
  metadata: Record<string, unknown>;
  events: DocumentEvent[];
  files: DocumentFile[];
  /** Who captured or released it, as far as the agent can tell (docs/approval.md); null before it was recorded. */
  submittedBy: SubmittedBy | null;
  /** The last approval or refusal by a person (manual sending), from the history; null when none. */
  approval: ApprovalDecision | null;
}

export interface DocumentsPage {
  documents: DocumentSummary[];
  nextCursor: string | null;
}

export interface EventsPage {
  events: DocumentEvent[];
  lastSeq: number;
}

export interface AgentStatus {
  version: string;
  startedAt: string;
  paused: boolean;
  hold: { code: string; reason: string; since: string } | null;
  /** Capture stopped because the data folder's disk is full ("disk full: 12 MB needed…"); null while capturing. */
  captureHold?: { code: 'disk_full'; reason: string; since: string } | null;
  hub: {
    transport: 'https' | 'sftp';
    url: string;
    reachable: boolean | null;
    lastContactAt: string | null;
    lastError: string | null;
    lastSyncAt: string | null;
    credits: number | null;
    keyExpiresAt: string | null;
    /** While the hub is unreachable (or overloaded): since when, and when the one probe asks it again (docs/hub-outages.md); null otherwise. */
    unreachableSince: string | null;
    nextTryAt: string | null;
    /** Where the hub API key comes from: the secret store, the environment (RECAPITO_HUB_API_KEY), or nowhere yet (enroll). Never the key. */
    keySource: 'store' | 'environment' | null;
  };
  counts: Partial<Record<DocumentState, number>>;
  services: { name: string; state: 'running' | 'failed' | 'stopped'; error: string | null }[];
  watchers: { profile: string; folder: string; state: 'watching' | 'missing' | 'error'; error: string | null }[];
  /** The virtual printer's queues: their IPP URL and whether the OS print system has them installed (null: unknown). */
  printers: { profile: string; queueName: string; url: string; installed: boolean | null; error: string | null }[];
  /** The branding in force (docs/white-label.md) and why any of it was refused. */
  branding?: BrandingStatus;
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}
