// What `recapito serve` loads at start: the static import graph from the serve command, as Node
// follows it (a declaration that is wholly `import type` loads nothing; any other does). The heavy
// packages few agents need are loaded on first use (docs/performance.md, "Memory"), and the other
// commands and the sandbox hub not at all: a static import that brings one back fails here.
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every src/ file and package a module loads at start, following relative imports. */
function startupGraph(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>(); // package → the first file that loads it
  const pending = [normalize(join(root, entry))];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    for (const statement of source.statements) {
      let specifier: ts.Expression | undefined;
      if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) specifier = statement.moduleSpecifier;
      if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) specifier = statement.moduleSpecifier;
      if (!specifier || !ts.isStringLiteral(specifier)) continue;
      const name = specifier.text;
      if (name.startsWith('.')) pending.push(normalize(join(dirname(file), name)));
      else if (!name.startsWith('node:') && !packages.has(name)) packages.set(name, relative(root, file));
    }
  }
  return { files, packages };
}

const FIRST_USE_PACKAGES = ['ssh2', 'ssh2-sftp-client', 'pdf-lib', 'yazl', 'pkijs', 'asn1js'];

describe('recapito serve at start', () => {
  const { files, packages } = startupGraph('src/cli/commands/serve.ts');

  it('follows the real graph (the agent, its store, the hub clients, the local API)', () => {
    const loaded = [...files].map((file) => relative(root, file));
    for (const module of [
      'src/core/agent/agent.ts',
      'src/core/store/store.ts',
      'src/core/hub/https-hub-client.ts',
      'src/core/hub/sftp-hub-client.ts',
      'src/core/api/local-api-server.ts',
    ]) {
      expect(loaded).toContain(module);
    }
    for (const name of ['better-sqlite3', 'fastify', 'chokidar']) expect(packages.has(name), name).toBe(true);
  });

  it('does not load the packages kept for first use: ssh2, ssh2-sftp-client, pdf-lib, yazl, pkijs, asn1js', () => {
    for (const name of FIRST_USE_PACKAGES) expect(packages.get(name), `${name} is loaded at start`).toBeUndefined();
  });

  it('does not load the sandbox hub, its certificate code or the other commands', () => {
    const loaded = [...files].map((file) => relative(root, file));
    expect(loaded.filter((file) => file.startsWith('src/sandbox-hub/'))).toEqual([]);
    expect(loaded.filter((file) => file.startsWith('src/cli/commands/') && !file.endsWith('serve.ts'))).toEqual([]);
    expect(packages.get('@peculiar/x509')).toBeUndefined();
  });

  it('the CLI entry point imports no command statically', () => {
    const entry = startupGraph('src/cli/main.ts');
    expect([...entry.files].map((file) => relative(root, file))).toEqual(['src/cli/main.ts']);
  });
});

describe('a capture worker at start', () => {
  it('loads the XML and ZIP readers, not the signed-invoice (P7M) code or the others kept for first use', () => {
    const { files, packages } = startupGraph('src/core/intake/capture-worker/capture-worker.ts');
    expect([...files].map((file) => relative(root, file))).toContain('src/core/inspect/invoice/read-invoice.ts');
    expect(packages.has('saxes')).toBe(true);
    for (const name of FIRST_USE_PACKAGES) expect(packages.get(name), `${name} is loaded at start`).toBeUndefined();
  });
});
