// Compiles src/preload/preload.ts to dist/preload/preload.cjs. A sandboxed preload runs as one
// classic script whose `require` knows only Electron's renderer modules (and a few Node shims):
// no ES modules, no relative files. So the preload is written as one file that imports only
// 'electron' at run time, and this step turns it into CommonJS and checks exactly that.
// Run after `tsc -p tsconfig.electron.json`: node build/compile-preload.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The only module a sandboxed preload may require here. */
const ALLOWED_REQUIRES = new Set(['electron']);

export function compilePreload(source: string, fileName = 'preload.ts'): string {
  const result = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
      isolatedModules: true,
      sourceMap: false,
      removeComments: false,
    },
  });
  const problems = (result.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (problems.length > 0) throw new Error(`Cannot compile ${fileName}:\n${problems.join('\n')}`);
  const required = [...result.outputText.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1] ?? '');
  const refused = required.filter((name) => !ALLOWED_REQUIRES.has(name));
  if (refused.length > 0) {
    throw new Error(
      `${fileName} loads ${refused.join(', ')} at run time; a sandboxed preload can load only ${[...ALLOWED_REQUIRES].join(', ')} (use "import type" for types).`,
    );
  }
  if (/\bimport\s*\(/.test(result.outputText)) throw new Error(`${fileName} uses a dynamic import(), which a sandboxed preload cannot do.`);
  return result.outputText;
}

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const input = join(root, 'src', 'preload', 'preload.ts');
  const output = join(root, 'dist', 'preload', 'preload.cjs');
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, compilePreload(readFileSync(input, 'utf8'), input));
  console.log(`wrote ${output}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
