// IPP over HTTP (RFC 8010 §4): POSTs of application/ipp to a queue's path, plus a page and an icon for GET.
// Every request is checked first: the peer must be this computer and the Host header must name it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IppMessage } from '../ipp/attributes.ts';
import type { PrinterQueue } from '../ipp-printer-server.ts';
import { IppRequestError } from '../ipp/errors.ts';
import { operationName, statusName, STATUS } from '../ipp/tags.ts';
import { decodeContentCoding } from './http-content-coding.ts';
import { encodeResponse, errorResult } from './ipp-response.ts';
import { isLoopbackAddress, parseLoopbackHost } from './loopback.ts';
import { validateRequest, type OperationResult } from './operation-request.ts';
import { OPERATION_HANDLERS } from './operations/index.ts';
import { printerIconPng } from './printer-icon.ts';
import { printerPageHtml } from './printer-page.ts';
import { parsePrinterPath, PrinterUris, queueForPath, type PrinterPath } from './printer-paths.ts';
import type { PrinterRuntime } from './printer-runtime.ts';
import { drainChunks, readRequestBody, type RequestBody } from './request-body.ts';

export type IppHttpHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * The request listener of the printer's HTTP server.
 * `fallbackAuthority` names the server for clients that send no Host header (HTTP/1.0).
 */
export function createIppHttpHandler(runtime: PrinterRuntime, fallbackAuthority: () => string): IppHttpHandler {
  return async (request, response) => {
    try {
      await handle(runtime, fallbackAuthority, request, response);
    } catch (error) {
      // Nothing here may throw: the server does not wait for this promise (a rejection would end the process).
      runtime.log.error('the printer failed to answer a request', { reason: error instanceof Error ? error.message : String(error), url: request.url });
      if (!response.headersSent) sendText(request, response, 500, 'The printer failed to answer this request.');
      else response.destroy();
    }
  };
}

async function handle(runtime: PrinterRuntime, fallbackAuthority: () => string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!isLoopbackAddress(request.socket.remoteAddress)) {
    runtime.log.warn('refused a print request from another computer', { peer: request.socket.remoteAddress ?? null });
    return sendText(request, response, 403, 'This printer serves this computer only.');
  }
  const host = request.headers.host === undefined ? { authority: fallbackAuthority() } : parseLoopbackHost(request.headers.host);
  if (!host) return sendText(request, response, 403, 'The Host header must name this computer (localhost or a loopback address).');

  const path = parsePrinterPath(pathOf(request.url));
  const queue = path && queueForPath(runtime.queues, path);
  if (!path || !queue) return sendText(request, response, 404, 'There is no printer here; printers are at /ipp/print/<profile id>.');
  const uris = new PrinterUris(host.authority, path.profileId === null);

  if (request.method === 'GET' || request.method === 'HEAD') return sendResource(request, response, path, () => printerPageHtml(queue, uris.printer(queue)));
  if (request.method !== 'POST') {
    response.setHeader('Allow', 'GET, HEAD, POST');
    return sendText(request, response, 405, 'Send IPP requests with POST.');
  }
  if (!/^application\/ipp\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
    return sendText(request, response, 415, 'IPP requests need Content-Type: application/ipp.');
  }
  await handleIppRequest(runtime, request, response, queue, uris);
}

/** Reads the IPP message, runs its operation, drains what the operation left of the body, answers. */
async function handleIppRequest(
  runtime: PrinterRuntime,
  request: IncomingMessage,
  response: ServerResponse,
  queue: PrinterQueue,
  uris: PrinterUris,
): Promise<void> {
  const source = decodeContentCoding(request, request.headers['content-encoding']);
  if (!source)
    return sendText(request, response, 415, `Content-Encoding "${request.headers['content-encoding']}" is not supported; use gzip, deflate or none.`);

  const chunks = source[Symbol.asyncIterator]();
  let body: RequestBody;
  try {
    body = await readRequestBody(chunks, runtime.limits);
  } catch (error) {
    if (!(error instanceof IppRequestError)) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code.startsWith('Z_')) return sendText(request, response, 400, `The request body is not valid ${request.headers['content-encoding']} data.`);
      if (code !== 'ECONNRESET' && !request.socket.destroyed) throw error;
      runtime.log.warn('a client hung up in the middle of its request', { reason: (error as Error).message });
      return;
    }
    runtime.log.warn('refused a malformed IPP request', { status: error.status, reason: error.message });
    // The message could not be read: the answer cannot echo its request-id, and the connection is not reused.
    await drainChunks(chunks, runtime.maxJobBytes).catch(() => false);
    return sendIpp(request, response, encodeResponse(null, errorResult(error.status, error.message)), false);
  }

  const result = await runOperation(runtime, body, queue, uris);
  const drained = await body.drain(runtime.maxJobBytes).catch(() => false);
  sendIpp(request, response, encodeResponse(body.message, result), drained);
}

async function runOperation(runtime: PrinterRuntime, body: RequestBody, queue: PrinterQueue, uris: PrinterUris): Promise<OperationResult> {
  const { message } = body;
  try {
    const operation = validateRequest(message, {
      runtime,
      queue,
      uris: (target) => (target.profileId === queue.profileId ? uris : new PrinterUris(uris.authority, false)),
      data: body.data,
    });
    const handler = OPERATION_HANDLERS[operation.operation];
    if (!handler) throw new IppRequestError('server-error-operation-not-supported', `${operation.operation} is not supported by this printer.`);
    const result = await handler(operation);
    logOutcome(runtime, message, result);
    return result;
  } catch (error) {
    if (error instanceof IppRequestError) {
      const result = errorResult(error.status, error.message, error.unsupported.length > 0 ? error.unsupported : undefined);
      logOutcome(runtime, message, result);
      return result;
    }
    runtime.log.error('an IPP operation failed', { operation: operationName(message.code), queue: queue.profileId, reason: (error as Error).message });
    return errorResult('server-error-internal-error', `The printer failed: ${(error as Error).message}`);
  }
}

function logOutcome(runtime: PrinterRuntime, message: IppMessage, result: OperationResult): void {
  if (STATUS[result.status] < 0x0400) return;
  runtime.log.warn('refused an IPP request', {
    operation: operationName(message.code),
    status: statusName(STATUS[result.status]),
    reason: result.statusMessage ?? null,
  });
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://printer.invalid').pathname;
  } catch {
    return '/';
  }
}

function sendResource(request: IncomingMessage, response: ServerResponse, path: PrinterPath, page: () => string): void {
  if (path.jobId !== null) return sendText(request, response, 404, 'Jobs have no page; ask for them with IPP.');
  const [type, body] = path.resource === 'icon.png' ? ['image/png', printerIconPng()] : ['text/html; charset=utf-8', Buffer.from(page(), 'utf8')];
  response.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
  response.end(request.method === 'HEAD' ? undefined : body);
  request.resume();
}

function sendIpp(request: IncomingMessage, response: ServerResponse, payload: Buffer, keepAlive: boolean): void {
  const headers: Record<string, string | number> = { 'Content-Type': 'application/ipp', 'Content-Length': payload.length };
  if (!keepAlive) headers.Connection = 'close';
  response.writeHead(200, headers);
  response.end(payload);
  // Only when the client kept sending more than the printer will discard: cut it off.
  if (!keepAlive) response.once('finish', () => request.destroy());
}

/**
 * An HTTP-level refusal. The connection is not reused; the body is left to Node, which reads and drops
 * it, so the client is not reset before it reads the answer.
 */
function sendText(request: IncomingMessage, response: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(`${message}\n`, 'utf8');
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, Connection: 'close' });
  response.end(body);
  request.resume();
}
