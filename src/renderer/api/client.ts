// The local API v1 client used by the UI (docs/local-api.md), built from the contract's route table.
// Same-origin requests with the Bearer token; every refusal becomes an ApiError carrying the API's message.
import type { AgentStatus, DocumentDetail, DocumentsPage, EventsPage } from '../../contract/local-api.ts';
import type { DocumentState } from '../../contract/states.ts';
import type { ConnectionTestResult, CredentialsUpdate, SettingsData, SettingsSaved, SettingsView } from '../../contract/settings.ts';
import { ApiError, NETWORK_ERROR_STATUS, isAbort } from './api-error.ts';
import { ROUTES, pathOf, type AnswerOf, type UploadAnswer } from '../../contract/routes.ts';
import type { EnrollDefaults, EnrollRequest, EnrollmentResult } from '../../contract/enrollment.ts';
import type { ApproverCredentials, ApproverView, DecisionOutcome, NewApproverBody } from '../../contract/approval.ts';
import type { InvoiceView } from '../../contract/invoice-view.ts';
import type { PdfTextView } from '../../contract/pdf-text.ts';

export type { UploadAnswer, UploadedDocument } from '../../contract/routes.ts';

/** The list's date range (DateRangeFilter): calendar days (YYYY-MM-DD or ''), both ends inclusive. */
export interface DateRange {
  field: 'captured' | 'invoice';
  from: string;
  to: string;
}

export interface DocumentQuery {
  states: readonly DocumentState[];
  profile: string | null;
  q: string;
  /** None, or both ends empty: no date filter. */
  dates?: DateRange | null;
  cursor: string | null;
  limit: number;
}

export interface Download {
  blob: Blob;
  name: string;
}

export interface ApiClient {
  status(signal?: AbortSignal): Promise<AgentStatus>;
  documents(query: DocumentQuery, signal?: AbortSignal): Promise<DocumentsPage>;
  document(id: string, signal?: AbortSignal): Promise<DocumentDetail>;
  events(since: number, timeoutSeconds: number, limit: number, signal?: AbortSignal): Promise<EventsPage>;
  upload(file: File, profile?: string | null): Promise<UploadAnswer>;
  retry(id: string): Promise<{ id: string; state: DocumentState }>;
  cancel(id: string): Promise<{ id: string; state: DocumentState }>;
  /** Manual approval (docs/approval.md): one PIN check, an outcome per id; a refused PIN or a lockout is an ApiError. */
  approve(ids: readonly string[], credentials: ApproverCredentials): Promise<DecisionOutcome[]>;
  refuse(ids: readonly string[], reason: string, credentials: ApproverCredentials): Promise<DecisionOutcome[]>;
  approvers(signal?: AbortSignal): Promise<ApproverView[]>;
  addApprover(body: NewApproverBody): Promise<ApproverView>;
  removeApprover(name: string, by: { approver: string; pin: string }): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  setHubApiKey(key: string): Promise<void>;
  /** Enrollment by activation code (docs/enrollment.md): the answer is the account, never the key; a refusal is an ApiError with its code. */
  enroll(request: EnrollRequest): Promise<EnrollmentResult>;
  enrollDefaults(signal?: AbortSignal): Promise<EnrollDefaults>;
  config(signal?: AbortSignal): Promise<SettingsView>;
  /** The whole settings object; refused fields come back as an ApiError `invalid_config`. */
  saveConfig(settings: SettingsData): Promise<SettingsSaved>;
  setCredentials(values: CredentialsUpdate): Promise<void>;
  testConnection(): Promise<ConnectionTestResult>;
  downloadContent(id: string, fallbackName: string): Promise<Download>;
  downloadFile(id: string, name: string): Promise<Download>;
  /** The whole invoice for the invoice view (docs/ui.md). */
  invoice(id: string, signal?: AbortSignal): Promise<InvoiceView>;
  /** The text the agent reads out of a PDF document, page by page (the PDF preview). */
  pdfText(id: string, signal?: AbortSignal): Promise<PdfTextView>;
  /** One attachment (Allegati) of one body of the invoice. */
  downloadInvoiceAttachment(id: string, body: number, index: number, fallbackName: string): Promise<Download>;
  /** The ZIP for the helpdesk (docs/support-bundle.md). */
  downloadSupportBundle(): Promise<Download>;
}

