// Settings through the local API, on the real host the CLI runs: read without secrets, refused
// with errors that name each field, applied live (a new watched folder works at once), rolled
// back when they cannot run, and a transport switch to SFTP checked with "test connection".
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runAgent, type RunningAgent } from '../../src/core/host/run-agent.ts';
import type { Agent } from '../../src/core/agent/agent.ts';
import { createSandboxHub, type SandboxHub } from '../../src/sandbox-hub/sandbox-hub.ts';
import { createFileSecretStore } from '../../src/core/config/secret-store.ts';
import { loadSettings, saveSettings } from '../../src/core/config/config-store.ts';
import type { Settings } from '../../src/core/config/settings-schema.ts';
import { sftpSettings, testSettings } from '../helpers/harness.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { makePdf } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { needsSshd, startSshd, type Sshd } from '../helpers/sshd.ts';

let running: RunningAgent | null = null;
let hub: SandboxHub | null = null;
let sshd: Sshd | null = null;
let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await running?.stop();
  await hub?.close();
  await sshd?.stop();
  await cleanup?.();
  running = hub = sshd = cleanup = null;
});

async function start(options: { sftp?: boolean } = {}) {
  const temp = await makeTempDir();
  cleanup = temp.cleanup;
  const root = temp.dir;
  if (options.sftp) sshd = await startSshd(join(root, 'sshd'));
  hub = await createSandboxHub({ dataDir: join(root, 'hub'), ...(sshd ? { sftp: { rootDir: join(root, 'hub-sftp'), pollIntervalMs: 100 } } : {}) });
  const dataDir = join(root, 'agent');
  const dropDir = join(root, 'drop');
  await mkdir(dropDir, { recursive: true });
  const settings = testSettings(hub, dropDir);
  await saveSettings(join(dataDir, 'config.json'), settings);
  const secrets = await createFileSecretStore(join(dataDir, 'secrets.json'), {});
  const apiKey = hub.createApiKey({ name: 'config-test' });
  await secrets.set('hubApiKey', apiKey);
  running = await runAgent(dataDir);
  const { url } = running.api;
  const token = running.token;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown>, text: '' };
  };
  return { root, dataDir, dropDir, apiKey, call };
}

