// The API's refusals of a settings save, by field: a 400 `invalid_config` names each refused field
// by its path (`hub.sftp.port`, `profiles[0].folders[1].path`), so each message can sit next to
// its field. Paths the panel has no field for are listed together instead.
import type { SettingsData, SettingsFieldError } from '../../contract/settings.ts';
import { ApiError } from '../api/api-error.ts';

export type FieldErrors = ReadonlyMap<string, readonly string[]>;

export const NO_FIELD_ERRORS: FieldErrors = new Map();

/** The field errors of an `invalid_config` refusal, or null for any other failure. */
export function fieldErrorsOf(error: unknown): FieldErrors | null {
  if (!(error instanceof ApiError) || error.code !== 'invalid_config') return null;
  const list = (error.details as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(list)) return null;
  const byPath = new Map<string, string[]>();
  for (const item of list as Partial<SettingsFieldError>[]) {
    if (typeof item?.path !== 'string' || typeof item.message !== 'string') continue;
    byPath.set(item.path, [...(byPath.get(item.path) ?? []), item.message]);
  }
  return byPath;
}

export function withoutField(errors: FieldErrors, path: string): FieldErrors {
  if (!errors.has(path)) return errors;
  const next = new Map(errors);
  next.delete(path);
  return next;
}

/** Every path the panel shows a field for, given what is on screen now. */
function shownFieldPaths(settings: SettingsData): Set<string> {
  const paths = new Set(['hub.transport', 'hub.sftp']);
  if (settings.hub.transport === 'https') {
    for (const field of ['url', 'caFile', 'companyId']) paths.add(`hub.${field}`);
  } else {
    for (const field of ['host', 'port', 'username', 'root', 'hostKeyFingerprint', 'auth', 'pollSeconds']) paths.add(`hub.sftp.${field}`);
  }
  settings.profiles.forEach((profile, p) => {
    for (const field of ['id', 'name', 'folders']) paths.add(`profiles[${p}].${field}`);
    profile.folders.forEach((_, f) => {
      for (const field of ['path', 'postAction', 'usePolling']) paths.add(`profiles[${p}].folders[${f}].${field}`);
    });
  });
  return paths;
}

/** The errors no field on screen can show, as `path: message` lines. */
export function unplacedErrors(errors: FieldErrors, settings: SettingsData): string[] {
  const shown = shownFieldPaths(settings);
  return [...errors].filter(([path]) => !shown.has(path)).flatMap(([path, messages]) => messages.map((m) => `${path}: ${m}`));
}
