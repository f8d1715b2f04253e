// The local API v1 as one table (docs/local-api.md): for each route its method, path, who may call it,
// what body it takes and what it answers. The server registers exactly these routes (and its request
// guard enforces their access and body), the UI's client and the CLI's client build their calls from
// them, so a route cannot change on one side only.
import type { AgentStatus, DocumentDetail, DocumentsPage, EventsPage } from './local-api.ts';
import type { ConnectionTestResult, CredentialsUpdate, SettingsData, SettingsSaved, SettingsView } from './settings.ts';
import type { DocumentState } from './states.ts';
import type {
  ApproveBody,
  ApproverView,
  ApproversAnswer,
  BulkApproveBody,
  BulkRefuseBody,
  DecisionAnswer,
  NewApproverBody,
  RefuseBody,
  RemoveApproverBody,
} from './approval.ts';
import type { EnrollDefaults, EnrollRequest, EnrollmentResult } from './enrollment.ts';
import type { BrandingView } from './branding.ts';
import type { InvoiceView } from './invoice-view.ts';
import type { PdfTextView } from './pdf-text.ts';

export type RouteMethod = 'GET' | 'POST' | 'PUT';
/** none: no body (or an ignored JSON one); json: application/json; file: the file's bytes, with its own type. */
export type RouteBody = 'none' | 'json' | 'file';
/** An answer that is not JSON: the bytes of a file, or CSV text. */
export interface BytesAnswer {
  readonly bytes: true;
}
/** A body that is a file's raw bytes (a Blob in the browser, a Buffer in Node). */
export interface FileBody {
  readonly file: true;
}

export interface Route<Answer, Body = undefined, Params extends string = never> {
  method: RouteMethod;
  /** With `:name` placeholders for its parameters. */
  path: string;
  access: 'public' | 'token';
  body: RouteBody;
  /** Types only: what the route answers, what it takes, its path parameters. */
  readonly __types?: { answer: Answer; body: Body; params: Params };
}

function route<Answer, Body = undefined, Params extends string = never>(
  method: RouteMethod,
  path: string,
  options: { access?: 'public'; body?: RouteBody } = {},
): Route<Answer, Body, Params> {
  return { method, path, access: options.access ?? 'token', body: options.body ?? 'none' };
}

/** POST /documents: what was captured (a ZIP yields several documents). */
export interface UploadedDocument {
  id: string;
  name: string;
  state: DocumentState;
  reason: string | null;
}

export interface UploadAnswer {
  id: string | null;
  state: DocumentState | null;
  reason: string | null;
  documents: UploadedDocument[];
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBad?: number;
}

/**
 * GET /documents's query string (docs/local-api.md). `q`: words, each found as the start of a word of
 * the document's name, invoice numbers, parties' names, VAT ids and fiscal codes, SDI id, amounts
 * ("1234.50", "1234,50", "1.234,50") and dates; all must match. `capturedFrom`/`capturedTo`: capture
 * time, ISO 8601 (a date alone is UTC midnight), from inclusive, to exclusive (`from`/`to`: the older
 * names). `invoiceFrom`/`invoiceTo`: the first invoice's date, YYYY-MM-DD, both inclusive.
 */
export interface DocumentsParams {
  state?: string;
  profile?: string;
  q?: string;
  capturedFrom?: string;
  capturedTo?: string;
  invoiceFrom?: string;
  invoiceTo?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: string;
}

