// What the local API's routes, the CLI host and the desktop shell may ask of an agent, and nothing
// more: they never reach into its store, spool or services. Tests of those layers can stand in a
// fake; the real one is Agent (agent.ts).
import type { AgentStatus, DocumentDetail, DocumentsPage, EventsPage } from '../../contract/local-api.ts';
import type { CaptureSource, DocumentState } from '../../contract/states.ts';
import type { Settings } from '../config/settings-schema.ts';
import type { SecretName } from '../config/secret-store.ts';
import type { ConnectionCheckResult } from '../hub/https-probe.ts';
import type { DocumentQuery } from '../store/documents.ts';
import type { CapturedDocument } from '../intake/capture.ts';
import type { CsvSeparator } from '../sync/return-folder/history-csv.ts';
import type { ApproverCredentials, ApproverView, DecisionOutcome, NewApproverBody, RemoveApproverBody } from '../../contract/approval.ts';
import type { EnrollRequest, EnrollmentResult } from '../../contract/enrollment.ts';
import type { InvoiceView } from '../../contract/invoice-view.ts';
import type { PdfTextView } from '../../contract/pdf-text.ts';

export type HistoryFilter = Omit<DocumentQuery, 'cursor' | 'limit'>;

export interface SubmittedFile {
  bytes: Buffer;
  name: string;
  profile?: string | null;
  source: CaptureSource;
  metadata?: Record<string, unknown>;
  /** The name the client declared as the person releasing it (X-Submitted-By): a claim (docs/approval.md). */
  submittedBy?: string | null;
}

export interface AgentApi {
  readonly settings: Settings;
  status(): AgentStatus;

  documents(query: DocumentQuery): DocumentsPage;
  document(id: string): DocumentDetail | null;
  /** Just the name (notifications), without loading the history. */
  documentName(id: string): string | null;
  content(id: string): Promise<{ bytes: Buffer; name: string; contentType: string } | null>;
  file(id: string, name: string): Promise<Buffer | null>;
  /** The whole invoice for the invoice view; null when the document is not a FatturaPA (plain or .p7m); 422 AgentError when unreadable. */
  invoiceView(id: string): Promise<InvoiceView | null>;
  /** One decoded attachment (Allegati) of one body of the invoice; null when there is none. */
  invoiceAttachment(id: string, body: number, index: number): Promise<{ name: string | null; bytes: Buffer } | null>;
  /** The text read out of a PDF document, page by page, for the preview; null when the document is not a stored PDF. */
  pdfText(id: string): Promise<PdfTextView | null>;
  /** The delivery history as CSV, piece by piece (docs/local-api.md, export.csv). */
  historyCsv(filter: HistoryFilter, separator: CsvSeparator): Iterable<string>;

  submit(input: SubmittedFile): Promise<CapturedDocument[]>;
  /** Follows the state table (contract/document-lifecycle.ts); 409 AgentError otherwise. */
  retry(id: string): DocumentState;
  cancel(id: string): void;
  /** Manual approval (docs/approval.md): one PIN check for all, then an outcome per id (403, 404, 409 per document). */
  approve(ids: readonly string[], credentials: ApproverCredentials): Promise<DecisionOutcome[]>;
  refuse(ids: readonly string[], reason: string, credentials: ApproverCredentials): Promise<DecisionOutcome[]>;
  approvers(): ApproverView[];
  addApprover(body: NewApproverBody): Promise<ApproverView>;
  removeApprover(name: string, body: RemoveApproverBody): Promise<void>;
  pause(): void;
  resume(): void;

  events(since: number, timeoutSeconds: number, limit: number, signal?: AbortSignal): Promise<EventsPage>;
  lastEventSeq(): number;

  setCredentials(values: Partial<Record<SecretName, string>>): Promise<void>;
  secretPresence(): Record<SecretName, boolean>;
  /** Trades an activation code for the hub API key, kept in the secret store (docs/enrollment.md); never answers the key. */
  enroll(request: EnrollRequest): Promise<EnrollmentResult>;
  testConnection(): Promise<ConnectionCheckResult>;
  verifyAudit(): { ok: boolean; checked: number; firstBad?: number };
  /** The virtual printer's IPP addresses, one per profile with a queue. */
  printerUrls(): { profile: string; url: string }[];
}
