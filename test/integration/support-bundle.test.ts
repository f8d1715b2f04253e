// The support bundle (docs/support-bundle.md) never carries a secret. A real agent on a real data
// folder, connected to the sandbox hub over HTTPS, holds the hub API key, the local API token, an
// SFTP password, passphrase and private key (PEM); an approver is registered through the approval
// API (the agent keeps a scrypt hash), a wrong PIN is typed, the PIN is typed where it could leak
// (through the logger, by name), and every secret is also written into the log and the event log
// "by mistake", in every encoding. The PIN's hash and salt must not appear either. The bundle is made through the local API, through the CLI while
// the agent runs, and through the CLI with the agent stopped (read-only from the data folder); every
// file of each ZIP is unzipped and searched for each secret: plain, JSON-escaped, base64 at the three
// byte alignments, base64url, hex, URL-encoded and UTF-16LE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unzip } from '../helpers/unzip.ts';
import { leakNeedles, secretSpellings } from '../helpers/secret-spellings.ts';
import Database from 'better-sqlite3';
import { runAgent, type RunningAgent } from '../../src/core/host/run-agent.ts';
import type { Agent } from '../../src/core/agent/agent.ts';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { saveSettings } from '../../src/core/config/config-store.ts';
import { testSettings } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { collectOfflineFacts } from '../../src/core/support/collect-offline.ts';
import { buildSupportBundle } from '../../src/core/support/support-bundle.ts';
import { writeBrandingFolder } from '../helpers/branding.ts';
import { AGENT_NODE_FLAGS } from '../../src/cli/agent-node-flags.ts';

const execFileAsync = promisify(execFile);
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

