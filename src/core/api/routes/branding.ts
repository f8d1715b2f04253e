// The branding in force (docs/white-label.md): its view and its logo's bytes. Both are public, like
// the UI's own files, so that the page is branded before it has read the token; neither holds anything
// private (a name, colours, a support contact, an image the reseller ships).
import type { FastifyInstance } from 'fastify';
import { ROUTES } from '../../../contract/routes.ts';
import type { LoadedBranding } from '../../config/branding.ts';
import { on } from './route.ts';

export function registerBrandingRoutes(app: FastifyInstance, branding: LoadedBranding): void {
  on(app, ROUTES.branding, async () => branding.view);
  on(app, ROUTES.brandingLogo, async (_request, reply) => {
    if (!branding.logo) return reply.code(404).send({ error: { code: 'not_found', message: 'the branding has no logo' } });
    // An SVG opened on its own is a document: no script, style or fetch may run (the default CSP), never framed.
    return reply.header('Content-Type', branding.logo.type).header('Cache-Control', 'no-cache').send(branding.logo.bytes);
  });
}
