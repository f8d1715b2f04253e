// The support bundle's facts when no agent runs on a data folder (`recapito support-bundle` with the
// agent stopped, or one that will not start): everything is read, nothing is written, locked or
// migrated. The settings file is copied as it is (a broken one is what the helpdesk needs to see),
// the store is opened read-only, and the secrets file and API token are read only to know which
// values to remove from the bundle.
import { lstat, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dataPaths } from '../config/data-dir.ts';
import { SECRET_ENV_VARS } from '../config/secret-store.ts';
import { SUPPORT_BUNDLE_LIMITS, readSnapshotOrReason, type BundleFacts, type FolderState, type SupportBundleLimits } from './support-bundle.ts';

/** The desktop app's secrets, encrypted by the OS (src/main/safe-storage-secret-store.ts). */
const DESKTOP_SECRETS_FILE = 'secrets.safe.json';

export interface OfflineOptions {
  agentVersion: string;
  limits?: SupportBundleLimits;
  env?: NodeJS.ProcessEnv;
  now?: Date;
  /** Why the bundle is made offline, for the manifest (e.g. "no agent runs on this data folder"). */
  reason?: string;
}

export async function collectOfflineFacts(dataDir: string, options: OfflineOptions): Promise<BundleFacts> {
  const paths = dataPaths(dataDir);
  const limits = options.limits ?? SUPPORT_BUNDLE_LIMITS;
  const env = options.env ?? process.env;
  const notes: string[] = [`agent not running: ${options.reason ?? 'made from the data folder, read-only'}`];

  const settingsText = await readFile(paths.config, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    notes.push(`the settings file could not be read: ${error.code ?? error.message}`);
    return null;
  });

  const snapshot = readSnapshotOrReason(paths.db, limits.events);

  const secrets = await knownSecrets(dataDir, env, notes);

  return {
    mode: 'offline',
    dataDir,
    logsDir: paths.logs,
    agentVersion: options.agentVersion,
    createdAt: options.now ?? new Date(),
    settings:
      settingsText === null
        ? { missing: existsSync(paths.config) ? 'the settings file could not be read' : 'no settings file: the agent runs on its defaults' }
        : { text: settingsText, source: `${paths.config}, as it is on disk` },
    status: null,
    statusNote: 'agent not running: the hub, printer and service checks are known only to a running agent',
    snapshot,
    folders: await folderStates(settingsText),
    secrets,
    notes,
    electronVersion: process.versions['electron'] ?? null,
  };
}

/**
 * The values to remove: the headless secrets file (read as it is, even with loose permissions:
 * only to scrub), the environment's overrides and the API token. The desktop's secrets are
 * encrypted by the OS and cannot be read here: the bundle still removes fields named like a secret.
 */
async function knownSecrets(dataDir: string, env: NodeJS.ProcessEnv, notes: string[]): Promise<string[]> {
  const paths = dataPaths(dataDir);
  const values: string[] = [];
  for (const name of Object.values(SECRET_ENV_VARS)) {
    const value = env[name];
    if (value) values.push(value);
  }
  try {
    const parsed = JSON.parse(await readFile(paths.secrets, 'utf8')) as { secrets?: unknown };
    const stored = parsed.secrets;
    if (stored && typeof stored === 'object') values.push(...Object.values(stored).filter((v): v is string => typeof v === 'string' && v !== ''));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      notes.push('the secrets file could not be read to know what to remove: secrets are removed by name only');
  }
  const token = (await readFile(paths.apiToken, 'utf8').catch(() => '')).trim();
  if (token) values.push(token);
  if (existsSync(join(dataDir, DESKTOP_SECRETS_FILE))) {
    notes.push("the desktop app's secrets are encrypted by the OS and cannot be read here: they are removed by name, and the logger never writes them");
  }
  return values;
}

/** Each configured folder as it is now: nobody watches it while the agent is stopped. */
async function folderStates(settingsText: string | null): Promise<FolderState[]> {
  const states: FolderState[] = [];
  for (const { profile, folder } of configuredFolders(settingsText)) {
    try {
      const stats = await lstat(folder);
      states.push({
        profile,
        folder,
        state: stats.isDirectory() ? 'present (not watched: agent not running)' : stats.isSymbolicLink() ? 'a symbolic link' : 'not a folder',
        error: null,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      states.push({ profile, folder, state: code === 'ENOENT' ? 'missing' : 'error', error: code });
    }
  }
  return states;
}

/** The profiles' folders, read loosely: a settings file the agent refuses still names them. */
function configuredFolders(settingsText: string | null): { profile: string; folder: string }[] {
  if (settingsText === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(settingsText.replace(/^\uFEFF/, ''));
  } catch {
    return [];
  }
  const profiles = (parsed as { profiles?: unknown }).profiles;
  if (!Array.isArray(profiles)) return [];
  const found: { profile: string; folder: string }[] = [];
  for (const profile of profiles as { id?: unknown; folders?: unknown }[]) {
    if (!Array.isArray(profile?.folders)) continue;
    for (const folder of profile.folders as { path?: unknown }[]) {
      if (typeof folder?.path === 'string') found.push({ profile: typeof profile.id === 'string' ? profile.id : '', folder: folder.path });
    }
  }
  return found;
}
