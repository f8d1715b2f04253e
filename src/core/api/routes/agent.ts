// Agent-wide routes: status, events, pause/resume, credentials, audit.
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../../contract/routes.ts';
import { on } from './route.ts';
import type { AgentApi } from '../../agent/agent-api.ts';
import { AgentError } from '../../agent-error.ts';
import { intParam } from './params.ts';
import { z } from 'zod';
import { SECRET_NAMES, type SecretName } from '../../../contract/secrets.ts';

const secret = z
  .string()
  .trim()
  .min(1)
  .max(64 * 1024);
const credentialsBody = z.strictObject({
  hubApiKey: secret.min(8).optional(),
  sftpPassword: secret.optional(),
  sftpPrivateKey: secret.optional(),
  sftpPassphrase: secret.optional(),
} satisfies Record<SecretName, z.ZodType>);

export function registerAgentRoutes(app: FastifyInstance, current: () => AgentApi): void {
  const agent = (): AgentApi => current();
  on(app, ROUTES.status, async () => agent().status());

  on(app, ROUTES.events, async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const since = intParam(query['since'], 0, 0, Number.MAX_SAFE_INTEGER, 'since');
    const timeout = intParam(query['timeout'], 0, 0, 60, 'timeout');
    const limit = intParam(query['limit'], 100, 1, 1000, 'limit');
    const controller = new AbortController();
    request.raw.once('close', () => controller.abort());
    return agent().events(since, timeout, limit, controller.signal);
  });

  on(app, ROUTES.pause, async () => {
    agent().pause();
    return { paused: true } as const;
  });
  on(app, ROUTES.resume, async () => {
    agent().resume();
    return { paused: false } as const;
  });

  on(app, ROUTES.credentials, async (request, reply) => {
    const parsed = credentialsBody.safeParse(request.body);
    if (!parsed.success || Object.keys(parsed.data).length === 0) {
      throw new AgentError('bad_credentials', `send one or more of ${SECRET_NAMES.map((name) => `"${name}"`).join(', ')} as non-empty strings`, 400);
    }
    await agent().setCredentials(parsed.data);
    return reply.code(204).send();
  });

  on(app, ROUTES.hubTest, async () => agent().testConnection());

  on(app, ROUTES.auditVerify, async () => agent().verifyAudit());
}
