// Turns whatever a hub call threw (an HTTP answer, a network or TLS failure) into a HubRequestError
// whose kind tells the outbox what to do and whose message tells a person why, in plain English.
import { isAxiosError } from 'axios';
import { HubRequestError } from './hub-client.ts';
import { parseRetryAfter } from './retry-after.ts';
import { NETWORK_REASONS as SHARED_NETWORK_REASONS } from './network-reasons.ts';
import { sanitize } from './sanitize.ts';

export interface HubErrorContext {
  /** What the call was about, for messages: "the document", "the event feed"… */
  subject?: string;
  /** host:port of the proxy the call went through, if any (never its credentials). */
  proxy?: string | null;
  /** The timeout the call had, to say how long the hub stayed silent. */
  timeoutMs?: number;
}

interface HubErrorFields {
  code: string;
  message: string;
  details?: unknown;
}

const MAX_HUB_MESSAGE_CHARS = 300;

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ...SHARED_NETWORK_REASONS,
  ERR_SOCKET_CONNECTION_TIMEOUT: 'connection timed out',
};

const TLS_REASONS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is signed by a certificate authority this computer does not trust',
  UNABLE_TO_GET_ISSUER_CERT: 'it is signed by a certificate authority this computer does not trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it is signed by a certificate authority this computer does not trust',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a self-signed certificate authority this computer does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was issued for another host name',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: "it is not valid yet (check this computer's clock)",
  CERT_REVOKED: 'it has been revoked',
  CERT_UNTRUSTED: 'it is not trusted for this purpose',
  CERT_REJECTED: 'it is marked as rejected',
  CERT_SIGNATURE_FAILURE: 'its signature is invalid',
  INVALID_CA: 'its issuer is not a valid certificate authority',
  // A certificate authority's own certificate served as the server's: OpenSSL's X509_V_ERR_INVALID_PURPOSE.
  INVALID_PURPOSE: 'it is not a certificate for a server (unsuitable certificate purpose)',
  PATH_LENGTH_EXCEEDED: 'its chain is longer than its issuer allows',
  KEYUSAGE_NO_CERTSIGN: 'its issuer is not allowed to sign certificates',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'its signature cannot be read',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: "its issuer's key cannot be read",
};

const TLS_HINT = 'if the hub is the sandbox or a corporate proxy inspects HTTPS, add its CA file to the configuration';

export function classifyHubError(error: unknown, context: HubErrorContext = {}): HubRequestError {
  if (error instanceof HubRequestError) return error;
  if (isAxiosError(error) && error.response) {
    const response = error.response;
    return classifyHubResponse(response.status, response.statusText, headerValue(response.headers, 'retry-after'), response.data, context);
  }
  return classifyTransportError(error, context);
}

/** A non-2xx answer from the hub (or from a proxy on the way). */
function classifyHubResponse(
  status: number,
  statusText: string,
  retryAfter: string | undefined,
  body: unknown,
  context: HubErrorContext = {},
): HubRequestError {
  const subject = context.subject ?? 'the request';
  const parsed = parseJsonBody(body);
  const fields = hubErrorFields(parsed, status, statusText);
  const retryAfterMs = parseRetryAfter(retryAfter);
  const said = `(${status} ${fields.code})${fields.message ? `: ${fields.message}` : ''}`;
  const base = { status, code: fields.code, details: fields.details, retryAfterMs };

  switch (status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return new HubRequestError({ ...base, kind: 'permanent', message: `hub refused ${subject} ${said}` });
    case 409:
      return new HubRequestError({
        ...base,
        kind: 'conflict',
        message: `hub refused ${subject}: its Idempotency-Key was already used with different bytes ${said}`,
      });
    case 401:
      return new HubRequestError({ ...base, kind: 'auth', message: `hub refused the API key (invalid, expired or revoked) ${said}` });
    case 403:
      return new HubRequestError({ ...base, kind: 'auth', message: `hub denied access to ${subject} ${said}` });
    case 402:
      return new HubRequestError({ ...base, kind: 'credits', message: `hub account has no credits left ${said}` });
    case 410:
      return new HubRequestError({
        ...base,
        kind: 'cursor_expired',
        lastSeq: lastSeqOf(parsed),
        message: `hub no longer keeps events that old; documents must be reconciled ${said}`,
      });
    case 407:
      return new HubRequestError({
        ...base,
        kind: 'transient',
        message: `the proxy${context.proxy ? ` ${context.proxy}` : ''} requires authentication (407): put the credentials in the proxy URL`,
      });
    case 429:
      return new HubRequestError({ ...base, kind: 'transient', message: `hub is limiting the request rate ${said}` });
  }
  if (status >= 500) {
    return new HubRequestError({ ...base, kind: 'transient', message: `hub error ${said}` });
  }
  // Anything else (404, 3xx…) points at a wrong URL or something between us and the hub, not at
  // the document: retry rather than fail documents that may be fine.
  return new HubRequestError({ ...base, kind: 'transient', message: `hub gave an unexpected answer to ${subject} ${said}` });
}

