// Secrets (hub API key, SFTP credentials) never sit in the config file. Headless, they live in a
// JSON file only the user can read (0600) or come from environment variables; the Electron shell
// provides a safeStorage implementation of the same interface.
import { promises as fs } from 'node:fs';
import { isErrnoException, parseJson, writeFileAtomic } from './config-store.ts';

import { SECRET_NAMES, type SecretName } from '../../contract/secrets.ts';

export { SECRET_NAMES, type SecretName };

export interface SecretStore {
  get(name: SecretName): string | null;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
  /** Where the current value comes from, when the store can tell ('env': an environment variable wins over what is stored). */
  sourceOf?(name: SecretName): 'env' | 'file' | null;
}

/** Environment variables that override the stored value (for services and containers). */
export const SECRET_ENV_VARS: Readonly<Record<SecretName, string>> = {
  hubApiKey: 'RECAPITO_HUB_API_KEY',
  sftpPassword: 'RECAPITO_SFTP_PASSWORD',
  sftpPrivateKey: 'RECAPITO_SFTP_PRIVATE_KEY',
  sftpPassphrase: 'RECAPITO_SFTP_PASSPHRASE',
};

export interface FileSecretStore extends SecretStore {
  /** Where the current value comes from, for the UI ("set by the environment, cannot change here"). */
  sourceOf(name: SecretName): 'env' | 'file' | null;
}

export class SecretStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

export function isSecretName(name: unknown): name is SecretName {
  return typeof name === 'string' && (SECRET_NAMES as readonly string[]).includes(name);
}

/** Every secret value currently known: what the logger must never write. */
export function knownSecretValues(store: SecretStore): string[] {
  return SECRET_NAMES.map((name) => store.get(name)).filter((value): value is string => value !== null && value !== '');
}

/**
 * Opens (or, on first `set`, creates) the secrets file. Loads it once; `get` answers from memory.
 * Refuses a file that other users can read, as ssh does with private keys.
 */
export async function createFileSecretStore(file: string, env: NodeJS.ProcessEnv = process.env): Promise<FileSecretStore> {
  return persistedSecretStore(await readSecretsFile(file), (next) => writeSecretsFile(file, next), env);
}

/**
 * A secret store over a persisted map (the plain 0600 file here, the OS-encrypted file in the
 * desktop shell): environment variables override stored values, writes are serialized so two quick
 * `set`s cannot overwrite each other, and memory changes only once `persist` has succeeded.
 */
export function persistedSecretStore(
  initial: Map<SecretName, string>,
  persist: (next: Map<SecretName, string>) => Promise<void>,
  env: NodeJS.ProcessEnv,
): FileSecretStore & { rewrite(): Promise<void> } {
  let stored = initial;
  let queue: Promise<void> = Promise.resolve();

  function fromEnv(name: SecretName): string | null {
    const value = env[SECRET_ENV_VARS[name]];
    return value !== undefined && value !== '' ? value : null;
  }

  function update(change: (next: Map<SecretName, string>) => void): Promise<void> {
    const run = queue.then(async () => {
      const next = new Map(stored);
      change(next);
      await persist(next);
      stored = next; // only once the file holds it
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    get(name) {
      assertSecretName(name);
      return fromEnv(name) ?? stored.get(name) ?? null;
    },
    set(name, value) {
      assertSecretName(name);
      if (typeof value !== 'string' || value.trim() === '') {
        return Promise.reject(new SecretStoreError(`The value for ${name} is empty; to remove a secret, delete it instead.`));
      }
      return update((next) => next.set(name, value));
    },
    delete(name) {
      assertSecretName(name);
      return update((next) => next.delete(name));
    },
    sourceOf(name) {
      assertSecretName(name);
      if (fromEnv(name) !== null) return 'env';
      return stored.has(name) ? 'file' : null;
    },
    /** Writes the same values again (e.g. under a new encryption key). */
    rewrite() {
      return update(() => undefined);
    },
  };
}

function assertSecretName(name: unknown): asserts name is SecretName {
  if (!isSecretName(name)) {
    throw new SecretStoreError(`Unknown secret name ${JSON.stringify(name)}; known names are ${SECRET_NAMES.join(', ')}.`);
  }
}

interface SecretsFileContent {
  version: 1;
  secrets: Partial<Record<SecretName, string>>;
}

async function readSecretsFile(file: string): Promise<Map<SecretName, string>> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return new Map();
    throw new SecretStoreError(`Cannot open the secrets file ${file}: ${isErrnoException(error) ? error.code : String(error)}.`);
  }
  let text: string;
  try {
    // Check the file we actually opened, not whatever the path points to a moment later.
    checkPrivate(file, await handle.stat());
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  return decodeSecrets(file, text);
}

function checkPrivate(file: string, stat: { mode: number; uid: number; isFile(): boolean }): void {
  if (!stat.isFile()) throw new SecretStoreError(`The secrets file ${file} is not a regular file.`);
  // Windows has no POSIX modes; the file lives in the user's profile, which ACLs already protect.
  if (process.platform === 'win32') return;
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SecretStoreError(
      `Refusing to read the secrets file ${file}: its permissions (${mode.toString(8).padStart(4, '0')}) let other users read or change it. ` +
        `Run "chmod 600 ${file}" and start again.`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && stat.uid !== uid) {
    throw new SecretStoreError(`Refusing to read the secrets file ${file}: it belongs to another user (uid ${stat.uid}, the agent runs as ${uid}).`);
  }
}

function decodeSecrets(file: string, text: string): Map<SecretName, string> {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new SecretStoreError(`The secrets file ${file} is not valid JSON: ${parsed.message}`);
  const content = parsed.value;
  if (typeof content !== 'object' || content === null || (content as { version?: unknown }).version !== 1) {
    throw new SecretStoreError(`The secrets file ${file} is not in the expected format ({"version": 1, "secrets": {...}}).`);
  }
  const secrets = (content as { secrets?: unknown }).secrets;
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    throw new SecretStoreError(`The secrets file ${file} has no "secrets" object.`);
  }
  const map = new Map<SecretName, string>();
  for (const [name, value] of Object.entries(secrets)) {
    if (!isSecretName(name)) {
      throw new SecretStoreError(`The secrets file ${file} names an unknown secret "${name}"; known names are ${SECRET_NAMES.join(', ')}.`);
    }
    if (typeof value !== 'string') throw new SecretStoreError(`The secret ${name} in ${file} is not a string.`);
    map.set(name, value);
  }
  return map;
}

async function writeSecretsFile(file: string, secrets: Map<SecretName, string>): Promise<void> {
  const content: SecretsFileContent = { version: 1, secrets: Object.fromEntries(secrets) };
  await writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
}
