// Enrollment by activation code against the real sandbox hub over real HTTPS (docs/enrollment.md):
// from a data folder with no key, `recapito enroll` (the real CLI, a child process) and
// POST /api/v1/enroll trade a code for the key, which lands in the 0600 secrets file and nowhere
// else; the agent sends with it at once (a held document is delivered, a queue held on a revoked
// or an expired key resumes); wrong, used and expired codes are refused with their message and exit code; the key
// never appears in the log files, the settings file, the CLI's output, any API answer or the support
// bundle (every file of the ZIP, in every spelling).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzip } from '../helpers/unzip.ts';
import { leakNeedles } from '../helpers/secret-spellings.ts';
import { runAgent, type RunningAgent } from '../../src/core/host/run-agent.ts';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { saveSettings } from '../../src/core/config/config-store.ts';
import type { Settings } from '../../src/core/config/settings-schema.ts';
import type { AgentStatus, DocumentsPage } from '../../src/contract/local-api.ts';
import { ENROLL_REFUSAL_TEXT } from '../../src/contract/enrollment.ts';
import { ENROLL_EXIT, enrollCommand } from '../../src/cli/commands/enroll.ts';
import { testSettings } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { AGENT_NODE_FLAGS } from '../../src/cli/agent-node-flags.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Each run of the real CLI costs a new Node process (about 1 s of CPU, several seconds of wall time
 * on a loaded 2-core machine), and the first test makes five: a backstop, not a bound.
 */
const CLI_TEST_TIMEOUT = 180_000;
const codeFileOf = (dataDir: string): string => join(dataDir, '..', 'code.txt');

let running: RunningAgent | null = null;
let hub: SandboxHub | null = null;
let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await running?.stop();
  await hub?.close();
  await cleanup?.();
  running = hub = cleanup = null;
});

interface Setup {
  root: string;
  dataDir: string;
  dropDir: string;
  settings: Settings;
  env: NodeJS.ProcessEnv;
}

/** A sandbox hub and a data folder with settings (the hub's address and CA) but no key: a new PC. */
async function setup(): Promise<Setup> {
  const temp = await makeTempDir('recapito-enroll-');
  cleanup = temp.cleanup;
  const root = temp.dir;
  hub = await createSandboxHub({ dataDir: join(root, 'hub') });
  const dataDir = join(root, 'agent');
  const dropDir = join(root, 'drop');
  await mkdir(dropDir, { recursive: true });
  const settings = testSettings(hub, dropDir);
  await saveSettings(join(dataDir, 'config.json'), settings);
  // The CLI child sees only this test's agents, and no key or code from the machine running the tests.
  const { RECAPITO_HUB_API_KEY: _key, RECAPITO_ACTIVATION_CODE: _code, RECAPITO_DATA_DIR: _dir, ...rest } = process.env;
  const env = { ...rest, RECAPITO_RUNNING_DIR: join(root, 'running'), LANG: 'C.UTF-8', LC_ALL: '' };
  return { root, dataDir, dropDir, settings, env };
}

interface CliResult {
  exit: number | null;
  stdout: string;
  stderr: string;
}

/** The real `recapito` command, as an admin or a deployment tool runs it. */
function recapito(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...AGENT_NODE_FLAGS, join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ exit, stdout, stderr }));
  });
}

