// The settings being edited: a copy of what GET /config returned, changed field by field, and what
// Save sends back (PUT /config takes the whole object). Pure functions, no React.
import { SECRET_NAMES } from '../../contract/secrets.ts';
import type { FolderSettingsData, ProfileSettingsData, SecretKey, SettingsData, SftpAuth, SftpSettingsData } from '../../contract/settings.ts';

export interface SettingsDraft {
  settings: SettingsData;
  /** Parallel to settings.profiles: the saved id of each profile, null for one added here (its id is still editable). */
  profileOrigins: (string | null)[];
}

export type SecretInputs = Record<SecretKey, string>;

export const EMPTY_SECRETS: SecretInputs = Object.fromEntries(SECRET_NAMES.map((name) => [name, ''])) as SecretInputs;

export function draftFrom(settings: SettingsData): SettingsDraft {
  return { settings: structuredClone(settings), profileOrigins: settings.profiles.map((p) => p.id) };
}

/**
 * A new SFTP server description. The tuning values are the schema's defaults
 * (docs/configuration.md), except polling: a person switching to SFTP wants answers promptly.
 */
export function newSftpSettings(): SftpSettingsData {
  return {
    host: '',
    port: 22,
    username: '',
    root: '.',
    hostKeyFingerprint: '',
    auth: 'key',
    connections: 2,
    pollSeconds: 5,
    keepaliveSeconds: 15,
    connectTimeoutSeconds: 15,
  };
}

export function newFolder(): FolderSettingsData {
  return { path: '', postAction: 'move', usePolling: false };
}

/** A new profile with a free id like "profilo-2", which the person can change before saving. */
export function newProfile(existing: readonly ProfileSettingsData[], baseId: string, baseName: string): ProfileSettingsData {
  const ids = new Set(existing.map((p) => p.id));
  let n = existing.length + 1;
  while (ids.has(`${baseId}-${n}`)) n += 1;
  return {
    id: `${baseId}-${n}`,
    name: `${baseName} ${n}`,
    hubCompanyId: null,
    folders: [newFolder()],
    returnFolder: null,
    sending: 'automatic',
    dualControl: false,
    printer: { enabled: true, queueName: null },
  };
}

/**
 * What Save sends: the draft, except that the fields of the transport not chosen go back to their
 * saved values, so half-typed fields of the other transport are neither validated nor stored.
 */
export function settingsToSave(draft: SettingsData, saved: SettingsData): SettingsData {
  const hub =
    draft.hub.transport === 'https'
      ? { ...draft.hub, sftp: saved.hub.sftp }
      : { ...draft.hub, url: saved.hub.url, caFile: saved.hub.caFile, companyId: saved.hub.companyId };
  return { ...draft, hub };
}

export function settingsChanged(draft: SettingsData, saved: SettingsData): boolean {
  return JSON.stringify(settingsToSave(draft, saved)) !== JSON.stringify(saved);
}

/** The secrets that matter for the chosen transport and authentication, only those typed in. */
export function secretsToSend(inputs: SecretInputs, settings: SettingsData): Partial<SecretInputs> {
  const relevant: SecretKey[] =
    settings.hub.transport === 'https' ? ['hubApiKey'] : sftpAuth(settings) === 'password' ? ['sftpPassword'] : ['sftpPrivateKey', 'sftpPassphrase'];
  const out: Partial<SecretInputs> = {};
  for (const key of relevant) {
    // A private key keeps its line breaks; only the ends are trimmed (the API trims too).
    const value = inputs[key].trim();
    if (value) out[key] = value;
  }
  return out;
}

function sftpAuth(settings: SettingsData): SftpAuth {
  return settings.hub.sftp?.auth ?? 'key';
}

/** An optional text field: empty means "not set" (null), as the settings file spells it. */
export function optionalText(value: string): string | null {
  return value.trim() === '' ? null : value;
}

/** A whole number typed in a field; anything else stays NaN, which the API refuses naming the field. */
export function wholeNumberFrom(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}
