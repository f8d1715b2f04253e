// Builds the local UI (dist/ui) when it is missing or older than its sources, so `npm run demo`
// and `recapito serve` from a checkout always serve the current UI.
import { statSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = join(root, 'dist', 'ui', 'index.html');

/** @param {string} path @returns {number} the newest mtime of `path` and everything under it */
function newestMtime(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), info.mtimeMs);
}

const sources = ['src/renderer', 'src/contract', 'vite.config.ts'].map((p) => join(root, p));
const stale = !existsSync(output) || sources.some((source) => newestMtime(source) > statSync(output).mtimeMs);
if (stale) {
  console.error('building the local UI (dist/ui)…');
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}