describe('config API', () => {
  it('reads settings without secrets and refuses invalid ones naming each field', async () => {
    const { call, apiKey } = await start();
    const read = await call('GET', '/config');
    expect(read.status).toBe(200);
    expect(read.body['secrets']).toEqual({ hubApiKey: true, sftpPassword: false, sftpPrivateKey: false, sftpPassphrase: false });
    expect(read.body['editable']).toBe(true);
    expect(JSON.stringify(read.body)).not.toContain(apiKey);

    const settings = read.body['settings'] as Settings;
    const bad = { ...settings, hub: { ...settings.hub, apiKey: 'x' }, profiles: [{ ...settings.profiles[0]!, folders: [{ path: 'relative/folder' }] }] };
    const refused = await call('PUT', '/config', bad);
    expect(refused.status).toBe(400);
    const error = refused.body['error'] as { code: string; details: { errors: { path: string; message: string }[] } };
    expect(error.code).toBe('invalid_config');
    const paths = error.details.errors.map((e) => e.path);
    expect(paths).toContain('hub.apiKey');
    expect(paths).toContain('profiles[0].folders[0].path');
  });

  it('applies a new watched folder at once, saves it, and rolls back settings that cannot run', async () => {
    const { call, root, dataDir } = await start();
    const settings = (await call('GET', '/config')).body['settings'] as Settings;
    const second = join(root, 'second-drop');
    await mkdir(second, { recursive: true });
    const next: Settings = {
      ...settings,
      profiles: [{ ...settings.profiles[0]!, folders: [...settings.profiles[0]!.folders, { path: second, postAction: 'move', usePolling: false }] }],
    };
    const applied = await call('PUT', '/config', next);
    expect(applied.status).toBe(200);
    expect(applied.body['restartRequired']).toEqual([]);
    expect((await loadSettings(join(dataDir, 'config.json'))).profiles[0]?.folders).toHaveLength(2);

    await writeFile(join(second, 'nuova.pdf'), makePdf('new folder'));
    const document = await waitFor('captured from the new folder', () => running!.agent.documents({ limit: 5 }).documents.find((d) => d.name === 'nuova.pdf'));
    await waitFor('delivered', () => running!.agent.document(document.id)?.state === 'delivered');

    const unusable = { ...next, hub: { ...next.hub, caFile: join(root, 'missing-ca.pem') } };
    const rolledBack = await call('PUT', '/config', unusable);
    expect(rolledBack.status).toBe(400);
    expect((rolledBack.body['error'] as { code: string; message: string }).message).toContain('missing-ca.pem');
    expect(running!.agent.settings.hub.caFile).toBe(next.hub.caFile);
    expect((await loadSettings(join(dataDir, 'config.json'))).hub.caFile).toBe(next.hub.caFile);
    await writeFile(join(second, 'ancora.pdf'), makePdf('still working'));
    const after = await waitFor('still capturing', () => running!.agent.documents({ limit: 10 }).documents.find((d) => d.name === 'ancora.pdf'));
    await waitFor('delivered after rollback', () => running!.agent.document(after.id)?.state === 'delivered');
  });

  it('answers 400 to a deeply nested settings body, and keeps the settings', async () => {
    const { call } = await start();
    const before = (await call('GET', '/config')).body['settings'];
    for (const body of ['['.repeat(200_000) + ']'.repeat(200_000), '{"hub":'.repeat(100_000) + '{}' + '}'.repeat(100_000)]) {
      const response = await fetch(`${running!.api.url}/api/v1/config`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${running!.token}`, 'Content-Type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'bad_json',
        message: expect.stringMatching(/nested more than 64 levels/),
      });
    }
    expect((await call('GET', '/config')).body['settings']).toEqual(before);
  });

  it('tests the HTTPS connection stage by stage', async () => {
    const { call } = await start();
    const result = await call('POST', '/hub/test');
    expect(result.status).toBe(200);
    expect(result.body['ok']).toBe(true);
    expect((result.body['stages'] as { stage: string; ok: boolean }[]).map((s) => s.stage)).toEqual(['dns', 'tcp', 'tls', 'auth']);
  });

  needsSshd().it('switches to SFTP through the API: credentials, connection test, then delivery', async () => {
    const { call, root, dropDir } = await start({ sftp: true });
    const settings = (await call('GET', '/config')).body['settings'] as Settings;
    const credentials = await fetch(`${running!.api.url}/api/v1/credentials`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${running!.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sftpPrivateKey: sshd!.clientPrivateKey }),
    });
    expect(credentials.status).toBe(204);
    const wrongPin = sftpSettings(settings, sshd!, join(root, 'hub-sftp'));
    wrongPin.hub.sftp!.hostKeyFingerprint = `SHA256:${'A'.repeat(43)}`;
    expect((await call('PUT', '/config', wrongPin)).status).toBe(200);
    const refused = await call('POST', '/hub/test');
    expect(refused.body['ok']).toBe(false);
    const failedStage = (refused.body['stages'] as { stage: string; ok: boolean; message: string }[]).at(-1)!;
    expect(failedStage.stage).toBe('host_key');
    expect(failedStage.message).toContain(sshd!.hostKeyFingerprint);

    expect((await call('PUT', '/config', sftpSettings(settings, sshd!, join(root, 'hub-sftp')))).status).toBe(200);
    const ok = await call('POST', '/hub/test');
    expect(ok.body['ok']).toBe(true);
    expect((ok.body['stages'] as { stage: string }[]).map((s) => s.stage)).toEqual(['dns', 'tcp', 'host_key', 'auth', 'permissions']);
    await writeFile(join(dropDir, 'via-sftp.pdf'), makePdf('over sftp'));
    const document = await waitFor('captured', () => running!.agent.documents({ limit: 5 }).documents.find((d) => d.name === 'via-sftp.pdf'));
    await waitFor('delivered over SFTP', () => running!.agent.document(document.id)?.state === 'delivered', 30_000);
    expect(hub!.listDocuments().find((d) => d.fileName === 'via-sftp.pdf')?.channel).toBe('sftp');
  });
});

describe('config API during a switch', () => {
  it('answers a long poll waiting on the old agent with an empty page, not an error', async () => {
    const { call } = await start();
    const settings = (await call('GET', '/config')).body['settings'] as Settings;
    const { lastSeq } = (await call('GET', '/events?since=0&limit=1000')).body as { lastSeq: number };
    // The long poll subscribes to the old agent's event log: the sign that it is waiting there.
    const subscribed = vi.spyOn((running!.agent as Agent).store.events, 'onAppended');
    const waiting = call('GET', `/events?since=${lastSeq + 1000}&timeout=20`);
    await waitFor('the long poll to wait on the old agent', () => subscribed.mock.calls.length > 0);
    const saved = await call('PUT', '/config', { ...settings, hub: { ...settings.hub, accountPollSeconds: 120 } });
    expect(saved.status).toBe(200);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ events: [], lastSeq: lastSeq + 1000 });
  });
});
