// The hub protocol v1 over HTTPS (docs/hub-protocol.md): thin mapping from requests to HubService.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HubProtocolError } from '../hub-protocol-error.ts';
import type { HubService } from '../processing/hub-service.ts';
import { checkIdempotencyKey, checkNotEmpty, checkSource, decodeFileName, uploadKindOf, verifyContentDigest } from '../processing/upload-validation.ts';
import { authOf, bearerToken, header, jsonBody, queryNumber, queryString, rememberAuth } from './request-helpers.ts';

export interface ProtocolRoutesOptions {
  service: HubService;
  longPollMaxSeconds: number;
  maxDocumentBytes: number;
}

const DEFAULT_EVENT_LIMIT = 100;
const MAX_EVENT_LIMIT = 1000;
const JSON_BODY_LIMIT = 64 * 1024;
const EXTENSION = { pdf: 'pdf', xml: 'xml', p7m: 'xml.p7m' } as const;

const enrollmentSchema = z.object({
  activationCode: z.string().min(1).max(200),
  deviceName: z.string().min(1).max(200),
});

export function registerProtocolRoutes(app: FastifyInstance, options: ProtocolRoutesOptions): void {
  const { service } = options;

  // Every /v1 call but enrollment carries the account's key.
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/v1/') || (request.method === 'POST' && path === '/v1/enrollments')) return;
    rememberAuth(request, service.authenticate(bearerToken(request)));
  });

  app.get('/v1/account', async (request) => service.account(authOf(request)));

  app.post('/v1/documents', { bodyLimit: options.maxDocumentBytes }, async (request, reply) => {
    const auth = authOf(request);
    const { kind, mediaType } = uploadKindOf(header(request, 'content-type'));
    const bytes = checkNotEmpty(request.body as Buffer | undefined);
    const idempotencyKey = checkIdempotencyKey(header(request, 'idempotency-key'));
    const sha256 = verifyContentDigest(header(request, 'content-digest'), bytes);
    const fileName = decodeFileName(header(request, 'x-filename'), `document.${EXTENSION[kind]}`);
    const source = checkSource(header(request, 'x-source'));
    const company = header(request, 'x-company') || null;
    const result = service.submitDocument(auth, { idempotencyKey, kind, contentType: mediaType, fileName, source, company, bytes, sha256 });
    return reply.code(result.status).send(result.body);
  });

  app.get('/v1/documents', async (request) => {
    const ids = (queryString(request, 'ids') ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    return { documents: service.documents(authOf(request), ids) };
  });

  app.get<{ Params: { id: string } }>('/v1/documents/:id', async (request) => service.document(authOf(request), request.params.id));

  app.get<{ Params: { id: string; name: string } }>('/v1/documents/:id/files/:name', async (request, reply) => {
    const file = service.file(authOf(request), request.params.id, request.params.name);
    const digest = createHash('sha256').update(file.bytes).digest('base64');
    return reply.header('content-type', file.contentType).header('content-digest', `sha-256=:${digest}:`).send(file.bytes);
  });

  app.get('/v1/events', async (request, reply) => {
    const since = queryNumber(request, 'since', { fallback: 0, min: 0, integer: true });
    const limit = Math.min(MAX_EVENT_LIMIT, queryNumber(request, 'limit', { fallback: DEFAULT_EVENT_LIMIT, min: 1, integer: true }));
    const timeoutSeconds = Math.min(options.longPollMaxSeconds, queryNumber(request, 'timeout', { fallback: 0, min: 0, integer: false }));
    // Stop waiting when the client goes away.
    const gone = new AbortController();
    const onClose = (): void => gone.abort();
    reply.raw.once('close', onClose);
    try {
      return await service.events(authOf(request), { since, limit, timeoutSeconds }, gone.signal);
    } finally {
      reply.raw.off('close', onClose);
    }
  });

  app.post('/v1/enrollments', { bodyLimit: JSON_BODY_LIMIT }, async (request, reply) => {
    const parsed = enrollmentSchema.safeParse(jsonBody(request));
    if (!parsed.success) {
      throw new HubProtocolError(400, 'invalid_request', 'Send {"activationCode": "...", "deviceName": "..."} as JSON.');
    }
    return reply.code(201).send(service.enroll(parsed.data.activationCode, parsed.data.deviceName));
  });
}
