// DNS-rebinding and token checks for the local API: only loopback Host headers with our port,
// and a Bearer token on every route but the bare health probe.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenMatches } from './api-token.ts';

export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export interface GuardOptions {
  port: () => number;
  token: string;
  publicPaths: ReadonlySet<string>;
}

export function createRequestGuard(options: GuardOptions) {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!isLoopbackAddress(request.socket.remoteAddress)) {
      await reply.code(403).send({ error: { code: 'forbidden_peer', message: 'the local API answers this computer only' } });
      return;
    }
    const host = (request.headers.host ?? '').toLowerCase();
    if (!allowedHosts(options.port()).has(host)) {
      await reply.code(403).send({ error: { code: 'forbidden_host', message: 'requests must address 127.0.0.1 or localhost with the agent port' } });
      return;
    }
    const path = request.url.split('?')[0] ?? '';
    if (options.publicPaths.has(path) || !path.startsWith('/api/')) return;
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!presented || !tokenMatches(presented, options.token)) {
      await reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: { code: 'unauthorized', message: 'a valid API token is required (see the api-token file in the data folder)' } });
    }
  };
}
