// The shell type-checks against Electron 45's own declarations (node_modules/electron/electron.d.ts):
// the binary cannot run here, so the compiler is what checks every Electron call.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function runTsc(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('tsconfig.electron.json', () => {
  it('type-checks src/main and src/preload against electron.d.ts without errors', () => {
    const { status, output } = runTsc('-p', 'tsconfig.electron.json', '--noEmit', '--listFiles');
    const errors = output.split('\n').filter((line) => line.includes('error TS'));
    expect(errors).toEqual([]);
    expect(status).toBe(0);
    expect(output).toContain('node_modules/electron/electron.d.ts');
    expect(output).toContain('src/main/main.ts');
    expect(output).toContain('src/preload/preload.ts');
  });

  it('would catch a misused Electron API (the declarations are really in force)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recapito-tsc-'));
    try {
      writeFileSync(join(dir, 'bad.ts'), "import { BrowserWindow } from 'electron';\nnew BrowserWindow({ webPreferences: { nodeIntegrationz: true } });\n");
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: join(root, 'tsconfig.electron.json'),
          compilerOptions: {
            noEmit: true,
            rootDir: dir,
            paths: { electron: [join(root, 'node_modules', 'electron', 'electron.d.ts')] },
            types: [],
            typeRoots: [join(root, 'node_modules', '@types')],
          },
          include: [],
          files: [join(dir, 'bad.ts')],
        }),
      );
      const { status, output } = runTsc('-p', join(dir, 'tsconfig.json'));
      expect(status).not.toBe(0);
      expect(output).toMatch(/nodeIntegrationz/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
