// The safeStorage secret store on real files, with a fake safeStorage whose encryption is a
// reversible transform bound to a key (so a wrong key really fails), and its refusals.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretStoreError, knownSecretValues } from '../../src/core/config/secret-store.ts';
import {
  SAFE_SECRETS_FILE_NAME,
  SecretStoreUnavailableError,
  createSafeStorageSecretStore,
  type SafeStorageLike,
} from '../../src/main/safe-storage-secret-store.ts';
import { describeStartupError } from '../../src/main/startup-error.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/** Encrypts by XOR with a key and a "v<version>:" prefix, as Chromium prefixes its ciphertexts. */
class FakeSafeStorage implements SafeStorageLike {
  backend: Backend = 'gnome_libsecret';
  available = true;
  key: number;
  version = 1;
  encryptions = 0;

  constructor(key = 0x5a) {
    this.key = key;
  }
  getSelectedStorageBackend(): Backend {
    return this.backend;
  }
  async isAsyncEncryptionAvailable(): Promise<boolean> {
    return this.available;
  }
  async encryptStringAsync(plainText: string): Promise<Buffer> {
    this.encryptions += 1;
    const body = Buffer.from(plainText, 'utf8').map((byte) => byte ^ this.key);
    return Buffer.concat([Buffer.from(`v${this.version}:${this.key}:`), body]);
  }
  async decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    const match = /^v(\d+):(\d+):/.exec(encrypted.subarray(0, 16).toString('latin1'));
    if (!match || Number(match[2]) !== this.key) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const body = encrypted.subarray(match[0].length).map((byte) => byte ^ this.key);
    return { result: Buffer.from(body).toString('utf8'), shouldReEncrypt: Number(match[1]) < this.version };
  }
}

let dir: string;
let cleanup: () => Promise<void>;
let file: string;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  file = join(dir, SAFE_SECRETS_FILE_NAME);
});
afterEach(async () => cleanup());

describe('safeStorage secret store', () => {
  it('round-trips secrets through an encrypted file that never holds them in clear', async () => {
    const safe = new FakeSafeStorage();
    const store = await createSafeStorageSecretStore(file, safe, { platform: 'linux', env: {} });
    expect(store.get('hubApiKey')).toBeNull();
    await store.set('hubApiKey', 'rk_live_0123456789abcdef');
    await store.set('sftpPassword', 'pässwörd ✓');
    expect(store.get('hubApiKey')).toBe('rk_live_0123456789abcdef');

    const text = await fs.readFile(file, 'utf8');
    expect(text).not.toContain('rk_live_0123456789abcdef');
    expect(text).not.toContain('pässwörd');
    const content = JSON.parse(text) as { version: number; encryption: string; secrets: Record<string, string> };
    expect(content.version).toBe(1);
    expect(content.encryption).toBe('electron-safeStorage');
    expect(Object.keys(content.secrets).sort()).toEqual(['hubApiKey', 'sftpPassword']);
    if (process.platform !== 'win32') expect((await fs.stat(file)).mode & 0o777).toBe(0o600);

    // A new process (a restart) reads them back through the OS.
    const reopened = await createSafeStorageSecretStore(file, safe, { platform: 'linux', env: {} });
    expect(reopened.get('hubApiKey')).toBe('rk_live_0123456789abcdef');
    expect(reopened.get('sftpPassword')).toBe('pässwörd ✓');
    expect(reopened.sourceOf('hubApiKey')).toBe('file');
    expect(knownSecretValues(reopened).sort()).toEqual(['pässwörd ✓', 'rk_live_0123456789abcdef']);

    await reopened.delete('sftpPassword');
    const again = await createSafeStorageSecretStore(file, safe, { platform: 'linux', env: {} });
    expect(again.get('sftpPassword')).toBeNull();
    expect(again.get('hubApiKey')).toBe('rk_live_0123456789abcdef');
  });

  it('lets an environment variable override the stored value, as the headless store does', async () => {
    const store = await createSafeStorageSecretStore(file, new FakeSafeStorage(), { platform: 'darwin', env: { RECAPITO_HUB_API_KEY: 'from-env' } });
    await store.set('hubApiKey', 'stored');
    expect(store.get('hubApiKey')).toBe('from-env');
    expect(store.sourceOf('hubApiKey')).toBe('env');
  });

  it('refuses empty values and unknown names', async () => {
    const store = await createSafeStorageSecretStore(file, new FakeSafeStorage(), { platform: 'win32', env: {} });
    await expect(store.set('hubApiKey', '  ')).rejects.toThrow(/empty/);
    expect(() => store.get('apiKey' as never)).toThrow(/Unknown secret name/);
  });

  it('serializes quick writes so none is lost', async () => {
    const store = await createSafeStorageSecretStore(file, new FakeSafeStorage(), { platform: 'linux', env: {} });
    await Promise.all([store.set('hubApiKey', 'a'), store.set('sftpPassword', 'b'), store.set('sftpPassphrase', 'c')]);
    const reopened = await createSafeStorageSecretStore(file, new FakeSafeStorage(), { platform: 'linux', env: {} });
    expect([reopened.get('hubApiKey'), reopened.get('sftpPassword'), reopened.get('sftpPassphrase')]).toEqual(['a', 'b', 'c']);
  });

  it('re-encrypts everything when the OS says the key was rotated', async () => {
    const safe = new FakeSafeStorage();
    await (await createSafeStorageSecretStore(file, safe, { platform: 'linux', env: {} })).set('hubApiKey', 'k1');
    const before = await fs.readFile(file, 'utf8');
    safe.version = 2;
    const store = await createSafeStorageSecretStore(file, safe, { platform: 'linux', env: {} });
    expect(store.get('hubApiKey')).toBe('k1');
    const after = await fs.readFile(file, 'utf8');
    expect(after).not.toBe(before);
    expect(Buffer.from((JSON.parse(after) as { secrets: { hubApiKey: string } }).secrets.hubApiKey, 'base64').toString('latin1')).toMatch(/^v2:/);
  });
});

