// Serves the local UI's static files (built by the renderer) under `/`. The token never travels in
// the URL's query: the CLI prints `/#token=…`, and the fragment stays in the browser.
import type { FastifyInstance } from 'fastify';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function registerUiRoutes(app: FastifyInstance, uiDir: string | null): void {
  // Public (no token): the page must load before it can read the token from its URL fragment.
  app.get('/*', { config: { access: 'public' } }, async (request, reply) => {
    if (request.url.startsWith('/api/')) return reply.code(404).send({ error: { code: 'not_found', message: 'no such route' } });
    const path = (request.url.split('?')[0] ?? '/').replace(/^\/+/, '') || 'index.html';
    if (!uiDir) {
      return reply
        .code(404)
        .header('Content-Type', 'text/plain; charset=utf-8')
        .send('Recapito: the UI is not built in this installation; the local API is at /api/v1.');
    }
    const root = normalize(uiDir + sep);
    const file = normalize(join(root, decodeURIComponent(path)));
    if (!file.startsWith(root)) return reply.code(404).send({ error: { code: 'not_found', message: 'no such file' } });
    try {
      const bytes = await readFile(file);
      return reply
        .header('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream')
        .header('Content-Security-Policy', UI_CSP)
        .send(bytes);
    } catch {
      // Single-page app: unknown paths get the shell.
      const index = await readFile(join(root, 'index.html')).catch(() => null);
      if (!index) return reply.code(404).send({ error: { code: 'not_found', message: 'no such file' } });
      return reply.header('Content-Type', TYPES['.html']).header('Content-Security-Policy', UI_CSP).send(index);
    }
  });
}