export const ROUTES = {
  health: route<{ status: 'ok' }>('GET', '/api/v1/health', { access: 'public' }),
  /** Public like the UI's files: the page is branded before it has the token (docs/white-label.md). */
  branding: route<BrandingView>('GET', '/api/v1/branding', { access: 'public' }),
  /** The branding's logo (SVG or PNG); 404 when it has none. */
  brandingLogo: route<BytesAnswer>('GET', '/api/v1/branding/logo', { access: 'public' }),
  status: route<AgentStatus>('GET', '/api/v1/status'),
  /** ?since=SEQ&timeout=S&limit=N: a long poll. */
  events: route<EventsPage>('GET', '/api/v1/events'),
  pause: route<{ paused: true }>('POST', '/api/v1/pause'),
  resume: route<{ paused: false }>('POST', '/api/v1/resume'),
  /** ?state=a,b&profile=&q=&from=&to=&cursor=&limit= */
  documents: route<DocumentsPage>('GET', '/api/v1/documents'),
  document: route<DocumentDetail, undefined, 'id'>('GET', '/api/v1/documents/:id'),
  content: route<BytesAnswer, undefined, 'id'>('GET', '/api/v1/documents/:id/content'),
  file: route<BytesAnswer, undefined, 'id' | 'name'>('GET', '/api/v1/documents/:id/files/:name'),
  /** The whole invoice for the invoice view (plain, .p7m, every body of a batch, FSM10); 404 when not a FatturaPA, 422 when unreadable. */
  invoice: route<InvoiceView, undefined, 'id'>('GET', '/api/v1/documents/:id/invoice'),
  /** One attachment (Allegati) decoded: application/octet-stream, nosniff, a Content-Disposition file name. */
  invoiceAttachment: route<BytesAnswer, undefined, 'id' | 'body' | 'index'>('GET', '/api/v1/documents/:id/invoice/attachments/:body/:index'),
  /** The text the agent reads out of a PDF document, page by page (the PDF preview); 404 when not a PDF. */
  pdfText: route<PdfTextView, undefined, 'id'>('GET', '/api/v1/documents/:id/pdf-text'),
  /** Headers X-Filename (percent-encoded UTF-8), X-Profile, X-Source: upload. */
  upload: route<UploadAnswer, FileBody>('POST', '/api/v1/documents', { body: 'file' }),
  retry: route<{ id: string; state: DocumentState }, undefined, 'id'>('POST', '/api/v1/documents/:id/retry'),
  cancel: route<{ id: string; state: DocumentState }, undefined, 'id'>('POST', '/api/v1/documents/:id/cancel'),
  /** Manual approval (docs/approval.md): 409 when the state does not allow it, 403/429 for the approver. */
  approve: route<{ id: string; state: DocumentState }, ApproveBody, 'id'>('POST', '/api/v1/documents/:id/approve', { body: 'json' }),
  refuse: route<{ id: string; state: DocumentState }, RefuseBody, 'id'>('POST', '/api/v1/documents/:id/refuse', { body: 'json' }),
  /** Many at once: one PIN check, then an answer per id. */
  approveMany: route<DecisionAnswer, BulkApproveBody>('POST', '/api/v1/documents/approve', { body: 'json' }),
  refuseMany: route<DecisionAnswer, BulkRefuseBody>('POST', '/api/v1/documents/refuse', { body: 'json' }),
  approvers: route<ApproversAnswer>('GET', '/api/v1/approvers'),
  /** Answers 201 with the new approver. */
  addApprover: route<ApproverView, NewApproverBody>('POST', '/api/v1/approvers', { body: 'json' }),
  removeApprover: route<{ removed: string }, RemoveApproverBody, 'name'>('POST', '/api/v1/approvers/:name/remove', { body: 'json' }),
  config: route<SettingsView>('GET', '/api/v1/config'),
  saveConfig: route<SettingsSaved, SettingsData>('PUT', '/api/v1/config', { body: 'json' }),
  /** Write-only; answers 204. */
  credentials: route<null, CredentialsUpdate>('PUT', '/api/v1/credentials', { body: 'json' }),
  hubTest: route<ConnectionTestResult>('POST', '/api/v1/hub/test'),
  /** Trades a one-time activation code for the hub API key, kept in the secret store; answers the account, never the key. */
  enroll: route<EnrollmentResult, EnrollRequest>('POST', '/api/v1/enroll', { body: 'json' }),
  /** What the enrollment form starts from (the computer's name). */
  enrollDefaults: route<EnrollDefaults>('GET', '/api/v1/enroll'),
  auditVerify: route<AuditVerification>('GET', '/api/v1/audit/verify'),
  /** ?from=&to=&profile=&state=&separator= */
  exportCsv: route<BytesAnswer>('GET', '/api/v1/export.csv'),
  /** A ZIP for the helpdesk (docs/support-bundle.md): application/zip with a Content-Disposition file name; never a secret. */
  supportBundle: route<BytesAnswer>('GET', '/api/v1/support-bundle'),
} as const;

export type RouteName = keyof typeof ROUTES;
export type AnswerOf<R> = R extends Route<infer Answer, infer _Body, infer _Params> ? Answer : never;
export type BodyOf<R> = R extends Route<infer _Answer, infer Body, infer _Params> ? Body : never;
export type ParamsOf<R> = R extends Route<infer _Answer, infer _Body, infer Params> ? Params : never;

/** The route's path with its parameters filled in, each percent-encoded. */
export function pathOf<R extends Route<unknown, unknown, string>>(
  route: R,
  ...[params]: [ParamsOf<R>] extends [never] ? [] : [Record<ParamsOf<R>, string>]
): string {
  return route.path.replace(/:([a-z]+)/g, (_, name: string) => {
    const value = (params as Record<string, string> | undefined)?.[name];
    if (value === undefined) throw new Error(`${route.path}: missing parameter ${name}`);
    return encodeURIComponent(value);
  });
}
