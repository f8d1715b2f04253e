// How the agent's Node process is launched: the installed `recapito` command runs through its shebang
// (`env -S node FLAGS`), the npm scripts name the flags themselves, and the bench children use
// AGENT_NODE_FLAGS; the tests' own processes and the CLI children they start carry them too. All of
// them must carry the same flags, and the shebang must really deliver them.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AGENT_NODE_FLAGS } from '../../src/cli/agent-node-flags.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${root}src/cli/main.ts`;

async function shebangFlags(): Promise<string[]> {
  const firstLine = (await readFile(CLI, 'utf8')).split('\n', 1)[0]!;
  const match = /^#!\/usr\/bin\/env -S node(?<flags>( \S+)*)$/.exec(firstLine);
  expect(match, `shebang "${firstLine}"`).not.toBeNull();
  return match!.groups!.flags!.trim().split(' ').filter(Boolean);
}

describe('the agent process is launched with AGENT_NODE_FLAGS', () => {
  it('the CLI shebang names exactly those flags', async () => {
    expect(AGENT_NODE_FLAGS.length).toBeGreaterThan(0);
    expect(await shebangFlags()).toEqual([...AGENT_NODE_FLAGS]);
  });

  it('npm run demo and npm run recapito pass them to node', async () => {
    const { scripts } = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };
    for (const name of ['demo', 'recapito']) {
      const nodeCall = /exec node (?<args>[^']*?) src\/cli\/main\.ts/.exec(scripts[name] ?? '');
      expect(nodeCall, `script ${name}`).not.toBeNull();
      expect(nodeCall!.groups!.args!.split(' ')).toEqual([...AGENT_NODE_FLAGS]);
    }
  });

  it("running the CLI file itself, as npm's bin link does, starts node with the flags", async () => {
    // A preload given through NODE_OPTIONS reports the execArgv node actually got from the shebang.
    const report = "data:text/javascript,process.stderr.write('EXECARGV='+JSON.stringify(process.execArgv)+'\\n')";
    const { stdout, stderr } = await run(CLI, ['--help'], { env: { ...process.env, NODE_OPTIONS: `--import=${report}` } });
    expect(stdout + stderr).toMatch(/usage: recapito <command>/);
    const execArgv = JSON.parse(/EXECARGV=(.*)/.exec(stderr)![1]!) as string[];
    for (const flag of AGENT_NODE_FLAGS) expect(execArgv).toContain(flag);
  });

  it('the test processes, which run agents in process, were started with them too (vitest.config.ts)', () => {
    for (const flag of AGENT_NODE_FLAGS) expect(process.execArgv).toContain(flag);
  });

  it('every test that starts the CLI as a child passes them', async () => {
    const files = (await readdir(`${root}test`, { recursive: true })).filter((name) => name.endsWith('.test.ts'));
    const launching: string[] = [];
    for (const name of files) {
      const text = await readFile(`${root}test/${name}`, 'utf8');
      const children = text.match(/(?:spawn|execFile\w*)\(\s*process\.execPath,\s*\[[^\]]*/g) ?? [];
      for (const call of children.filter((c) => /\b(CLI|MAIN)\b|cli\/main\.ts/.test(c))) {
        launching.push(name);
        expect(call, `${name}: ${call}`).toContain('...AGENT_NODE_FLAGS');
      }
    }
    // The scan found the launches it guards (crash recovery, enrollment, support bundle, …).
    expect(new Set(launching).size).toBeGreaterThanOrEqual(6);
  });
});
