// The local HTTP API (docs/local-api.md): loopback only, token, Host check, no CORS, security
// headers, errors as {error:{code,message}} and never a stack trace. Also serves the UI.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AgentApi } from '../agent/agent-api.ts';
import type { AgentHost } from '../agent/agent-host.ts';
import { AgentError } from '../agent-error.ts';
import { createRequestGuard, type RouteBody } from './request-guard.ts';
import { registerDocumentRoutes } from './routes/documents.ts';
import { registerInvoiceRoutes } from './routes/invoice.ts';
import { registerAgentRoutes } from './routes/agent.ts';
import { registerUiRoutes } from './routes/ui.ts';
import type { Logger } from '../log/logger.ts';
import { registerConfigRoutes } from './routes/config.ts';
import { registerExportRoutes } from './routes/export.ts';
import { registerSupportRoutes, type SupportBundleMaker } from './routes/support.ts';
import { registerApprovalRoutes } from './routes/approval.ts';
import { ROUTES } from '../../contract/routes.ts';
import { on } from './routes/route.ts';
import { JsonTooDeepError, parseBoundedJson } from '../util/bounded-json.ts';
import { registerBrandingRoutes } from './routes/branding.ts';
import { defaultBranding, type LoadedBranding } from '../config/branding.ts';

export interface LocalApiOptions {
  /** A fixed agent, or a host whose agent can be replaced when settings change. */
  agent?: AgentApi;
  agentHost?: AgentHost;
  token: string;
  host: string;
  port: number;
  log: Logger;
  /** Upper bound of an upload body (ZIPs included). */
  maxUploadBytes: number;
  uiDir?: string | null;
  /** Makes the support bundle (the host: it knows the secrets to remove); without it the route answers 503. */
  supportBundle?: SupportBundleMaker;
  /** The branding served at /api/v1/branding (default: Recapito's). */
  branding?: LoadedBranding;
}

/** A route as the router holds it, with what the guard enforces on it. */
export interface RegisteredRoute {
  method: string;
  url: string;
  access: 'public' | 'token';
  body: RouteBody;
}

export interface LocalApi {
  url: string;
  port: number;
  /** Every route the router matches (tests enumerate them to probe the guard). */
  routes: readonly RegisteredRoute[];
  close(): Promise<void>;
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const fixed = options.agent;
  const host: AgentHost = options.agentHost ?? {
    current: () => {
      if (!fixed) throw new Error('startLocalApi needs an agent or a host');
      return fixed;
    },
  };
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: options.maxUploadBytes, trustProxy: false });
  let boundPort = options.port;
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = route.config;
    for (const method of methods) routes.push({ method, url: route.url, access: config?.access ?? 'token', body: config?.body ?? 'none' });
  });

  app.addHook('onRequest', createRequestGuard({ port: () => boundPort, token: options.token }));
  app.addHook('preHandler', async () => {
    await host.ready?.();
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    if (!reply.hasHeader('Content-Security-Policy')) reply.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error instanceof AgentError ? error : new AgentError('bad_json', 'the request body is not valid JSON', 400));
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler(async (error, _request, reply) => {
    if (error instanceof AgentError)
      return reply.code(error.status).send({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } });
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: (error as { code?: string }).code?.toLowerCase() ?? 'bad_request', message: (error as Error).message } });
    }
    options.log.error('local API error', { error: String(error) });
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error; see the agent log' } });
  });
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ error: { code: 'not_found', message: 'no such route' } }));

  on(app, ROUTES.health, async () => ({ status: 'ok' }) as const);
  registerBrandingRoutes(app, options.branding ?? defaultBranding());
  const current = (): AgentApi => host.current();
  registerAgentRoutes(app, current);
  registerDocumentRoutes(app, current);
  registerInvoiceRoutes(app, current);
  registerApprovalRoutes(app, current);
  registerConfigRoutes(app, host);
  registerExportRoutes(app, current);
  registerSupportRoutes(app, options.supportBundle ?? null);
  registerUiRoutes(app, options.uiDir ?? null);

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  boundPort = typeof address === 'object' && address ? address.port : options.port;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostPart}:${boundPort}`,
    port: boundPort,
    routes,
    close: async () => {
      await app.close();
    },
  };
}

function parseJsonBody(text: string): unknown {
  if (text === '') return {};
  try {
    return parseBoundedJson(text);
  } catch (error) {
    if (error instanceof JsonTooDeepError) throw new AgentError('bad_json', `the request body is refused: ${error.message}`, 400);
    throw error;
  }
}
