// The sandbox hub's HTTPS face: fastify 5 over real TLS, raw bodies, protocol error bodies
// everywhere, fault injection in front of every /v1 route.
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HubProtocolError } from '../hub-protocol-error.ts';
import type { HubService } from '../processing/hub-service.ts';
import type { SandboxAdmin } from '../processing/sandbox-admin.ts';
import type { TlsMaterial } from '../data-dir.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import type { FaultAction, FaultInjector } from './fault-injector.ts';
import { registerProtocolRoutes } from './protocol-routes.ts';

export interface HttpsServerOptions {
  tls: TlsMaterial;
  service: HubService;
  admin: SandboxAdmin;
  faults: FaultInjector;
  adminToken: string;
  maxDocumentBytes: number;
  longPollMaxSeconds: number;
  /** Current last event seq, for an injected 410's body. */
  lastSeq: () => number;
}

const FAULT_CODES: Record<number, string> = {
  401: 'invalid_api_key',
  402: 'credits_exhausted',
  403: 'forbidden',
  404: 'not_found',
  409: 'idempotency_conflict',
  410: 'cursor_expired',
  413: 'document_too_large',
  429: 'rate_limited',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

export function createHttpsServer(options: HttpsServerOptions): FastifyInstance {
  const app = Fastify({
    https: { key: options.tls.privateKeyPem, cert: options.tls.certificatePem },
    logger: false,
    bodyLimit: options.maxDocumentBytes,
    // close() must not wait for held sockets (timeout faults) or long polls.
    forceCloseConnections: true,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  // Every body is kept as raw bytes: documents are hashed as received; JSON routes decode themselves.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const resetAfterProcessing = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (request, reply) => {
    const action = options.faults.take(request.method, request.routeOptions.url, request.url.split('?')[0] ?? '');
    if (action?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, action.delayMs));
    else if (action) applyFault(action, request, reply, resetAfterProcessing, options.lastSeq);
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    // The work is done and stored; the client just never hears about it.
    if (resetAfterProcessing.has(request)) request.raw.socket?.destroy();
    return payload;
  });

  registerAdminRoutes(app, { admin: options.admin, faults: options.faults, adminToken: options.adminToken });
  registerProtocolRoutes(app, { service: options.service, longPollMaxSeconds: options.longPollMaxSeconds, maxDocumentBytes: options.maxDocumentBytes });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0] ?? ''} on this hub.` } });
  });
  app.setErrorHandler((error: FastifyError | HubProtocolError, request, reply) => {
    const protocolError = toProtocolError(error, request);
    if (protocolError.status >= 500) console.error('[sandbox-hub] internal error', error);
    reply.code(protocolError.status).send(protocolError.toBody());
  });
  return app;
}

function applyFault(
  action: FaultAction,
  request: FastifyRequest,
  reply: FastifyReply,
  resetAfterProcessing: WeakSet<FastifyRequest>,
  lastSeq: () => number,
): void {
  switch (action.kind) {
    case 'status': {
      const code = FAULT_CODES[action.status] ?? 'injected_fault';
      const extra = action.status === 410 ? { lastSeq: lastSeq() } : {};
      const error = new HubProtocolError(action.status, code, `Injected fault: the sandbox hub answers ${action.status} to this request.`, { extra });
      if (action.retryAfterSeconds !== undefined) reply.header('retry-after', String(Math.ceil(action.retryAfterSeconds)));
      reply.code(action.status).send(error.toBody());
      return;
    }
    case 'reset':
      reply.hijack();
      request.raw.socket?.destroy();
      return;
    case 'timeout':
      // Hold the socket without answering until the client gives up (or the hub closes).
      reply.hijack();
      return;
    case 'process-then-reset':
      resetAfterProcessing.add(request);
      return;
    case 'slow':
      return; // waited for in the hook
  }
}

function toProtocolError(error: FastifyError | HubProtocolError, request: FastifyRequest): HubProtocolError {
  if (error instanceof HubProtocolError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
    const limit = request.routeOptions.bodyLimit;
    return new HubProtocolError(413, 'document_too_large', `The body is larger than this hub accepts (${limit} bytes at most).`);
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new HubProtocolError(error.statusCode, 'bad_request', error.message);
  }
  return new HubProtocolError(500, 'internal_error', 'The sandbox hub failed while handling this request.');
}
