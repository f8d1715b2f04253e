// The hub over HTTPS (docs/hub-protocol.md): verified TLS (system roots plus an optional extra CA),
// proxies from the environment, keep-alive, and every failure classified for the outbox.
import https from 'node:https';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import axios from 'axios';
import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import { HttpsProxyAgent } from 'https-proxy-agent';
// @ts-expect-error -- proxy-from-env ships no type declarations; typed by the wrapper below.
import { getProxyForUrl as untypedGetProxyForUrl } from 'proxy-from-env';
import { z } from 'zod';
import { HUB_STATUSES, hubEventSchema, seqSchema } from './hub-event-schema.ts';
import type { HubAccount, HubDocument, HubEnrollment, HubEventsPage } from '../../contract/hub-protocol.ts';
import { HubRequestError, assertEventsRequest } from './hub-client.ts';
import type { EventsRequest, HubClient, UploadRequest, UploadResult } from './hub-client.ts';
import { classifyHubError, hubProtocolError } from './classify-hub-error.ts';
import type { HubErrorContext } from './classify-hub-error.ts';
import { withoutSecrets } from './without-secrets.ts';
import { contentDigestSha256 } from './content-digest.ts';

export interface HttpsHubClientOptions {
  /** https://host[:port][/prefix]; plain http is refused (it would expose the API key). */
  baseUrl: string;
  /** Read at each call: the key can change at runtime (enrolment, rotation). */
  apiKey: () => string | null;
  /** A CA trusted in addition to the system roots (sandbox hub, corporate HTTPS proxy). */
  extraCaPem?: string | null;
  /** For normal calls; long polls get their own timeout on top. Default 30 s. */
  requestTimeoutMs?: number;
  userAgent?: string;
  /** Where HTTPS_PROXY / NO_PROXY are read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const LONG_POLL_GRACE_MS = 15_000;
/** Uploads get extra time for their size, assuming the uplink moves at least this much per second. */
const SLOWEST_UPLINK_BYTES_PER_SECOND = 16 * 1024;
const MAX_RESPONSE_BYTES = 100 * 1024 * 1024;
const DOCUMENTS_PER_LOOKUP = 100;
/** Printable ASCII, no spaces: what may travel in a header untouched. */
const HEADER_TOKEN = /^[\x21-\x7e]+$/;
const HEADER_VALUE = /^[\x20-\x7e]+$/;

const getProxyForUrl = untypedGetProxyForUrl as (url: string) => string;

export interface EnrollmentRequest {
  activationCode: string;
  deviceName: string;
}

/** The HTTPS transport also enrolls: the one call made without a key (SFTP has no enrollment). */
export interface HttpsHubClient extends HubClient {
  readonly transport: 'https';
  /**
   * POST /v1/enrollments: trades a one-time activation code for a new API key. A refused code is a
   * HubRequestError with status 403 (`invalid_activation_code`); neither the code nor the key ever
   * appears in an error's message.
   */
  enroll(request: EnrollmentRequest, signal?: AbortSignal): Promise<HubEnrollment>;
}

export function createHttpsHubClient(options: HttpsHubClientOptions): HttpsHubClient {
  const baseUrl = parseHubBaseUrl(options.baseUrl);
  const ca = options.extraCaPem ? trustedCertificateAuthorities(options.extraCaPem) : undefined;
  const proxy = proxyFor(baseUrl, options.env ?? process.env);
  const agent = proxy
    ? new OriginVerifyingProxyAgent(proxy, ca)
    : // A secure context built once: with `ca` in the options, Node rebuilds the ~270-certificate
      // list into the pool key on every request (measured at ~12% of the agent's CPU in a burst).
      new https.Agent({ keepAlive: true, ...(ca ? { secureContext: tls.createSecureContext({ ca }) } : {}) });
  const proxyLabel = proxy ? proxy.host : null;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;

  const http: AxiosInstance = axios.create({
    baseURL: baseUrl,
    // Proxies are ours to handle (the agent above): axios' own env proxy support is unreliable for https.
    proxy: false,
    httpsAgent: agent,
    maxRedirects: 0,
    responseType: 'arraybuffer',
    // Bodies are parsed and validated here, not guessed at by axios.
    transformResponse: [(data: unknown) => data],
    maxContentLength: MAX_RESPONSE_BYTES,
    maxBodyLength: Infinity,
    headers: { 'User-Agent': options.userAgent ?? 'Recapito', Accept: 'application/json' },
  });

  interface CallSpec {
    method: Method;
    path: string;
    subject: string;
    timeoutMs: number;
    headers?: Record<string, string>;
    data?: Buffer;
    signal?: AbortSignal | undefined;
    /** Sent without the API key (enrollment only). */
    anonymous?: boolean;
    /** Other values the call carries that no error may repeat (the activation code). */
    secrets?: string[];
  }

  async function call(spec: CallSpec): Promise<AxiosResponse<Buffer>> {
    spec.signal?.throwIfAborted();
    const apiKey = spec.anonymous ? null : readApiKey(options.apiKey);
    const context: HubErrorContext = { subject: spec.subject, proxy: proxyLabel, timeoutMs: spec.timeoutMs };
    try {
      return await http.request<Buffer>({
        method: spec.method,
        url: spec.path,
        headers: { ...spec.headers, ...(apiKey === null ? {} : { Authorization: `Bearer ${apiKey}` }) },
        data: spec.data,
        timeout: spec.timeoutMs,
        signal: spec.signal,
      });
    } catch (error) {
      if (spec.signal?.aborted) throw spec.signal.reason;
      throw withoutSecrets(classifyHubError(error, context), [apiKey, ...(spec.secrets ?? [])]);
    }
  }

  return {
    transport: 'https',
    endpoint: baseUrl,

    async account(signal) {
      const subject = 'the account';
      const response = await call({ method: 'GET', path: 'v1/account', subject, timeoutMs: requestTimeoutMs, signal });
      return parseBody(response, accountSchema, subject) satisfies HubAccount;
    },

    async upload(request: UploadRequest, signal?: AbortSignal): Promise<UploadResult> {
      const subject = 'the document';
      const headers = uploadHeaders(request);
      const timeoutMs = requestTimeoutMs + Math.ceil(request.bytes.length / SLOWEST_UPLINK_BYTES_PER_SECOND) * 1000;
      const response = await call({ method: 'POST', path: 'v1/documents', subject, timeoutMs, headers, data: request.bytes, signal });
      if (response.status !== 200 && response.status !== 201) {
        throw hubProtocolError(response.status, subject, 'expected 201 (created) or 200 (replay)');
      }
      const created = parseBody(response, createdSchema, subject);
      return { hubId: created.id, receivedAt: created.receivedAt, replay: response.status === 200 };
    },

    async events(request: EventsRequest, signal?: AbortSignal): Promise<HubEventsPage> {
      const subject = 'the event feed';
      assertEventsRequest(request);
      const query = new URLSearchParams({
        since: String(request.since),
        limit: String(request.limit),
        timeout: String(request.timeoutSeconds),
      });
      const timeoutMs = request.timeoutSeconds * 1000 + LONG_POLL_GRACE_MS;
      const response = await call({ method: 'GET', path: `v1/events?${query.toString()}`, subject, timeoutMs, signal });
      return parseBody(response, eventsPageSchema, subject) satisfies HubEventsPage;
    },

    async enroll(request: EnrollmentRequest, signal?: AbortSignal): Promise<HubEnrollment> {
      const subject = 'the activation code';
      const data = Buffer.from(JSON.stringify({ activationCode: request.activationCode, deviceName: request.deviceName }), 'utf8');
      const response = await call({
        method: 'POST',
        path: 'v1/enrollments',
        subject,
        timeoutMs: requestTimeoutMs,
        headers: { 'Content-Type': 'application/json' },
        data,
        signal,
        anonymous: true,
        secrets: [request.activationCode],
      });
      if (response.status !== 201 && response.status !== 200) throw hubProtocolError(response.status, subject, 'expected 201 (enrolled)');
      // The shape's messages name fields, never values: the key in the body cannot reach an error.
      return parseBody(response, enrollmentSchema, subject) satisfies HubEnrollment;
    },

    async acknowledge(): Promise<void> {
      // The HTTPS feed is a cursor the agent keeps; there is nothing to delete on the hub.
    },

    async documents(hubIdsOrKeys: string[], signal?: AbortSignal): Promise<HubDocument[]> {
      const subject = 'the documents';
      const found: HubDocument[] = [];
      for (let start = 0; start < hubIdsOrKeys.length; start += DOCUMENTS_PER_LOOKUP) {
        const ids = hubIdsOrKeys
          .slice(start, start + DOCUMENTS_PER_LOOKUP)
          .map(encodeURIComponent)
          .join(',');
        const response = await call({ method: 'GET', path: `v1/documents?ids=${ids}`, subject, timeoutMs: requestTimeoutMs, signal });
        found.push(...(parseBody(response, documentsSchema, subject).documents satisfies HubDocument[]));
      }
      return found;
    },

    async downloadFile(hubId: string, name: string, signal?: AbortSignal): Promise<Buffer> {
      const subject = `the file ${name}`;
      const path = `v1/documents/${encodeURIComponent(hubId)}/files/${encodeURIComponent(name)}`;
      const response = await call({ method: 'GET', path, subject, timeoutMs: requestTimeoutMs, headers: { Accept: '*/*' }, signal });
      return Buffer.from(response.data);
    },

    async close(): Promise<void> {
      agent.destroy();
    },
  };
}

/** Node's default trust store (system roots, NODE_EXTRA_CA_CERTS…) plus the configured CA. */
export function trustedCertificateAuthorities(extraCaPem: string): string[] {
  try {
    // Parsing refuses a file that is not a certificate, instead of failing every call later.
    new X509Certificate(extraCaPem);
  } catch (error) {
    throw new Error(`the extra CA for the hub is not a valid PEM certificate: ${(error as Error).message}`, { cause: error });
  }
  const defaults = typeof tls.getCACertificates === 'function' ? tls.getCACertificates('default') : [...tls.rootCertificates];
  return [...defaults, extraCaPem];
}

/** The base URL with a trailing slash, so relative call paths keep any prefix it has. */
function parseHubBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`the hub URL "${value}" is not a valid URL`);
  }
  if (url.protocol !== 'https:') {
    throw new Error(`the hub URL must start with https:// (got ${url.protocol}//): the API key never travels unencrypted`);
  }
  if (url.username || url.password) {
    throw new Error('the hub URL must not contain credentials: the API key is configured separately');
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.href;
}

