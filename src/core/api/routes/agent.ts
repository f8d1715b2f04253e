// Agent-wide routes: status, events, pause/resume, credentials, audit.
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../../contract/routes.ts';
import { on } from './route.ts';
import type { AgentApi } from '../../agent/agent-api.ts';
import { AgentError } from '../../agent-error.ts';
import { intParam } from './params.ts';
import { z } from 'zod';
import { SECRET_NAMES, type SecretName } from '../../../contract/secrets.ts';
import { defaultDeviceName } from '../../agent/enrollment.ts';

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
// Lengths and characters are checked by the enrollment itself, with answers a person can act on.
const enrollBody = z.strictObject({ activationCode: z.string().max(4096), deviceName: z.string().max(4096).optional() });

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

  // The answer is the account, the key's id and expiry, the companies: never the key (docs/enrollment.md).
  on(app, ROUTES.enroll, async (request) => {
    const parsed = enrollBody.safeParse(request.body);
    if (!parsed.success) throw new AgentError('bad_activation_code', 'send {"activationCode": "…", "deviceName"?: "…"}', 400);
    return agent().enroll(parsed.data);
  });
  on(app, ROUTES.enrollDefaults, async () => ({ deviceName: defaultDeviceName() }));

  on(app, ROUTES.auditVerify, async () => agent().verifyAudit());
}
