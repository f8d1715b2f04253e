// How CLI commands find the running agent without --data: agents list themselves in the running
// folder; dead entries are ignored and removed; --data and RECAPITO_DATA_DIR win; several running
// agents are listed, not guessed between.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listRunningAgents, registerRunningAgent, resolveDataDir, runningAgentsDir } from '../../src/core/config/running-agents.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { defaultDataDir } from '../../src/core/config/data-dir.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const temp = await makeTempDir('recapito-running-');
  cleanups.push(temp.cleanup);
  const env: NodeJS.ProcessEnv = { HOME: join(temp.dir, 'home'), RECAPITO_RUNNING_DIR: join(temp.dir, 'running') };
  const agent = async (name: string) => {
    const dataDir = join(temp.dir, name);
    await mkdir(dataDir, { recursive: true });
    const apiUrl = `http://127.0.0.1:${40000 + name.length}`;
    await writeFile(join(dataDir, 'api-url'), `${apiUrl}\n`);
    return { dataDir, apiUrl };
  };
  return { dir: temp.dir, env, agent, defaultDir: defaultDataDir(env) };
}

describe('running agents', () => {
  it('finds the one running agent (a demo on its own folder) without --data, and forgets it when it stops', async () => {
    const { env, agent, defaultDir } = await setup();
    expect(await resolveDataDir(undefined, env)).toBe(defaultDir); // none running: the default folder
    const demo = await agent('demo/agent');
    const unregister = await registerRunningAgent({ ...demo, kind: 'demo' }, env);
    expect(await listRunningAgents(env)).toEqual([expect.objectContaining({ pid: process.pid, dataDir: demo.dataDir, apiUrl: demo.apiUrl, kind: 'demo' })]);
    expect(await resolveDataDir(undefined, env)).toBe(demo.dataDir);
    // --data and RECAPITO_DATA_DIR still win.
    expect(await resolveDataDir('/elsewhere', env)).toBe('/elsewhere');
    expect(await resolveDataDir(undefined, { ...env, RECAPITO_DATA_DIR: '/chosen' })).toBe('/chosen');
    await unregister();
    expect(await listRunningAgents(env)).toEqual([]);
    expect(await resolveDataDir(undefined, env)).toBe(defaultDir);
  });

  it('ignores and removes entries of dead processes and of folders now served by another agent', async () => {
    const { env, agent } = await setup();
    const dir = runningAgentsDir(env);
    await mkdir(dir, { recursive: true });
    const gone = await agent('gone');
    // A pid that cannot be alive (above the kernel's pid_max).
    await writeFile(join(dir, '99999999.json'), JSON.stringify({ pid: 99_999_999, ...gone, kind: 'serve', startedAt: '' }));
    // This process, but the folder's api-url now names another address (a later agent there).
    const moved = await agent('moved');
    await writeFile(
      join(dir, `${process.pid}.json`),
      JSON.stringify({ pid: process.pid, dataDir: moved.dataDir, apiUrl: 'http://127.0.0.1:1', kind: 'serve', startedAt: '' }),
    );
    await writeFile(join(dir, '12.json'), 'not json');
    expect(await listRunningAgents(env)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('with several running, prefers the default folder, or lists them and asks for --data', async () => {
    const { env, agent, defaultDir } = await setup();
    const one = await agent('one');
    const two = await agent('two');
    const dir = runningAgentsDir(env);
    await mkdir(dir, { recursive: true });
    // Two live processes: this one and its parent.
    await writeFile(join(dir, `${process.pid}.json`), JSON.stringify({ pid: process.pid, ...one, kind: 'serve', startedAt: '1' }));
    await writeFile(join(dir, `${process.ppid}.json`), JSON.stringify({ pid: process.ppid, ...two, kind: 'demo', startedAt: '2' }));
    await expect(resolveDataDir(undefined, env)).rejects.toThrow(
      new RegExp(`several agents are running.*\\n.*--data ${one.dataDir}.*serve.*\\n.*--data ${two.dataDir}.*demo`, 's'),
    );

    await mkdir(defaultDir, { recursive: true });
    await writeFile(join(defaultDir, 'api-url'), 'http://127.0.0.1:7420\n');
    await writeFile(
      join(dir, `${process.pid}.json`),
      JSON.stringify({ pid: process.pid, dataDir: defaultDir, apiUrl: 'http://127.0.0.1:7420', kind: 'serve', startedAt: '1' }),
    );
    expect(await resolveDataDir(undefined, env)).toBe(defaultDir);
  });

  it('lives beside the default data folder, whatever RECAPITO_DATA_DIR says', () => {
    expect(runningAgentsDir({ HOME: '/home/anna', RECAPITO_DATA_DIR: '/srv/agent' })).toBe(join(defaultDataDir({ HOME: '/home/anna' }), 'running'));
    expect(runningAgentsDir({ HOME: '/home/anna', RECAPITO_RUNNING_DIR: '/tmp/r' })).toBe('/tmp/r');
  });
});
