// The desktop secret store: the same SecretStore as the headless one, but every value is encrypted
// by the OS through Electron's safeStorage (Keychain on macOS, DPAPI on Windows, the Secret Service
// or KWallet on Linux) before it is written to `secrets.safe.json` in the data folder.
// On Linux without a keyring Electron falls back to "basic_text" (a hard-coded password: plain text
// in disguise); that, or encryption being unavailable, is refused with a way out.
import { promises as fs } from 'node:fs';
import type { SafeStorage } from 'electron';
import { isErrnoException, parseJson, writeFileAtomic } from '../core/config/config-store.ts';
import {
  SECRET_ENV_VARS,
  SECRET_NAMES,
  SecretStoreError,
  isSecretName,
  persistedSecretStore,
  type FileSecretStore,
  type SecretName,
} from '../core/config/secret-store.ts';

export const SAFE_SECRETS_FILE_NAME = 'secrets.safe.json';

/** What the store needs from Electron's safeStorage (tests pass a fake). */
export type SafeStorageLike = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

export type SecretStoreRefusal = 'basic_text' | 'backend_unknown' | 'encryption_unavailable' | 'cannot_decrypt';

/** The OS cannot keep our secrets safely; `code` lets the shell explain it in the user's language. */
export class SecretStoreUnavailableError extends SecretStoreError {
  readonly code: SecretStoreRefusal;

  constructor(code: SecretStoreRefusal, message: string) {
    super(message);
    this.name = 'SecretStoreUnavailableError';
    this.code = code;
  }
}

const HEADLESS_WAY_OUT =
  'Unlock or install a keyring (GNOME Keyring or KWallet, reached through the Secret Service) and start Recapito again, ' +
  'or run the agent headless ("recapito serve") with the secrets in the data folder\'s secrets.json readable only by you (chmod 600) ' +
  `or in environment variables such as ${SECRET_ENV_VARS.hubApiKey}.`;

interface SafeSecretsFile {
  version: 1;
  encryption: 'electron-safeStorage';
  /** Base64 of the bytes safeStorage produced for each secret. */
  secrets: Partial<Record<SecretName, string>>;
}

export interface SafeStorageSecretStoreOptions {
  platform?: NodeJS.Platform;
  /** Environment variables override stored values, as in the headless store. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the encrypted secrets file (created on the first `set`). Call after the app's `ready`
 * event: before it, safeStorage cannot tell which backend it uses. Decrypts everything once;
 * `get` answers from memory.
 */
export async function createSafeStorageSecretStore(
  file: string,
  safeStorage: SafeStorageLike,
  options: SafeStorageSecretStoreOptions = {},
): Promise<FileSecretStore> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  await assertSafeStorageUsable(safeStorage, platform);

  const loaded = await readEncryptedFile(file, safeStorage);
  const store = persistedSecretStore(loaded.secrets, (next) => writeEncryptedFile(file, next, safeStorage), env);
  // The OS rotated its key or now offers a stronger one: store the values again under it.
  if (loaded.shouldReEncrypt) await store.rewrite();
  return store;
}

/** Throws SecretStoreUnavailableError unless the OS can really encrypt our secrets. */
async function assertSafeStorageUsable(safeStorage: SafeStorageLike, platform: NodeJS.Platform): Promise<void> {
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text') {
      throw new SecretStoreUnavailableError(
        'basic_text',
        'Refusing to keep secrets: Electron found no system keyring on this Linux desktop and would fall back to "basic_text", ' +
          `which encrypts with a fixed, publicly known password (as good as plain text). ${HEADLESS_WAY_OUT}`,
      );
    }
    if (backend === 'unknown') {
      throw new SecretStoreUnavailableError(
        'backend_unknown',
        'The secret store was opened before the app was ready, so the Linux keyring is not known yet; open it after app.whenReady().',
      );
    }
  }
  let available: boolean;
  try {
    available = await safeStorage.isAsyncEncryptionAvailable();
  } catch (error) {
    throw new SecretStoreUnavailableError(
      'encryption_unavailable',
      `Refusing to keep secrets: the OS secret storage failed to start (${describe(error)}). ${HEADLESS_WAY_OUT}`,
    );
  }
  if (!available) {
    throw new SecretStoreUnavailableError(
      'encryption_unavailable',
      `Refusing to keep secrets: the operating system's secret storage is not available (on Linux the keyring may be locked or missing). ${HEADLESS_WAY_OUT}`,
    );
  }
}

async function readEncryptedFile(file: string, safeStorage: SafeStorageLike): Promise<{ secrets: Map<SecretName, string>; shouldReEncrypt: boolean }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return { secrets: new Map(), shouldReEncrypt: false };
    throw new SecretStoreError(`Cannot read the encrypted secrets file ${file}: ${isErrnoException(error) ? error.code : String(error)}.`);
  }
  const encrypted = decodeFile(file, text);
  const secrets = new Map<SecretName, string>();
  let shouldReEncrypt = false;
  for (const [name, bytes] of encrypted) {
    try {
      const decrypted = await safeStorage.decryptStringAsync(bytes);
      secrets.set(name, decrypted.result);
      shouldReEncrypt ||= decrypted.shouldReEncrypt;
    } catch (error) {
      throw new SecretStoreUnavailableError(
        'cannot_decrypt',
        `Cannot decrypt the secret ${name} in ${file} (${describe(error)}): it was encrypted by another user account, another computer or a keyring ` +
          'that is now locked or was reset. Unlock the keyring and start again; if the keyring was reset, delete the file and enter the secrets again.',
      );
    }
  }
  return { secrets, shouldReEncrypt };
}

function decodeFile(file: string, text: string): Map<SecretName, Buffer> {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new SecretStoreError(`The encrypted secrets file ${file} is not valid JSON: ${parsed.message}`);
  const content = parsed.value as Partial<SafeSecretsFile> | null;
  if (typeof content !== 'object' || content === null || content.version !== 1 || content.encryption !== 'electron-safeStorage') {
    throw new SecretStoreError(
      `The encrypted secrets file ${file} is not in the expected format ({"version": 1, "encryption": "electron-safeStorage", "secrets": {...}}).`,
    );
  }
  const secrets = content.secrets;
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets))
    throw new SecretStoreError(`The encrypted secrets file ${file} has no "secrets" object.`);
  const map = new Map<SecretName, Buffer>();
  for (const [name, value] of Object.entries(secrets)) {
    if (!isSecretName(name))
      throw new SecretStoreError(`The encrypted secrets file ${file} names an unknown secret "${name}"; known names are ${SECRET_NAMES.join(', ')}.`);
    if (typeof value !== 'string' || value === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
      throw new SecretStoreError(`The secret ${name} in ${file} is not base64 text as Recapito writes it; the file was damaged or edited.`);
    }
    map.set(name, Buffer.from(value, 'base64'));
  }
  return map;
}

async function writeEncryptedFile(file: string, secrets: Map<SecretName, string>, safeStorage: SafeStorageLike): Promise<void> {
  const encrypted: Partial<Record<SecretName, string>> = {};
  for (const [name, value] of secrets) {
    try {
      encrypted[name] = (await safeStorage.encryptStringAsync(value)).toString('base64');
    } catch (error) {
      throw new SecretStoreUnavailableError('encryption_unavailable', `Cannot encrypt the secret ${name}: ${describe(error)}. ${HEADLESS_WAY_OUT}`);
    }
  }
  const content: SafeSecretsFile = { version: 1, encryption: 'electron-safeStorage', secrets: encrypted };
  await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