/** The hub answered 2xx, but not with what the protocol promises: retried, the hub may be mid-deploy. */
export function hubProtocolError(status: number, subject: string, problem: string): HubRequestError {
  return new HubRequestError({
    kind: 'transient',
    code: 'protocol_error',
    status,
    message: `hub sent an unexpected answer about ${subject} (${status}): ${problem}`,
  });
}

function classifyTransportError(error: unknown, context: HubErrorContext): HubRequestError {
  const codes = errorCodes(error);
  const via = context.proxy ? ` via proxy ${context.proxy}` : '';
  const cause = innermostCause(error);

  const tlsCode = codes.find((code) => code in TLS_REASONS || code.startsWith('CERT_'));
  if (tlsCode) {
    const reason = TLS_REASONS[tlsCode] ?? `verification failed (${tlsCode})`;
    return new HubRequestError({
      kind: 'tls',
      code: tlsCode,
      message: `the hub's certificate is not trusted: ${reason} (${tlsCode}); ${TLS_HINT}`,
      cause,
    });
  }

  if (isTimeout(error, codes)) {
    const within = context.timeoutMs ? ` within ${formatSeconds(context.timeoutMs)}` : ' in time';
    return new HubRequestError({ kind: 'transient', code: 'timeout', message: `hub did not answer${via}${within}`, cause });
  }

  const networkCode = codes.find((code) => code in NETWORK_REASONS);
  if (networkCode) {
    return new HubRequestError({ kind: 'transient', code: networkCode, message: `hub unreachable${via}: ${NETWORK_REASONS[networkCode]}`, cause });
  }

  const text = errorMessages(error).join(' ');
  if (/socket hang up/i.test(text)) {
    return new HubRequestError({ kind: 'transient', code: 'ECONNRESET', message: `hub unreachable${via}: connection closed before the answer`, cause });
  }
  if (/aborted/i.test(text) || codes.includes('ERR_CANCELED')) {
    return new HubRequestError({ kind: 'transient', code: 'aborted', message: `hub request aborted${via}`, cause });
  }
  const sslCode = codes.find((code) => code.startsWith('ERR_SSL_') || code === 'EPROTO');
  if (sslCode) {
    return new HubRequestError({
      kind: 'transient',
      code: sslCode,
      message: `secure connection to the hub failed${via} (${sslCode}): is the hub URL an HTTPS endpoint?`,
      cause,
    });
  }
  if (/maxContentLength/i.test(text)) {
    return new HubRequestError({ kind: 'transient', code: 'response_too_large', message: 'hub answer is larger than this agent accepts', cause });
  }
  const summary = sanitize(errorMessages(error)[0] ?? String(error), MAX_HUB_MESSAGE_CHARS);
  return new HubRequestError({ kind: 'transient', code: codes[0] ?? 'request_failed', message: `hub request failed${via}: ${summary}`, cause });
}

function isTimeout(error: unknown, codes: string[]): boolean {
  // axios reports its own timeout as ECONNABORTED (or ETIMEDOUT with clarifyTimeoutError) and a
  // message naming the timeout; a bare ECONNABORTED from the socket is a different thing.
  return (
    (isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT') && /timeout/i.test(error.message)) ||
    codes.includes('UND_ERR_CONNECT_TIMEOUT')
  );
}

/** Codes along the cause chain: axios wraps the socket's error, TLS errors nest further. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (const link of causeChain(error)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && !codes.includes(code)) codes.push(code);
  }
  return codes;
}

function errorMessages(error: unknown): string[] {
  return causeChain(error)
    .map((link) => (link instanceof Error ? link.message : ''))
    .filter((message) => message.length > 0);
}

function causeChain(error: unknown): object[] {
  const chain: object[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !chain.includes(current) && chain.length < 8) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * The socket's own error, kept as the cause for diagnostics. Never the AxiosError itself: its
 * config carries the Authorization header, which must not reach a log.
 */
function innermostCause(error: unknown): unknown {
  const chain = causeChain(error).filter((link) => !isAxiosError(link));
  return chain[chain.length - 1];
}

function parseJsonBody(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  let text: string;
  if (Buffer.isBuffer(body)) text = body.toString('utf8');
  else if (body instanceof ArrayBuffer) text = Buffer.from(body).toString('utf8');
  else if (typeof body === 'string') text = body;
  else return body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function hubErrorFields(body: unknown, status: number, statusText: string): HubErrorFields {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const code = error && typeof error.code === 'string' && error.code ? sanitize(error.code, 80) : `http_${status}`;
  const message = error && typeof error.message === 'string' ? sanitize(error.message, MAX_HUB_MESSAGE_CHARS) : sanitize(statusText, MAX_HUB_MESSAGE_CHARS);
  return { code, message, details: error?.details };
}

/** 410 carries where to restart: accepted at the top level, in error, or in error.details. */
function lastSeqOf(body: unknown): number | null {
  if (!isRecord(body)) return null;
  const error = isRecord(body.error) ? body.error : {};
  const details = isRecord(error.details) ? error.details : {};
  for (const candidate of [body.lastSeq, error.lastSeq, details.lastSeq]) {
    if (typeof candidate === 'number' && Number.isSafeInteger(candidate) && candidate >= 0) return candidate;
  }
  return null;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!isRecord(headers)) return undefined;
  const value = headers[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
