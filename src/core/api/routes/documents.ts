// Document routes: list, detail, content, files, upload, retry, cancel.
import type { FastifyInstance } from 'fastify';
import { ROUTES, type DocumentsParams } from '../../../contract/routes.ts';
import { on } from './route.ts';
import type { AgentApi } from '../../agent/agent-api.ts';
import { AgentError } from '../../agent-error.ts';
import { isDocumentState, type DocumentState } from '../../../contract/states.ts';
import { intParam } from './params.ts';

function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** X-Submitted-By: the person releasing the document, percent-encoded UTF-8 (docs/approval.md): a claim, recorded as said. */
function submittedByHeader(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string' || !header.trim()) return null;
  let name: string;
  try {
    name = decodeURIComponent(header.trim());
  } catch {
    throw new AgentError('bad_header', 'X-Submitted-By must be percent-encoded UTF-8', 400);
  }
  // eslint-disable-next-line no-control-regex
  if (name.length > 80 || /[\u0000-\u001f\u007f-\u009f]/.test(name))
    throw new AgentError('bad_header', 'X-Submitted-By must be a name of at most 80 characters', 400);
  return name.trim() || null;
}

/** `capturedFrom`/`capturedTo`: instants (a date alone is UTC midnight), compared with the stored ISO times. */
function capturedRange(query: DocumentsParams): { from?: string; to?: string } {
  const range: { from?: string; to?: string } = {};
  for (const [name, key] of [
    ['capturedFrom', 'from'],
    ['capturedTo', 'to'],
  ] as const) {
    const value = query[name];
    if (value === undefined || value === '') continue;
    const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
    if (Number.isNaN(time)) throw new AgentError('bad_parameter', `${name} must be an ISO 8601 date or time`, 400);
    range[key] = new Date(time).toISOString();
  }
  return range;
}

/** `invoiceFrom`/`invoiceTo`: calendar dates, as invoices carry them. */
function invoiceRange(query: DocumentsParams): { invoiceFrom?: string; invoiceTo?: string } {
  const range: { invoiceFrom?: string; invoiceTo?: string } = {};
  for (const name of ['invoiceFrom', 'invoiceTo'] as const) {
    const value = query[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
      throw new AgentError('bad_parameter', `${name} must be a date, YYYY-MM-DD`, 400);
    range[name] = value;
  }
  return range;
}

export function registerDocumentRoutes(app: FastifyInstance, current: () => AgentApi): void {
  const agent = (): AgentApi => current();
  on(app, ROUTES.documents, async (request) => {
    const query = request.query as DocumentsParams;
    const states = (query['state'] ?? '').split(',').filter(Boolean);
    const bad = states.find((s) => !isDocumentState(s));
    if (bad) throw new AgentError('bad_parameter', `unknown state "${bad}"`, 400);
    return agent().documents({
      state: states as DocumentState[],
      ...(query['profile'] ? { profile: query['profile'] } : {}),
      ...(query['q'] ? { q: query['q'] } : {}),
      ...(query['from'] ? { from: query['from'] } : {}),
      ...(query['to'] ? { to: query['to'] } : {}),
      ...capturedRange(query),
      ...invoiceRange(query),
      cursor: query['cursor'] ?? null,
      limit: intParam(query['limit'], 50, 1, 500, 'limit'),
    });
  });

  on(app, ROUTES.document, async (request) => {
    const { id } = request.params as { id: string };
    const document = agent().document(id);
    if (!document) throw new AgentError('not_found', `no document with id ${id}`, 404);
    return document;
  });

  on(app, ROUTES.content, async (request, reply) => {
    const { id } = request.params as { id: string };
    const content = await agent().content(id);
    if (!content) throw new AgentError('not_found', `no stored content for document ${id}`, 404);
    return reply.header('Content-Type', content.contentType).header('Content-Disposition', contentDisposition(content.name)).send(content.bytes);
  });

  on(app, ROUTES.file, async (request, reply) => {
    const { id, name } = request.params as { id: string; name: string };
    const bytes = await agent().file(id, name);
    if (!bytes) throw new AgentError('not_found', `document ${id} has no file "${name}"`, 404);
    const type = name.toLowerCase().endsWith('.xml') ? 'application/xml' : 'application/octet-stream';
    return reply.header('Content-Type', type).header('Content-Disposition', contentDisposition(name)).send(bytes);
  });

  on(app, ROUTES.upload, async (request, reply) => {
    const body = request.body;
    if (!Buffer.isBuffer(body))
      throw new AgentError('bad_body', "send the file's bytes as the request body, with the file's Content-Type or application/octet-stream", 400);
    const header = request.headers['x-filename'];
    let name = typeof header === 'string' && header.trim() ? header.trim() : 'upload.bin';
    try {
      name = decodeURIComponent(name);
    } catch {
      throw new AgentError('bad_filename', 'X-Filename must be percent-encoded UTF-8', 400);
    }
    name = name.replace(/^.*[\\/]/, '') || 'upload.bin';
    const profile = typeof request.headers['x-profile'] === 'string' ? request.headers['x-profile'] : null;
    const source = request.headers['x-source'] === 'upload' ? 'upload' : 'api';
    const submittedBy = submittedByHeader(request.headers['x-submitted-by']);
    const documents = await agent().submit({ bytes: body, name, profile, source, ...(submittedBy ? { submittedBy } : {}) });
    const first = documents[0];
    return reply.code(201).send({ id: first?.id ?? null, state: first?.state ?? null, reason: first?.reason ?? null, documents });
  });

  on(app, ROUTES.retry, async (request) => {
    const { id } = request.params as { id: string };
    return { id, state: agent().retry(id) };
  });

  on(app, ROUTES.cancel, async (request) => {
    const { id } = request.params as { id: string };
    agent().cancel(id);
    return { id, state: 'cancelled' as const };
  });
}