async function storedKey(dataDir: string): Promise<string | null> {
  const text = await readFile(join(dataDir, 'secrets.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  return (JSON.parse(text) as { secrets: { hubApiKey?: string } }).secrets.hubApiKey ?? null;
}

function api(agent: RunningAgent) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: Record<string, unknown> }> => {
    const response = await fetch(`${agent.api.url}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${agent.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

/** Every file under `dir`, with its content (the log folder: the current file and any rotated one). */
async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (path) => ({ path, text: await readFile(path, 'utf8') })));
}

/** The key, and the encodings a leak could take, appear in none of these texts. */
function expectNoKey(key: string, texts: { where: string; text: string }[]): void {
  const forms = [key, JSON.stringify(key).slice(1, -1), Buffer.from(key).toString('base64'), encodeURIComponent(key)];
  for (const { where, text } of texts) for (const form of forms) expect(text.includes(form), `${where} holds the key`).toBe(false);
}

describe('enrollment by activation code', () => {
  it(
    'recapito enroll with no agent running: refusals by exit code, the key in the 0600 file only, then the agent delivers',
    { timeout: CLI_TEST_TIMEOUT },
    async () => {
      const { dataDir, dropDir, env } = await setup();
      const sandbox = hub!;
      const data = ['--data', dataDir];

      // A code the hub never issued.
      const wrong = await recapito(['enroll', 'SBX-NOPE-NOPE-NOPE', ...data], env);
      expect(wrong.exit).toBe(ENROLL_EXIT.codeRefused);
      expect(wrong.stderr).toContain(ENROLL_REFUSAL_TEXT.en.invalid_activation_code);
      expect(await storedKey(dataDir)).toBeNull();

      // An expired code: refused the same way (the hub does not tell a guesser which codes exist).
      const expiredCode = sandbox.createActivationCode({ expiresAt: '2020-01-01T00:00:00Z' });
      const expired = await recapito(['enroll', ...data], { ...env, RECAPITO_ACTIVATION_CODE: expiredCode });
      expect(expired.exit).toBe(ENROLL_EXIT.codeRefused);
      expect(expired.stderr).toContain(ENROLL_REFUSAL_TEXT.en.invalid_activation_code);
      expect(expired.stderr).not.toContain(expiredCode);

      // No code at all, two codes, an unreadable file (in process: nothing reaches the hub), a malformed one: usage.
      expect(await enrollCommand([...data], env)).toBe(ENROLL_EXIT.usage);
      expect(await enrollCommand(['A', '--code-file', codeFileOf(dataDir), ...data], env)).toBe(ENROLL_EXIT.usage);
      expect(await enrollCommand(['--code-file', '/nonexistent/code', ...data], env)).toBe(ENROLL_EXIT.usage);
      const malformed = await recapito(['enroll', 'x'.repeat(500), ...data], env);
      expect(malformed.exit).toBe(ENROLL_EXIT.usage);
      expect(malformed.stderr).toContain(ENROLL_REFUSAL_TEXT.en.bad_activation_code);

      // The roll-out form: the code from the environment, Italian messages.
      const code = sandbox.createActivationCode();
      const enrolled = await recapito(['enroll', '--device-name', 'Cassa 2', ...data], { ...env, RECAPITO_ACTIVATION_CODE: code, LANG: 'it_IT.UTF-8' });
      expect(enrolled.stderr).toBe('');
      expect(enrolled.exit).toBe(ENROLL_EXIT.enrolled);
      expect(enrolled.stdout).toContain('Attivato: questo computer ("Cassa 2") invia per Sandbox account (acc_sandbox).');
      expect(enrolled.stdout).toContain('ALPHA SRL');
      expect(enrolled.stdout).toContain('BETA SPA');
      const key = await storedKey(dataDir);
      expect(key).toMatch(/\S{16,}/);
      if (process.platform !== 'win32') expect((await stat(join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600);

      // The same code again, from a file: used, refused.
      const codeFile = codeFileOf(dataDir);
      await writeFile(codeFile, `${code}\n`);
      const used = await recapito(['enroll', '--code-file', codeFile, ...data], env);
      expect(used.exit).toBe(ENROLL_EXIT.codeRefused);
      expect(used.stderr).toContain(ENROLL_REFUSAL_TEXT.en.invalid_activation_code);
      expect(await storedKey(dataDir)).toBe(key); // the stored key is untouched

      // The agent starts with the enrolled key and delivers.
      running = await runAgent(dataDir);
      const call = api(running);
      await writeFile(join(dropDir, 'fattura.pdf'), makePdf('Fattura dopo attivazione'));
      await waitFor('the dropped invoice delivered', async () => {
        const page = (await call('GET', '/documents')).json as unknown as DocumentsPage;
        return page.documents.find((d) => d.name === 'fattura.pdf' && d.state === 'delivered') ?? null;
      });
      const status = (await call('GET', '/status')).json as unknown as AgentStatus;
      expect(status.hub.keySource).toBe('store');
      expect(status.hold).toBeNull();

      const answers = await Promise.all(['/status', '/config', '/documents', '/events?since=0&limit=1000'].map((path) => call('GET', path)));
      expectNoKey(key!, [
        ...[wrong, expired, enrolled, used].map((r, i) => ({ where: `CLI run ${i}`, text: r.stdout + r.stderr })),
        ...answers.map((a, i) => ({ where: `API answer ${i}`, text: a.text })),
        { where: 'config.json', text: await readFile(join(dataDir, 'config.json'), 'utf8') },
        ...(await filesUnder(join(dataDir, 'logs'))).map((f) => ({ where: f.path, text: f.text })),
      ]);
      // The enrollment was logged, by its key's id.
      const logs = (await filesUnder(join(dataDir, 'logs'))).map((f) => f.text).join('\n');
      expect(logs).toContain('enrolled with the hub');
      expect(logs).not.toContain(code);
    },
  );

  it(
    'through the running agent: a held queue resumes at once, refusals answer their code, the answer never holds the key',
    { timeout: CLI_TEST_TIMEOUT },
    async () => {
      const { dataDir, dropDir, env } = await setup();
      const sandbox = hub!;
      running = await runAgent(dataDir);
      const call = api(running);

      // A new PC: no key, the status says so, and a dropped invoice waits.
      let status = (await call('GET', '/status')).json as unknown as AgentStatus;
      expect(status.hub.keySource).toBeNull();
      await writeFile(join(dropDir, 'in-attesa.pdf'), makePdf('Fattura in attesa'));
      await waitFor('the invoice held for want of a key', async () => {
        const page = (await call('GET', '/documents')).json as unknown as DocumentsPage;
        return page.documents.find((d) => d.name === 'in-attesa.pdf' && d.state === 'held') ?? null;
      });

      // Refusals over the API: their code, and the text a person reads.
      const wrong = await call('POST', '/enroll', { activationCode: 'SBX-NOPE-NOPE-NOPE' });
      expect(wrong.status).toBe(422);
      expect(wrong.json['error']).toMatchObject({ code: 'invalid_activation_code' });
      const expiredCode = sandbox.createActivationCode({ expiresAt: new Date(Date.now() - 60_000).toISOString() });
      const expired = await call('POST', '/enroll', { activationCode: expiredCode });
      expect(expired.json['error']).toMatchObject({ code: 'invalid_activation_code' });
      expect((await call('POST', '/enroll', { activationCode: '' })).json['error']).toMatchObject({ code: 'bad_activation_code' });
      expect((await call('POST', '/enroll', { activationCode: 'A', deviceName: 'two\nlines' })).json['error']).toMatchObject({ code: 'bad_device_name' });
      expect((await call('POST', '/enroll', { activationCode: 'A', apiKey: 'x' })).status).toBe(400);
      expect(await storedKey(dataDir)).toBeNull();

      // `recapito status` says how to get a key.
      expect((await recapito(['status', '--data', dataDir], env)).stdout).toContain('no API key yet: enroll this PC with "recapito enroll CODE"');

      // The CLI finds the running agent and goes through it: the held invoice leaves at once.
      const code = sandbox.createActivationCode();
      const cli = await recapito(['enroll', code, '--data', dataDir], env);
      expect(cli.stderr).toBe('');
      expect(cli.exit).toBe(ENROLL_EXIT.enrolled);
      expect(cli.stdout).toContain('by the running agent');
      const firstKey = await storedKey(dataDir);
      expect(firstKey).not.toBeNull();
      await waitFor('the held invoice delivered', async () => {
        const page = (await call('GET', '/documents')).json as unknown as DocumentsPage;
        return page.documents.find((d) => d.name === 'in-attesa.pdf' && d.state === 'delivered') ?? null;
      });
      status = (await call('GET', '/status')).json as unknown as AgentStatus;
      expect(status.hub.keySource).toBe('store');
      expect(status.hold).toBeNull();

      // The provider revokes the key: the queue is held on it; enrolling again (the API this time) resumes it.
      sandbox.revokeApiKey(firstKey!);
      await writeFile(join(dropDir, 'dopo-revoca.pdf'), makePdf('Fattura dopo la revoca'));
      await waitFor('the queue held on the revoked key', async () => {
        const current = (await call('GET', '/status')).json as unknown as AgentStatus;
        return current.hold?.code === 'auth' ? current.hold : null;
      });
      const again = sandbox.createActivationCode();
      const enrolled = await call('POST', '/enroll', { activationCode: again, deviceName: 'Ufficio' });
      expect(enrolled.status).toBe(200);
      expect(enrolled.json).toMatchObject({
        account: { id: 'acc_sandbox', name: 'Sandbox account' },
        key: { id: expect.any(String) as string, expiresAt: null },
        deviceName: 'Ufficio',
        companies: [expect.objectContaining({ name: 'ALPHA SRL' }), expect.objectContaining({ name: 'BETA SPA' })],
      });
      expect(Object.keys(enrolled.json).sort()).toEqual(['account', 'companies', 'credits', 'deviceName', 'key']);
      const secondKey = await storedKey(dataDir);
      expect(secondKey).not.toBe(firstKey);
      await waitFor('the invoice held on the revoked key delivered', async () => {
        const page = (await call('GET', '/documents')).json as unknown as DocumentsPage;
        return page.documents.find((d) => d.name === 'dopo-revoca.pdf' && d.state === 'delivered') ?? null;
      });
      expect(((await call('GET', '/status')).json as unknown as AgentStatus).hold).toBeNull();

      // A used code, through the API.
      const used = await call('POST', '/enroll', { activationCode: again });
      expect(used.json['error']).toMatchObject({ code: 'invalid_activation_code' });
      expect(await storedKey(dataDir)).toBe(secondKey);

      // The key expires at the hub: held on it, enrolled again, sending resumes.
      sandbox.setKeyExpiry(secondKey!, new Date(Date.now() - 60_000).toISOString());
      await writeFile(join(dropDir, 'dopo-scadenza.pdf'), makePdf('Fattura dopo la scadenza'));
      await waitFor('the queue held on the expired key', async () => {
        const current = (await call('GET', '/status')).json as unknown as AgentStatus;
        return current.hold?.code === 'auth' ? current.hold : null;
      });
      const third = sandbox.createActivationCode();
      expect((await call('POST', '/enroll', { activationCode: third })).status).toBe(200);
      const thirdKey = await storedKey(dataDir);
      expect(thirdKey).not.toBe(secondKey);
      await waitFor('the invoice held on the expired key delivered', async () => {
        const page = (await call('GET', '/documents')).json as unknown as DocumentsPage;
        return page.documents.find((d) => d.name === 'dopo-scadenza.pdf' && d.state === 'delivered') ?? null;
      });

      const answers = await Promise.all(['/status', '/config', '/documents', '/events?since=0&limit=1000'].map((path) => call('GET', path)));
      for (const key of [firstKey!, secondKey!, thirdKey!]) {
        expectNoKey(key, [
          { where: 'CLI', text: cli.stdout + cli.stderr },
          ...[wrong, expired, enrolled, used, ...answers].map((a, i) => ({ where: `API answer ${i}`, text: a.text })),
          { where: 'config.json', text: await readFile(join(dataDir, 'config.json'), 'utf8') },
          ...(await filesUnder(join(dataDir, 'logs'))).map((f) => ({ where: f.path, text: f.text })),
        ]);
      }
      // The support bundle (docs/support-bundle.md), every file of it, in every spelling: no key, no code.
      const bundle = await fetch(`${running.api.url}/api/v1/support-bundle`, { headers: { Authorization: `Bearer ${running.token}` } });
      expect(bundle.status).toBe(200);
      const zipBytes = Buffer.from(await bundle.arrayBuffer());
      const files = await unzip(zipBytes);
      expect(files.size).toBeGreaterThan(3);
      expect([...files.values()].some((content) => content.includes('credentials.enrolled'))).toBe(true); // the events are in it
      const found: string[] = [];
      for (const [name, value] of Object.entries({ firstKey: firstKey!, secondKey: secondKey!, thirdKey: thirdKey!, code, again, third })) {
        for (const { how, bytes } of leakNeedles(value)) {
          if (zipBytes.includes(bytes)) found.push(`the ZIP holds ${name} (${how})`);
          for (const [file, content] of files) if (content.includes(bytes)) found.push(`${file} holds ${name} (${how})`);
        }
      }
      expect(found).toEqual([]);

      // The audit log names each enrollment (by the key's id).
      const events = (answers[3]!.json as { events: { type: string }[] }).events;
      expect(events.filter((e) => e.type === 'credentials.enrolled')).toHaveLength(3);
    },
  );

  it('refuses to enroll where it cannot: no hub address, a key from the environment, an unreachable hub', { timeout: CLI_TEST_TIMEOUT }, async () => {
    const { dataDir, settings, env, root } = await setup();
    const sandbox = hub!;
    const code = sandbox.createActivationCode();
    const data = ['--data', dataDir];

    const withKeyInEnv = await recapito(['enroll', code, ...data], { ...env, RECAPITO_HUB_API_KEY: 'k'.repeat(32) });
    expect(withKeyInEnv.exit).toBe(ENROLL_EXIT.setup);
    expect(withKeyInEnv.stderr).toContain(ENROLL_REFUSAL_TEXT.en.key_from_environment);

    const unreachableDir = join(root, 'unreachable');
    await saveSettings(join(unreachableDir, 'config.json'), { ...settings, hub: { ...settings.hub, url: 'https://127.0.0.1:1' } });
    const unreachable = await recapito(['enroll', code, '--data', unreachableDir], env);
    expect(unreachable.exit).toBe(ENROLL_EXIT.hubUnreachable);
    expect(unreachable.stderr).toContain(ENROLL_REFUSAL_TEXT.en.hub_unreachable);

    const noHubDir = join(root, 'no-hub');
    await saveSettings(join(noHubDir, 'config.json'), { ...settings, hub: { ...settings.hub, url: null } });
    const noHub = await recapito(['enroll', code, '--data', noHubDir], env);
    expect(noHub.exit).toBe(ENROLL_EXIT.setup);
    expect(noHub.stderr).toContain(ENROLL_REFUSAL_TEXT.en.no_hub);

    // None of them spent the code: it still enrolls.
    const ok = await recapito(['enroll', code, '--json', ...data], env);
    expect(ok.exit).toBe(ENROLL_EXIT.enrolled);
    expect(JSON.parse(ok.stdout)).toMatchObject({ account: { id: 'acc_sandbox' } });
  });
});