/**
 * HTTPS_PROXY / NO_PROXY for the hub, read from the given environment. proxy-from-env only reads
 * process.env, so it is lent the configured one for this single synchronous call.
 */
function proxyFor(baseUrl: string, env: NodeJS.ProcessEnv): URL | null {
  const saved = process.env;
  let proxy: string;
  try {
    if (env !== saved) process.env = env;
    proxy = getProxyForUrl(baseUrl);
  } finally {
    process.env = saved;
  }
  if (!proxy) return null;
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new Error('the HTTPS proxy in the environment (HTTPS_PROXY) is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`the HTTPS proxy in the environment uses ${url.protocol}, only http:// and https:// proxies are supported`);
  }
  return url;
}

/**
 * CONNECT tunnel to the hub. https-proxy-agent upgrades the tunnel to TLS with the request's own
 * options, which carry no `ca`: without this the extra CA would be ignored behind a proxy.
 */
class OriginVerifyingProxyAgent extends HttpsProxyAgent<string> {
  readonly #originCa: string[] | undefined;

  constructor(proxy: URL, ca: string[] | undefined) {
    super(proxy.href, { keepAlive: true, ca });
    this.#originCa = ca;
  }

  override connect(...[request, connectOptions]: Parameters<HttpsProxyAgent<string>['connect']>): ReturnType<HttpsProxyAgent<string>['connect']> {
    if (!this.#originCa || !connectOptions.secureEndpoint) return super.connect(request, connectOptions);
    return super.connect(request, { ...connectOptions, ca: this.#originCa });
  }
}

function readApiKey(apiKey: () => string | null): string {
  const key = apiKey();
  if (!key) {
    throw new HubRequestError({ kind: 'auth', code: 'no_api_key', message: 'no API key: this device is not enrolled with the hub yet' });
  }
  if (!HEADER_TOKEN.test(key)) {
    throw new HubRequestError({ kind: 'auth', code: 'invalid_api_key', message: 'the configured API key contains characters an API key cannot have' });
  }
  return key;
}

function uploadHeaders(request: UploadRequest): Record<string, string> {
  const refuse = (what: string): never => {
    throw new HubRequestError({ kind: 'permanent', code: 'invalid_request', message: `document cannot be sent: ${what}` });
  };
  if (!HEADER_TOKEN.test(request.idempotencyKey)) refuse('its id is empty or has characters not allowed in a header');
  if (!HEADER_VALUE.test(request.contentType)) refuse(`its content type "${request.contentType}" is not valid`);
  if (request.company !== undefined && !HEADER_TOKEN.test(request.company)) refuse('the company id is empty or not valid');
  if (!request.fileName) refuse('it has no file name');
  const headers: Record<string, string> = {
    'Content-Type': request.contentType,
    'Idempotency-Key': request.idempotencyKey,
    'Content-Digest': contentDigestSha256(request.bytes),
    'X-Filename': encodeURIComponent(request.fileName),
    'X-Source': request.source,
  };
  if (request.company !== undefined) headers['X-Company'] = request.company;
  return headers;
}

function parseBody<T>(response: AxiosResponse<Buffer>, schema: z.ZodType<T>, subject: string): T {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(response.data).toString('utf8'));
  } catch {
    throw hubProtocolError(response.status, subject, 'the body is not JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw hubProtocolError(response.status, subject, `${where}: ${issue?.message ?? 'unexpected shape'}`);
  }
  return result.data;
}

// ---- Wire shapes (docs/hub-protocol.md). Extra fields are kept: a newer hub may add some. ----

const text = z.string();

const createdSchema = z.looseObject({ id: text.min(1), status: text, receivedAt: text.min(1) });

const eventsPageSchema = z.looseObject({ events: z.array(hubEventSchema), lastSeq: seqSchema });

const documentSchema = z.looseObject({
  id: text,
  idempotencyKey: text,
  status: z.enum(HUB_STATUSES),
  history: z.array(hubEventSchema),
  files: z.array(z.looseObject({ name: text, kind: text, size: z.number().nonnegative(), sha256: text })),
});

const documentsSchema = z.looseObject({ documents: z.array(documentSchema) });

const enrollmentSchema = z.looseObject({
  // It travels in a header later: printable ASCII without spaces, or the hub sent something else.
  apiKey: text.regex(HEADER_TOKEN, 'not an API key (printable ASCII without spaces)'),
  key: z.looseObject({ id: text.min(1), expiresAt: text.nullable() }),
  account: z.looseObject({ id: text.min(1), name: text }),
});

const accountSchema = z.looseObject({
  account: z.looseObject({ id: text, name: text }),
  key: z.looseObject({ id: text, expiresAt: text.nullable() }),
  credits: z.looseObject({ remaining: z.number() }),
  companies: z.array(z.looseObject({ id: text, vatNumber: text, name: text })),
});
