// The local API's front door (docs/security.md). Every request passes, in order:
//   1. a loopback peer, and a Host header naming 127.0.0.1/localhost/[::1] with our port (DNS rebinding);
//   2. a canonical request target: origin-form, no encoded unreserved letters, dots or slashes, no
//      dot segments or empty segments — so what the guard reads is what the router matches;
//   3. the token, decided on the route the router MATCHED (its pattern and its declared access),
//      never on the raw URL: only routes declared `access: 'public'` answer without it;
//   4. for token routes, no cross-site caller (`Origin`, `Sec-Fetch-Site`) and only the body type
//      the route declares, so a web page's form or no-cors fetch cannot reach them even if the token
//      check had a bug.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches } from './api-token.ts';

import type { RouteBody } from '../../contract/routes.ts';

export type { RouteBody };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'public': answers without the token. Anything else (the default) needs it. */
    access?: 'public';
    /** Defaults to 'none'. */
    body?: RouteBody;
  }
}

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function allowedOrigins(port: number): Set<string> {
  return new Set([...allowedHosts(port)].map((host) => `http://${host}`));
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export interface GuardOptions {
  port: () => number;
  token: string;
}

interface Refusal {
  status: number;
  code: string;
  message: string;
}

export function createRequestGuard(options: GuardOptions) {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const refusal = checkPeerAndHost(request, options.port()) ?? checkTarget(request.raw.url ?? '') ?? checkAccess(request, options);
    if (!refusal) return;
    if (refusal.status === 401) reply.header('WWW-Authenticate', 'Bearer');
    await reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } });
  };
}

function checkPeerAndHost(request: FastifyRequest, port: number): Refusal | null {
  if (!isLoopbackAddress(request.socket.remoteAddress)) {
    return { status: 403, code: 'forbidden_peer', message: 'the local API answers this computer only' };
  }
  const host = (request.headers.host ?? '').toLowerCase();
  if (!allowedHosts(port).has(host)) {
    return { status: 403, code: 'forbidden_host', message: 'requests must address 127.0.0.1 or localhost with the agent port' };
  }
  return null;
}

// RFC 3986 unreserved characters: a client never needs to percent-encode them, so an encoded one
// only serves to make two spellings of one path.
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** Why a raw request target is not the one canonical spelling of its path, or null when it is. */
export function nonCanonicalTarget(target: string): string | null {
  if (!target.startsWith('/')) return 'the request target must be a path (origin-form), not an absolute URL or "*"';
  const path = target.split(/[?#]/, 1)[0] ?? '';
  if (path.includes('\\')) return 'backslashes are not allowed in paths';
  const segments = path.slice(1).split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '' && index < segments.length - 1) return 'empty path segments ("//") are not allowed';
    if (segment === '.' || segment === '..') return 'dot segments ("." and "..") are not allowed';
    for (const match of segment.matchAll(/%(..)?/g)) {
      const hex = match[1];
      if (!hex || !/^[0-9A-Fa-f]{2}$/.test(hex)) return 'malformed percent-encoding in the path';
      const code = parseInt(hex, 16);
      const char = String.fromCharCode(code);
      if (UNRESERVED.test(char) || char === '/' || char === '\\') return `"%${hex}" encodes "${char}", which must be written as itself`;
      if (code < 0x20 || code === 0x7f) return 'control characters are not allowed in paths';
    }
    try {
      decodeURIComponent(segment);
    } catch {
      return 'the path is not percent-encoded UTF-8';
    }
  }
  return null;
}

function checkTarget(target: string): Refusal | null {
  const problem = nonCanonicalTarget(target);
  return problem ? { status: 400, code: 'bad_request_target', message: problem } : null;
}

/**
 * The UI's static files are served by the catch-all route: public, except under /api/, where an
 * unknown route is an API call like any other and needs the token before it learns anything.
 */
export function isPublicRoute(request: FastifyRequest): boolean {
  if (request.routeOptions.config.access !== 'public') return false;
  const isCatchAll = request.routeOptions.url === '/*';
  return !(isCatchAll && (request.raw.url ?? '').startsWith('/api/'));
}

function checkAccess(request: FastifyRequest, options: GuardOptions): Refusal | null {
  if (isPublicRoute(request)) return null;
  const header = request.headers.authorization ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  if (!presented || !tokenMatches(presented, options.token)) {
    return { status: 401, code: 'unauthorized', message: 'a valid API token is required (see the api-token file in the data folder)' };
  }
  return checkCaller(request, options.port()) ?? checkBody(request);
}

/** Browsers say where a request comes from; only our own UI (same origin) and non-browser clients pass. */
function checkCaller(request: FastifyRequest, port: number): Refusal | null {
  const origin = request.headers.origin;
  if (origin !== undefined && !allowedOrigins(port).has(origin.toLowerCase())) {
    return {
      status: 403,
      code: 'forbidden_origin',
      message: `requests from ${origin.slice(0, 100)} are not accepted; only the agent's own UI may call it from a browser`,
    };
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { status: 403, code: 'forbidden_origin', message: `cross-site requests (Sec-Fetch-Site: ${String(site).slice(0, 20)}) are not accepted` };
  }
  return null;
}

// What an HTML form or a no-cors fetch can send without a CORS preflight (and no type at all).
const FORM_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '']);

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function checkBody(request: FastifyRequest): Refusal | null {
  const expected: RouteBody = request.routeOptions.config.body ?? 'none';
  const type = mediaType(request);
  switch (expected) {
    case 'json':
      if (type === 'application/json') return null;
      return { status: 415, code: 'unsupported_media_type', message: 'send the body as JSON with Content-Type: application/json' };
    case 'file':
      if (type !== 'application/json' && !FORM_TYPES.has(type)) return null;
      return {
        status: 415,
        code: 'unsupported_media_type',
        message: `send the file's bytes with the Content-Type of the file (application/xml, application/pdf, application/zip…) or application/octet-stream, not ${type || 'none'}`,
      };
    case 'none':
      if (!hasBody(request) || type === 'application/json') return null;
      return { status: 415, code: 'unsupported_media_type', message: 'this call takes no body' };
  }
}
