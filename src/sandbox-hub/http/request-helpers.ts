// Small pieces the HTTPS routes share: header reading, JSON bodies, query numbers, auth lookup.
import type { FastifyRequest } from 'fastify';
import { HubProtocolError } from '../hub-protocol-error.ts';
import type { AuthContext } from '../processing/hub-service.ts';

const authByRequest = new WeakMap<FastifyRequest, AuthContext>();

export function rememberAuth(request: FastifyRequest, auth: AuthContext): void {
  authByRequest.set(request, auth);
}

export function authOf(request: FastifyRequest): AuthContext {
  const auth = authByRequest.get(request);
  if (!auth) throw new Error('route reached without authentication');
  return auth;
}

export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(request, 'authorization') ?? '');
  return match?.[1];
}

/** Bodies arrive as raw Buffers (one catch-all parser); JSON routes decode them here. */
export function jsonBody(request: FastifyRequest): unknown {
  const body = request.body;
  if (body === undefined || body === null || (Buffer.isBuffer(body) && body.length === 0)) return {};
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : null;
  if (text !== null) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // answered below
    }
  }
  throw new HubProtocolError(400, 'invalid_json', 'The request body is not valid JSON.');
}

export function queryString(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

export function queryNumber(request: FastifyRequest, name: string, options: { fallback: number; min: number; integer: boolean }): number {
  const raw = queryString(request, name);
  if (raw === undefined || raw === '') return options.fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < options.min || (options.integer && !Number.isInteger(value))) {
    const what = options.integer ? 'a whole number' : 'a number';
    throw new HubProtocolError(400, 'invalid_query', `Query parameter ${name} must be ${what} of at least ${options.min} (got "${raw}").`);
  }
  return value;
}
