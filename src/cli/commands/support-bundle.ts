// `recapito support-bundle [--data DIR] [--out DIR]`: writes the ZIP for the helpdesk
// (docs/support-bundle.md) and prints its path. Through the running agent's local API when one runs
// on the data folder (it knows the live checks); otherwise read-only from the data folder.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { listRunningAgents, resolveDataDir } from '../../core/config/running-agents.ts';
import { dataPaths } from '../../core/config/data-dir.ts';
import { writeDurably } from '../../core/util/fsync.ts';
import { AGENT_VERSION } from '../../core/agent/agent.ts';
import { collectOfflineFacts } from '../../core/support/collect-offline.ts';
import { buildSupportBundle } from '../../core/support/support-bundle.ts';
import { apiTarget, callApiRaw, type ApiTarget } from '../local-api-client.ts';
import { ROUTES } from '../../contract/routes.ts';

const USAGE = 'usage: recapito support-bundle [--data DIR] [--out DIR]';

export async function supportBundleCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { data: { type: 'string' }, out: { type: 'string' } }, strict: true }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const dataDir = await resolveDataDir(values.data);
  if (!existsSync(dataDir)) {
    console.error(`recapito support-bundle: no data folder at ${dataDir} (pass --data DIR)`);
    return 1;
  }
  const outDir = resolve(values.out ?? '.');

  const target = await runningAgentOn(dataDir);
  let bundle: { name: string; bytes: Buffer } | null = null;
  let reason = 'no agent runs on this data folder';
  if (target) {
    try {
      const response = await callApiRaw(target, ROUTES.supportBundle);
      const name = /filename="([^"/\\]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'recapito-support.zip';
      bundle = { name, bytes: Buffer.from(await response.arrayBuffer()) };
    } catch (error) {
      // It stopped meanwhile, or cannot answer: the data folder still can.
      reason = `the running agent did not answer (${(error as Error).message})`;
      console.error(`recapito support-bundle: ${reason}; reading the data folder instead`);
    }
  }
  if (!bundle) bundle = await buildSupportBundle(await collectOfflineFacts(dataDir, { agentVersion: AGENT_VERSION, reason }));

  const file = join(outDir, bundle.name);
  // 0600: it holds the names of documents and folders, for the helpdesk only.
  await writeDurably(file, bundle.bytes);
  console.log(file);
  return 0;
}

/** The API of an agent running on `dataDir`, if one is listed there and answers. */
async function runningAgentOn(dataDir: string): Promise<ApiTarget | null> {
  const listed = (await listRunningAgents()).some((agent) => resolve(agent.dataDir) === resolve(dataDir));
  if (!listed) {
    // An agent not in this user's list (another RECAPITO_RUNNING_DIR): its api-url still answers.
    const url = (await readFile(dataPaths(dataDir).apiUrl, 'utf8').catch(() => '')).trim();
    if (!url || !(await answers(url))) return null;
  }
  return apiTarget(dataDir).catch(() => null);
}

async function answers(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}${ROUTES.health.path}`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}
