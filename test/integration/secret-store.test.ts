import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSecretStore, knownSecretValues, SecretStoreError } from '../../src/core/config/secret-store.ts';
import type { SecretName } from '../../src/core/config/secret-store.ts';

const posix = process.platform !== 'win32';
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recapito-secrets-'));
  file = path.join(dir, 'secrets.json');
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('file secret store', () => {
  it('starts empty without creating the file', async () => {
    const store = await createFileSecretStore(file, {});
    expect(store.get('hubApiKey')).toBeNull();
    expect(store.sourceOf('hubApiKey')).toBeNull();
    await expect(fs.access(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('persists secrets so a new store (a restart) reads them back', async () => {
    const store = await createFileSecretStore(file, {});
    await store.set('hubApiKey', 'rk_live_abc123');
    await store.set('sftpPrivateKey', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n');
    expect(store.get('hubApiKey')).toBe('rk_live_abc123');

    const reopened = await createFileSecretStore(file, {});
    expect(reopened.get('hubApiKey')).toBe('rk_live_abc123');
    expect(reopened.get('sftpPrivateKey')).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(reopened.sourceOf('hubApiKey')).toBe('file');
    expect(knownSecretValues(reopened).sort()).toEqual([reopened.get('sftpPrivateKey'), 'rk_live_abc123'].sort());
  });

  it('deletes a secret from memory and from the file', async () => {
    const store = await createFileSecretStore(file, {});
    await store.set('sftpPassword', 'pw-1');
    await store.set('hubApiKey', 'key-1');
    await store.delete('sftpPassword');
    expect(store.get('sftpPassword')).toBeNull();
    const reopened = await createFileSecretStore(file, {});
    expect(reopened.get('sftpPassword')).toBeNull();
    expect(reopened.get('hubApiKey')).toBe('key-1');
    expect(await fs.readFile(file, 'utf8')).not.toContain('pw-1');
  });

  it('keeps every one of several quick concurrent writes', async () => {
    const store = await createFileSecretStore(file, {});
    await Promise.all([store.set('hubApiKey', 'k'), store.set('sftpPassword', 'p'), store.set('sftpPassphrase', 'f'), store.set('sftpPrivateKey', 'pk')]);
    const reopened = await createFileSecretStore(file, {});
    expect(['hubApiKey', 'sftpPassword', 'sftpPassphrase', 'sftpPrivateKey'].map((n) => reopened.get(n as SecretName))).toEqual(['k', 'p', 'f', 'pk']);
    expect(await fs.readdir(dir)).toEqual(['secrets.json']);
  });

  it.skipIf(!posix)('creates the file with mode 0600', async () => {
    const store = await createFileSecretStore(file, {});
    await store.set('hubApiKey', 'k');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!posix)('refuses a file other users can read, and says how to fix it', async () => {
    await fs.writeFile(file, JSON.stringify({ version: 1, secrets: { hubApiKey: 'k' } }));
    await fs.chmod(file, 0o644);
    const error: unknown = await createFileSecretStore(file, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreError);
    expect((error as Error).message).toMatch(/permissions \(0644\) let other users read/);
    expect((error as Error).message).toContain(`chmod 600 ${file}`);

    await fs.chmod(file, 0o600);
    expect((await createFileSecretStore(file, {})).get('hubApiKey')).toBe('k');
  });

  it('lets environment variables override the file', async () => {
    const store = await createFileSecretStore(file, {});
    await store.set('hubApiKey', 'from-file');
    const env = {
      RECAPITO_HUB_API_KEY: 'from-env',
      RECAPITO_SFTP_PASSWORD: 'pw-env',
      RECAPITO_SFTP_PRIVATE_KEY: 'pk-env',
      RECAPITO_SFTP_PASSPHRASE: '',
    };
    const withEnv = await createFileSecretStore(file, env);
    expect(withEnv.get('hubApiKey')).toBe('from-env');
    expect(withEnv.sourceOf('hubApiKey')).toBe('env');
    expect(withEnv.get('sftpPassword')).toBe('pw-env');
    expect(withEnv.get('sftpPrivateKey')).toBe('pk-env');
    expect(withEnv.get('sftpPassphrase')).toBeNull(); // an empty variable does not count
    delete (env as Record<string, string>).RECAPITO_HUB_API_KEY;
    expect(withEnv.get('hubApiKey')).toBe('from-file');
  });

  it('refuses unknown names, empty values and a malformed file with clear reasons', async () => {
    const store = await createFileSecretStore(file, {});
    expect(() => store.get('apiKey' as SecretName)).toThrow(/Unknown secret name "apiKey"/);
    await expect(store.set('hubApiKey', '  ')).rejects.toThrow(/empty/);

    await fs.writeFile(file, '{"version": 1, "secrets": {"hubApiKey": 42}}', { mode: 0o600 });
    await expect(createFileSecretStore(file, {})).rejects.toThrow(/hubApiKey .* is not a string/);
    await fs.writeFile(file, '{"version": 1, "secrets": {"hubApiKey": "k",}}', { mode: 0o600 });
    await expect(createFileSecretStore(file, {})).rejects.toThrow(/not valid JSON: Line 1, column/);
    await fs.writeFile(file, '{"hubApiKey": "k"}', { mode: 0o600 });
    await expect(createFileSecretStore(file, {})).rejects.toThrow(/expected format/);
  });

  it('leaves the stored value unchanged when the write fails', async () => {
    const store = await createFileSecretStore(file, {});
    await store.set('hubApiKey', 'old');
    await fs.rm(file);
    await fs.mkdir(path.join(file, 'blocker'), { recursive: true }); // the file path is now a non-empty folder
    await expect(store.set('hubApiKey', 'new')).rejects.toThrow();
    expect(store.get('hubApiKey')).toBe('old');
  });
});
