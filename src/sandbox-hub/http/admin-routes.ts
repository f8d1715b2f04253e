// /_sandbox/*: the admin API, for tests that run the hub in another process. Guarded by the admin
// token from dataDir/admin-token; never subject to injected faults.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HubProtocolError } from '../hub-protocol-error.ts';
import type { SandboxAdmin } from '../processing/sandbox-admin.ts';
import { sameSecret } from '../store/secrets.ts';
import type { FaultInjector, FaultRule } from './fault-injector.ts';
import { bearerToken, jsonBody } from './request-helpers.ts';

export interface AdminRoutesOptions {
  admin: SandboxAdmin;
  faults: FaultInjector;
  adminToken: string;
}

const timestamp = z.string().min(1).nullable().optional();
const schemas = {
  createKey: z.object({ expiresAt: timestamp, name: z.string().min(1).max(200).optional() }),
  key: z.object({ apiKey: z.string().min(1) }),
  keyExpiry: z.object({ apiKey: z.string().min(1), expiresAt: z.string().min(1).nullable() }),
  credits: z.object({ remaining: z.number().int().min(0) }),
  activationCode: z.object({ expiresAt: timestamp }),
  faults: z.object({
    rules: z.array(
      z.object({
        route: z.string().min(1),
        times: z.number().int().min(1).optional(),
        status: z.number().int().min(100).max(599).optional(),
        retryAfterSeconds: z.number().min(0).optional(),
        kind: z.enum(['status', 'reset', 'timeout', 'process-then-reset', 'slow']).optional(),
        delayMs: z.number().int().min(0).max(600_000).optional(),
      }),
    ),
  }) satisfies z.ZodType<{ rules: FaultRule[] }>,
};

function parse<T>(schema: z.ZodType<T>, request: FastifyRequest, shape: string): T {
  const parsed = schema.safeParse(jsonBody(request));
  if (!parsed.success)
    throw new HubProtocolError(
      400,
      'invalid_request',
      `Expected a JSON body like ${shape}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function registerAdminRoutes(app: FastifyInstance, options: AdminRoutesOptions): void {
  const { admin, faults } = options;
  const bodyLimit = 256 * 1024;

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/_sandbox/')) return;
    const token = bearerToken(request);
    if (!token || !sameSecret(token, options.adminToken)) {
      throw new HubProtocolError(401, 'invalid_admin_token', 'The sandbox admin API needs Authorization: Bearer <contents of dataDir/admin-token>.');
    }
  });

  app.post('/_sandbox/api-keys', { bodyLimit }, async (request, reply) => {
    const body = parse(schemas.createKey, request, '{"expiresAt"?: "ISO date" | null, "name"?: "..."}');
    return reply.send({ apiKey: admin.createApiKey({ expiresAt: body.expiresAt ?? null, ...(body.name ? { name: body.name } : {}) }) });
  });

  app.post('/_sandbox/api-keys/revoke', { bodyLimit }, async (request) => {
    admin.revokeApiKey(parse(schemas.key, request, '{"apiKey": "..."}').apiKey);
    return { ok: true };
  });

  app.post('/_sandbox/api-keys/expiry', { bodyLimit }, async (request) => {
    const body = parse(schemas.keyExpiry, request, '{"apiKey": "...", "expiresAt": "ISO date" | null}');
    admin.setKeyExpiry(body.apiKey, body.expiresAt);
    return { ok: true };
  });

  app.post('/_sandbox/credits', { bodyLimit }, async (request) => {
    const { remaining } = parse(schemas.credits, request, '{"remaining": 10}');
    admin.setCredits(remaining);
    return { credits: { remaining } };
  });

  app.post('/_sandbox/faults', { bodyLimit }, async (request) => {
    const { rules } = parse(schemas.faults, request, '{"rules": [{"route": "POST /v1/documents", "status": 503}]}');
    try {
      faults.replace(rules);
    } catch (error) {
      throw new HubProtocolError(400, 'invalid_fault_rule', (error as Error).message);
    }
    return { rules: rules.length };
  });

  app.delete('/_sandbox/faults', async () => {
    faults.clear();
    return { rules: 0 };
  });

  app.get('/_sandbox/documents', async () => ({ documents: admin.listDocuments() }));

  app.post('/_sandbox/activation-codes', { bodyLimit }, async (request) => {
    const body = parse(schemas.activationCode, request, '{"expiresAt"?: "ISO date" | null}');
    return { activationCode: admin.createActivationCode({ expiresAt: body.expiresAt ?? null }) };
  });
}
