// GET /api/v1/support-bundle: the ZIP a person hands to the helpdesk (docs/support-bundle.md),
// made by the host that runs the agent (it knows the secrets to remove and the log folder).
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../../contract/routes.ts';
import { AgentError } from '../../agent-error.ts';
import { on } from './route.ts';

/** Makes a bundle now: its file name and bytes. */
export type SupportBundleMaker = () => Promise<{ name: string; bytes: Buffer }>;

export function registerSupportRoutes(app: FastifyInstance, make: SupportBundleMaker | null): void {
  on(app, ROUTES.supportBundle, async (_request, reply) => {
    if (!make) throw new AgentError('not_available', 'this agent cannot make a support bundle; use "recapito support-bundle"', 503);
    const bundle = await make();
    return reply
      .header('Content-Type', 'application/zip')
      .header('Content-Disposition', `attachment; filename="${bundle.name}"`)
      .header('Content-Length', String(bundle.bytes.length))
      .send(bundle.bytes);
  });
}
