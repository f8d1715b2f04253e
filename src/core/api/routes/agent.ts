// Agent-wide routes: status, events, pause/resume, credentials, audit.
import type { FastifyInstance } from 'fastify';
import type { Agent } from '../../agent.ts';
import { AgentError } from '../../agent-error.ts';
import { intParam } from './params.ts';

export function registerAgentRoutes(app: FastifyInstance, agent: Agent): void {
  app.get('/api/v1/status', async () => agent.status());

  app.get('/api/v1/events', async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const since = intParam(query['since'], 0, 0, Number.MAX_SAFE_INTEGER, 'since');
    const timeout = intParam(query['timeout'], 0, 0, 60, 'timeout');
    const limit = intParam(query['limit'], 100, 1, 1000, 'limit');
    const controller = new AbortController();
    request.raw.once('close', () => controller.abort());
    return agent.events(since, timeout, limit, controller.signal);
  });

  app.post('/api/v1/pause', async () => {
    agent.pause();
    return { paused: true };
  });
  app.post('/api/v1/resume', async () => {
    agent.resume();
    return { paused: false };
  });

  app.put('/api/v1/credentials', async (request, reply) => {
    const body = request.body as { hubApiKey?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.hubApiKey !== 'string' || body.hubApiKey.trim().length < 8) {
      throw new AgentError('bad_credentials', 'send {"hubApiKey": "<key>"} (at least 8 characters)', 400);
    }
    await agent.setHubApiKey(body.hubApiKey.trim());
    return reply.code(204).send();
  });

  app.get('/api/v1/audit/verify', async () => agent.verifyAudit());
}
