// Settings over the local API: read without secrets (secrets are write-only, shown only as set or
// not), and replaced as a whole after validation, with errors that name each field.
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../../contract/routes.ts';
import { on } from './route.ts';
import type { AgentHost } from '../../agent/agent-host.ts';
import { AgentError } from '../../agent-error.ts';
import { validateSettings } from '../../config/settings-schema.ts';

export function registerConfigRoutes(app: FastifyInstance, host: AgentHost): void {
  on(app, ROUTES.config, async () => {
    const agent = host.current();
    return { settings: agent.settings, secrets: agent.secretPresence(), editable: host.applySettings !== undefined };
  });

  on(app, ROUTES.saveConfig, async (request) => {
    if (!host.applySettings) throw new AgentError('not_editable', 'this agent was started with fixed settings; edit its config file instead', 409);
    const validation = validateSettings(request.body);
    if (!validation.ok) {
      const summary = validation.errors.map((e) => `${e.path}: ${e.message}`).join(' ');
      throw new AgentError('invalid_config', `the settings were not saved. ${summary}`, 400, { errors: validation.errors });
    }
    const { restartRequired } = await host.applySettings(validation.settings);
    return { settings: host.current().settings, restartRequired };
  });
}