export interface ApiClientOptions {
  token: string;
  /** Called once per 401 answer: the token is wrong or was replaced. */
  onUnauthorized: () => void;
  /** Where the API is: the page's own origin when omitted. */
  origin?: string;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function createApiClient(options: ApiClientOptions): ApiClient {
  const origin = options.origin ?? '';

  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${options.token}`);
    let response: Response;
    try {
      response = await fetch(`${origin}${path}`, { ...init, headers, cache: 'no-store', credentials: 'omit' });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new ApiError(NETWORK_ERROR_STATUS, 'network', 'the agent did not answer');
    }
    if (response.ok) return response;
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string; details?: unknown } } | null;
    if (response.status === 401) options.onUnauthorized();
    throw new ApiError(
      response.status,
      body?.error?.code ?? 'http_error',
      body?.error?.message ?? `the agent answered ${response.status}`,
      body?.error?.details ?? null,
    );
  }

  async function json<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await send(path, init);
    return (await response.json()) as T;
  }

  async function download(path: string, fallbackName: string): Promise<Download> {
    const response = await send(path);
    return { blob: await response.blob(), name: fileNameFrom(response.headers.get('Content-Disposition')) ?? fallbackName };
  }

  return {
    status: (signal) => json<AnswerOf<typeof ROUTES.status>>(pathOf(ROUTES.status), { signal: signal ?? null }),
    documents: (query, signal) => json<AnswerOf<typeof ROUTES.documents>>(`${pathOf(ROUTES.documents)}?${documentSearch(query)}`, { signal: signal ?? null }),
    document: (id, signal) => json<AnswerOf<typeof ROUTES.document>>(pathOf(ROUTES.document, { id }), { signal: signal ?? null }),
    events: (since, timeoutSeconds, limit, signal) =>
      json<AnswerOf<typeof ROUTES.events>>(`${pathOf(ROUTES.events)}?since=${since}&timeout=${timeoutSeconds}&limit=${limit}`, { signal: signal ?? null }),
    upload: (file, profile) => {
      const headers: Record<string, string> = {
        // Any type but application/json: the API reads the body as the file's bytes.
        'Content-Type': 'application/octet-stream',
        'X-Filename': encodeURIComponent(file.name),
        'X-Source': 'upload',
      };
      if (profile) headers['X-Profile'] = profile;
      return json<UploadAnswer>(pathOf(ROUTES.upload), { method: ROUTES.upload.method, headers, body: file });
    },
    retry: (id) => json<AnswerOf<typeof ROUTES.retry>>(pathOf(ROUTES.retry, { id }), { method: ROUTES.retry.method }),
    cancel: (id) => json<AnswerOf<typeof ROUTES.cancel>>(pathOf(ROUTES.cancel, { id }), { method: ROUTES.cancel.method }),
    approve: async (ids, credentials) =>
      (
        await json<AnswerOf<typeof ROUTES.approveMany>>(pathOf(ROUTES.approveMany), {
          method: ROUTES.approveMany.method,
          headers: JSON_HEADERS,
          body: JSON.stringify({ ids, ...credentials }),
        })
      ).results,
    refuse: async (ids, reason, credentials) =>
      (
        await json<AnswerOf<typeof ROUTES.refuseMany>>(pathOf(ROUTES.refuseMany), {
          method: ROUTES.refuseMany.method,
          headers: JSON_HEADERS,
          body: JSON.stringify({ ids, reason, ...credentials }),
        })
      ).results,
    approvers: async (signal) => (await json<AnswerOf<typeof ROUTES.approvers>>(pathOf(ROUTES.approvers), { signal: signal ?? null })).approvers,
    addApprover: (body) =>
      json<AnswerOf<typeof ROUTES.addApprover>>(pathOf(ROUTES.addApprover), {
        method: ROUTES.addApprover.method,
        headers: JSON_HEADERS,
        body: JSON.stringify(body),
      }),
    removeApprover: async (name, by) => {
      await send(pathOf(ROUTES.removeApprover, { name }), { method: ROUTES.removeApprover.method, headers: JSON_HEADERS, body: JSON.stringify({ by }) });
    },
    pause: async () => {
      await send(pathOf(ROUTES.pause), { method: ROUTES.pause.method });
    },
    resume: async () => {
      await send(pathOf(ROUTES.resume), { method: ROUTES.resume.method });
    },
    enroll: (request) =>
      json<AnswerOf<typeof ROUTES.enroll>>(pathOf(ROUTES.enroll), { method: ROUTES.enroll.method, headers: JSON_HEADERS, body: JSON.stringify(request) }),
    enrollDefaults: (signal) => json<AnswerOf<typeof ROUTES.enrollDefaults>>(pathOf(ROUTES.enrollDefaults), { signal: signal ?? null }),
    setHubApiKey: async (key) => {
      await send(pathOf(ROUTES.credentials), { method: ROUTES.credentials.method, headers: JSON_HEADERS, body: JSON.stringify({ hubApiKey: key }) });
    },
    config: (signal) => json<AnswerOf<typeof ROUTES.config>>(pathOf(ROUTES.config), { signal: signal ?? null }),
    saveConfig: (settings) =>
      json<AnswerOf<typeof ROUTES.saveConfig>>(pathOf(ROUTES.saveConfig), {
        method: ROUTES.saveConfig.method,
        headers: JSON_HEADERS,
        body: JSON.stringify(settings),
      }),
    setCredentials: async (values) => {
      await send(pathOf(ROUTES.credentials), { method: ROUTES.credentials.method, headers: JSON_HEADERS, body: JSON.stringify(values) });
    },
    testConnection: () => json<AnswerOf<typeof ROUTES.hubTest>>(pathOf(ROUTES.hubTest), { method: ROUTES.hubTest.method }),
    downloadContent: (id, fallbackName) => download(pathOf(ROUTES.content, { id }), fallbackName),
    downloadFile: (id, name) => download(pathOf(ROUTES.file, { id, name }), name),
    invoice: (id, signal) => json<AnswerOf<typeof ROUTES.invoice>>(pathOf(ROUTES.invoice, { id }), { signal: signal ?? null }),
    pdfText: (id, signal) => json<AnswerOf<typeof ROUTES.pdfText>>(pathOf(ROUTES.pdfText, { id }), { signal: signal ?? null }),
    downloadInvoiceAttachment: (id, body, index, fallbackName) =>
      download(pathOf(ROUTES.invoiceAttachment, { id, body: String(body), index: String(index) }), fallbackName),
    downloadSupportBundle: () => download(pathOf(ROUTES.supportBundle), 'recapito-support.zip'),
  };
}

export function documentSearch(query: DocumentQuery): string {
  const params = new URLSearchParams();
  if (query.states.length > 0) params.set('state', query.states.join(','));
  if (query.profile) params.set('profile', query.profile);
  if (query.q.trim()) params.set('q', query.q.trim());
  const dates = query.dates;
  if (dates?.field === 'invoice') {
    if (dates.from) params.set('invoiceFrom', dates.from);
    if (dates.to) params.set('invoiceTo', dates.to);
  } else if (dates) {
    // Capture times are instants: the reader's days run from their local midnight to the next.
    if (dates.from) params.set('capturedFrom', localMidnight(dates.from, 0));
    if (dates.to) params.set('capturedTo', localMidnight(dates.to, 1));
  }
  if (query.cursor) params.set('cursor', query.cursor);
  params.set('limit', String(query.limit));
  return params.toString();
}

/** The start of the local day `day` (YYYY-MM-DD) plus `addDays`, as an ISO instant. */
export function localMidnight(day: string, addDays: number): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, (date ?? 1) + addDays).toISOString();
}

/** The name from `attachment; filename="…"; filename*=UTF-8''…`, preferring the UTF-8 form. */
export function fileNameFrom(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // Fall back to the plain form.
    }
  }
  const plain = /filename="([^"]*)"/i.exec(disposition);
  return plain?.[1] ?? null;
}