const PIN = '48291736';
const WRONG_PIN = '73519246';
const SFTP_PASSWORD = 'Correct-Horse-Battery-Staple-91!';
const SFTP_PASSPHRASE = 'my passphrase is "long" & odd/7';
const PEM = generateKeyPairSync('ed25519', {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

let root = '';
let dataDir = '';
let hub: SandboxHub | null = null;
let running: RunningAgent | null = null;
let cleanup: (() => Promise<void>) | null = null;
/** Each secret by name. */
let secrets: Record<string, string> = {};

afterAll(async () => {
  await running?.stop();
  await hub?.close();
  await cleanup?.();
});

beforeAll(async () => {
  const temp = await makeTempDir('recapito-bundle-');
  cleanup = temp.cleanup;
  root = temp.dir;
  hub = await createSandboxHub({ dataDir: join(root, 'hub') });
  dataDir = join(root, 'agent');
  const dropDir = join(root, 'drop');
  await mkdir(dropDir, { recursive: true });
  await saveSettings(join(dataDir, 'config.json'), testSettings(hub, dropDir));
  const store = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  const apiKey = hub.createApiKey({ name: 'bundle-test' });
  await store.set('hubApiKey', apiKey);
  await store.set('sftpPassword', SFTP_PASSWORD);
  await store.set('sftpPassphrase', SFTP_PASSPHRASE);
  await store.set('sftpPrivateKey', PEM);
  await writeBrandingFolder(join(dataDir, 'branding')); // a reseller's agent: the manifest names the brand
  running = await runAgent(dataDir);
  secrets = { hubApiKey: apiKey, apiToken: running.token, sftpPassword: SFTP_PASSWORD, sftpPassphrase: SFTP_PASSPHRASE, sftpPrivateKey: PEM, approverPin: PIN };

  // Some real history: a document delivered through the hub.
  const agent = running.agent as Agent;
  await writeFile(join(dropDir, 'fattura.pdf'), makePdf('Fattura per il pacchetto di assistenza'));
  await waitFor('the document delivered', () => agent.documents({ limit: 10 }).documents.find((d) => d.state === 'delivered') ?? null, 60_000);

  // An approver through the approval API: the agent keeps only a scrypt hash of the PIN. A wrong PIN
  // typed for a removal and a PIN given for a document are refused, and must not be kept either.
  const api = (method: string, path: string, body: unknown) =>
    fetch(`${running!.api.url}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${running!.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect((await api('POST', '/approvers', { name: 'Anna Rossi', pin: PIN })).status).toBe(201);
  expect((await api('POST', '/approvers/Anna%20Rossi/remove', { by: { approver: 'Anna Rossi', pin: WRONG_PIN } })).status).toBe(403);
  expect((await api('POST', '/documents/0192f3a4-5b6c-7d8e-9f00-112233445566/approve', { approver: 'Anna Rossi', pin: PIN })).status).toBeGreaterThanOrEqual(
    400,
  );
  const stored = new Database(join(dataDir, 'recapito.sqlite'), { readonly: true });
  const pinHash = JSON.parse((stored.prepare('SELECT pin_hash FROM approvers').get() as { pin_hash: string }).pin_hash) as { salt: string; hash: string };
  stored.close();
  secrets = { ...secrets, wrongPin: WRONG_PIN, pinHash: pinHash.hash, pinSalt: pinHash.salt };

  // Through the logger: known secrets are redacted by it; a PIN it does not know leaks by its name only.
  running.log.info('approval attempt', { approver: 'Anna Rossi', pin: PIN });
  running.log.warn(`approver Anna Rossi typed PIN: ${PIN}`);
  running.log.info(`hub key is ${apiKey}, token ${running.token}`);

  // Written into the log file by mistake (another writer, a bug): every secret in every encoding.
  const lines: Buffer[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    // The secrets the agent holds; PINs and their hashes it never holds (the PIN is planted by name below).
    if (!['hubApiKey', 'apiToken', 'sftpPassword', 'sftpPassphrase', 'sftpPrivateKey'].includes(name)) continue;
    for (const { bytes: encoded } of secretSpellings(value)) lines.push(Buffer.concat([Buffer.from(`[by mistake] ${name} = `), encoded, Buffer.from('\n')]));
    for (const offset of [0, 1, 2]) {
      const run = Buffer.concat([Buffer.from('xyz'.slice(0, offset)), Buffer.from(value), Buffer.from('!tail')]).toString('base64');
      lines.push(Buffer.from(`[by mistake] ${name} in a base64 blob: ${run} / ${Buffer.from(run, 'base64').toString('base64url')}\n`));
    }
  }
  lines.push(Buffer.from(`[by mistake] GET /approve?pin=${PIN}&id=1 body {"approverPin":"${PIN}"} PIN=${PIN}\n`));
  await appendFile(join(dataDir, 'logs', 'recapito.log'), Buffer.concat(lines));

  // An event whose message and data echo the key (as a hub error might).
  agent.store.transaction(() =>
    agent.store.events.append({
      type: 'test.hub_echo',
      message: `hub answered 401 for Authorization: Bearer ${apiKey} (key ${apiKey})`,
      data: { body: JSON.stringify({ key: apiKey, pin: PIN }), b64: Buffer.from(`k=${apiKey}`).toString('base64'), hex: Buffer.from(apiKey).toString('hex') },
    }),
  );
}, 120_000);

/** Every (file, secret, spelling) found: none is the only right answer. */
function leaks(files: Map<string, Buffer>, zipBytes: Buffer): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    for (const needle of leakNeedles(value)) {
      if (zipBytes.includes(needle.bytes)) found.push(`the ZIP's bytes hold ${name} (${needle.how})`);
      for (const [file, content] of files) {
        if (content.includes(needle.bytes)) found.push(`${file} holds ${name} (${needle.how})`);
        if (file.includes(needle.bytes.toString('latin1'))) found.push(`a file name holds ${name}`);
      }
    }
  }
  return found;
}

function json<T>(files: Map<string, Buffer>, name: string): T {
  const content = files.get(name);
  expect(content, name).toBeDefined();
  return JSON.parse(content!.toString('utf8')) as T;
}

interface Manifest {
  agentRunning: boolean;
  branding: { productName: string; support: { email: string | null }; warnings: string[] } | null;
  files: { name: string; bytes: number; truncated?: string }[];
  leftOut: { what: string; why: string }[];
  limits: { logBytes: number; events: number };
}

function checkManifest(files: Map<string, Buffer>, running: boolean): Manifest {
  const manifest = json<Manifest>(files, 'manifest.json');
  expect(manifest.agentRunning).toBe(running);
  // It lists exactly what is in the ZIP, with the sizes as zipped.
  expect(manifest.files.map((f) => f.name).sort()).toEqual([...files.keys()].filter((n) => n !== 'manifest.json').sort());
  for (const file of manifest.files) expect(file.bytes, file.name).toBe(files.get(file.name)!.length);
  expect(manifest.leftOut.map((l) => l.what).join('\n')).toMatch(/the secrets \(hub API key, SFTP password, private key/);
  expect(manifest.leftOut.map((l) => l.what).join('\n')).toMatch(/api-token/);
  expect(manifest.leftOut.map((l) => l.what).join('\n')).toMatch(/PINs/);
  expect(manifest.limits.events).toBeGreaterThan(0);
  for (const name of ['versions.json', 'settings.json', 'status.json', 'queue.json', 'events.json', 'folders.json', 'logs/recapito.log'])
    expect(files.has(name), name).toBe(true);
  return manifest;
}

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [...AGENT_NODE_FLAGS, CLI, 'support-bundle', ...args], { timeout: 60_000 });
  return stdout.trim();
}

describe('support bundle', () => {
  it('through the local API: a ZIP with the live checks, and no secret in any file, in any encoding', async () => {
    const response = await fetch(`${running!.api.url}/api/v1/support-bundle`, { headers: { Authorization: `Bearer ${running!.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="recapito-support-\d{8}-\d{6}Z\.zip"$/);
    const bytes = Buffer.from(await response.arrayBuffer());
    const files = await unzip(bytes);
    const manifest = checkManifest(files, true);
    expect(leaks(files, bytes)).toEqual([]);
    expect(manifest.branding).toMatchObject({ productName: 'Rossi Fatture Connect', support: { email: 'assistenza@rossi-fatture.example' }, warnings: [] });

    // What the helpdesk needs is there, readable.
    const status = json<{ hub: { reachable: boolean | null; url: string }; watchers: unknown[]; services: unknown[] }>(files, 'status.json');
    expect(status.hub.reachable).toBe(true);
    expect(status.hub.url).toBe(hub!.url);
    expect(status.watchers).toHaveLength(1);
    expect(json<{ counts: Record<string, number> }>(files, 'queue.json').counts).toMatchObject({ delivered: 1 });
    const events = json<{ type: string; message: string | null }[]>(files, 'events.json');
    expect(events.some((e) => e.type === 'agent.started')).toBe(true);
    expect(events.find((e) => e.type === 'test.hub_echo')?.message).toBe('hub answered 401 for Authorization: Bearer [redacted] (key [redacted])');
    const versions = json<{ agent: string; node: string; sqlite: string }>(files, 'versions.json');
    expect(versions.node).toBe(process.versions.node);
    expect(versions.sqlite).toMatch(/^3\.\d+/);
    const log = files.get('logs/recapito.log')!.toString('utf8');
    expect(log).toContain('approval attempt');
    expect(log).toContain('[by mistake] hubApiKey = [redacted]');
    expect(json<{ hub: { url: string } }>(files, 'settings.json').hub.url).toBe(hub!.url);
    expect(json<{ folder: string; state: string }[]>(files, 'folders.json')).toEqual([
      expect.objectContaining({ folder: join(root, 'drop'), state: 'watching' }),
    ]);
  });

  it('through the CLI while the agent runs: made by the agent, the path printed', async () => {
    const out = join(root, 'out-running');
    const file = await cli('--data', dataDir, '--out', out);
    expect(file).toMatch(new RegExp(`^${out}/recapito-support-\\d{8}-\\d{6}Z\\.zip$`));
    const bytes = await readFile(file);
    const files = await unzip(bytes);
    checkManifest(files, true);
    expect(leaks(files, bytes)).toEqual([]);
  });

  it('through the CLI with the agent stopped: read-only from the data folder, still no secret', async () => {
    await running!.stop();
    running = null;
    // A settings file a person edited by hand, with the key pasted where it does not belong.
    const config = JSON.parse(await readFile(join(dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(
      join(dataDir, 'config.json'),
      JSON.stringify({ ...config, note: `old key ${secrets['hubApiKey']}`, hub: { ...(config['hub'] as object), apiKey: secrets['hubApiKey'] } }),
    );
    const before = await readdir(dataDir);
    const dbBefore = await readFile(join(dataDir, 'recapito.sqlite'));

    const out = join(root, 'out-offline');
    const file = await cli('--data', dataDir, '--out', out);
    const bytes = await readFile(file);
    const files = await unzip(bytes);
    const manifest = checkManifest(files, false);
    expect(leaks(files, bytes)).toEqual([]);

    const status = json<{ hub: string; printers: string }>(files, 'status.json');
    expect(status.hub).toBe('agent not running');
    expect(status.printers).toBe('agent not running');
    expect(json<{ counts: Record<string, number> }>(files, 'queue.json').counts).toMatchObject({ delivered: 1 });
    expect(json<{ type: string }[]>(files, 'events.json').some((e) => e.type === 'test.hub_echo')).toBe(true);
    expect(json<{ state: string }[]>(files, 'folders.json')).toEqual([expect.objectContaining({ state: 'present (not watched: agent not running)' })]);
    expect(files.get('settings.json')!.toString()).toContain('"apiKey": "[redacted]"'.replace(': ', ':'));
    expect(manifest.files.find((f) => f.name === 'settings.json')).toBeDefined();
    // Read-only: nothing was added to the data folder, the store's bytes did not change.
    expect(await readdir(dataDir)).toEqual(before);
    expect((await readFile(join(dataDir, 'recapito.sqlite'))).equals(dbBefore)).toBe(true);
  });

  it('the CLI refuses a data folder that does not exist', async () => {
    const failure = (await cli('--data', join(root, 'nowhere'), '--out', join(root, 'out-none')).catch((error: unknown) => error)) as {
      code?: number;
      stderr?: string;
    };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain(`no data folder at ${join(root, 'nowhere')}`);
  });

  it('reads only regular log files: a link in the logs folder (to the secrets file) is left out, not followed', async () => {
    const dir = join(root, 'linked');
    await mkdir(join(dir, 'logs'), { recursive: true });
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ version: 1, secrets: { hubApiKey: 'rk_linked_0123456789abcdef' } }));
    await symlink(join(dir, 'secrets.json'), join(dir, 'logs', 'recapito.log'));
    await writeFile(join(dir, 'logs', 'recapito.1.log'), 'an older line\n');
    const bundle = await buildSupportBundle(await collectOfflineFacts(dir, { agentVersion: 'test' }));
    const files = await unzip(bundle.bytes);
    expect(files.has('logs/recapito.log')).toBe(false);
    expect(files.get('logs/recapito.1.log')?.toString()).toBe('an older line\n');
    const manifest = json<Manifest>(files, 'manifest.json');
    expect(manifest.leftOut).toContainEqual({ what: 'logs/recapito.log', why: expect.stringMatching(/^not read: .*symbolic link/) as string });
    for (const content of files.values()) expect(content.includes('rk_linked_0123456789abcdef')).toBe(false);
  });

  it('is bounded: the log tail and the event count are cut to the limits, and the manifest says so', async () => {
    const logs = join(dataDir, 'logs');
    await writeFile(join(logs, 'recapito.1.log'), `${'an older line of the log, rotated\n'.repeat(4000)}`);
    await writeFile(join(logs, 'recapito.2.log'), 'the oldest file\n');
    await appendFile(join(logs, 'recapito.log'), `${'a recent line of the log, with some padding to fill it\n'.repeat(2000)}`);
    const limits = { logBytes: 64 * 1024, events: 3, settingsBytes: 256 * 1024 };
    const bundle = await buildSupportBundle(await collectOfflineFacts(dataDir, { agentVersion: 'test', limits }), limits);
    const files = await unzip(bundle.bytes);
    const manifest = json<Manifest>(files, 'manifest.json');
    expect(manifest.limits).toMatchObject({ logBytes: 64 * 1024, events: 3 });
    const logBytes = [...files].filter(([name]) => name.startsWith('logs/')).reduce((sum, [, content]) => sum + content.length, 0);
    expect(logBytes).toBeLessThanOrEqual(64 * 1024);
    expect(files.get('logs/recapito.log')!.toString()).toMatch(/^a recent line/); // cut at a whole line
    expect(manifest.files.find((f) => f.name === 'logs/recapito.log')?.truncated).toMatch(/^the last \d+ of \d+ bytes/);
    expect(manifest.leftOut).toContainEqual({ what: 'logs/recapito.2.log', why: expect.stringMatching(/over the bundle's log budget/) as string });
    expect(json<unknown[]>(files, 'events.json')).toHaveLength(3);
    expect(manifest.files.find((f) => f.name === 'events.json')?.truncated).toMatch(/older events left out/);
    expect(leaks(files, bundle.bytes)).toEqual([]);
  });
});