describe('refusals', () => {
  it('refuses the Linux basic_text fallback, pointing to a keyring or the headless mode', async () => {
    const safe = new FakeSafeStorage();
    safe.backend = 'basic_text';
    const error = await createSafeStorageSecretStore(file, safe, { platform: 'linux', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreUnavailableError);
    expect((error as SecretStoreUnavailableError).code).toBe('basic_text');
    expect((error as Error).message).toMatch(/basic_text/);
    expect((error as Error).message).toMatch(/keyring/);
    expect((error as Error).message).toMatch(/recapito serve/);
    expect((error as Error).message).toMatch(/chmod 600/);
    // Nothing was written.
    await expect(fs.access(file)).rejects.toThrow();
  });

  it('ignores the Linux backend name on other systems (it is Linux-only)', async () => {
    const safe = new FakeSafeStorage();
    safe.backend = 'basic_text';
    await expect(createSafeStorageSecretStore(file, safe, { platform: 'darwin', env: {} })).resolves.toBeDefined();
  });

  it('refuses when the OS cannot encrypt (locked keyring)', async () => {
    const safe = new FakeSafeStorage();
    safe.available = false;
    const error = await createSafeStorageSecretStore(file, safe, { platform: 'win32', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreUnavailableError);
    expect((error as SecretStoreUnavailableError).code).toBe('encryption_unavailable');
    expect((error as Error).message).toMatch(/not available/);
  });

  it('refuses to be opened before the app is ready (backend still unknown)', async () => {
    const safe = new FakeSafeStorage();
    safe.backend = 'unknown';
    await expect(createSafeStorageSecretStore(file, safe, { platform: 'linux', env: {} })).rejects.toThrow(/before the app was ready/);
  });

  it('says clearly when secrets were encrypted under another key', async () => {
    await (await createSafeStorageSecretStore(file, new FakeSafeStorage(0x11), { platform: 'linux', env: {} })).set('hubApiKey', 'k');
    const error = await createSafeStorageSecretStore(file, new FakeSafeStorage(0x22), { platform: 'linux', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreUnavailableError);
    expect((error as SecretStoreUnavailableError).code).toBe('cannot_decrypt');
    expect((error as Error).message).toMatch(/Cannot decrypt the secret hubApiKey/);
  });

  it('rejects a damaged or foreign file with its name', async () => {
    await fs.writeFile(file, '{"version":1,"secrets":{"hubApiKey":"abc"}}');
    await expect(createSafeStorageSecretStore(file, new FakeSafeStorage(), { platform: 'linux', env: {} })).rejects.toThrow(/not in the expected format/);
    await fs.writeFile(file, '{"version":1,"encryption":"electron-safeStorage","secrets":{"hubApiKey":"not base64!"}}');
    await expect(createSafeStorageSecretStore(file, new FakeSafeStorage(), { platform: 'linux', env: {} })).rejects.toThrow(/not base64/);
    await fs.writeFile(file, '{"version":1,"encryption":"electron-safeStorage","secrets":{"password":"AAAA"}}');
    await expect(createSafeStorageSecretStore(file, new FakeSafeStorage(), { platform: 'linux', env: {} })).rejects.toThrow(SecretStoreError);
    await fs.writeFile(file, '{ broken');
    await expect(createSafeStorageSecretStore(file, new FakeSafeStorage(), { platform: 'linux', env: {} })).rejects.toThrow(/not valid JSON/);
  });
});

describe('describeStartupError', () => {
  it("explains a missing keyring in the user's language, then gives the technical reason", () => {
    const error = new SecretStoreUnavailableError('basic_text', 'Refusing to keep secrets: basic_text');
    const it = describeStartupError(error, 'it');
    expect(it.title).toBe('Recapito non può partire');
    expect(it.message).toMatch(/^Recapito non trova un portachiavi/);
    expect(it.message).toMatch(/Refusing to keep secrets: basic_text$/);
    expect(describeStartupError(error, 'en').message).toMatch(/^Recapito finds no system keyring/);
  });

  it('points to another agent when the local API port is taken', () => {
    const busy = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:7420'), { code: 'EADDRINUSE' });
    const text = describeStartupError(busy, 'en');
    expect(text.message).toMatch(/^Recapito could not start the agent\./);
    expect(text.message).toMatch(/recapito serve/);
  });
});
