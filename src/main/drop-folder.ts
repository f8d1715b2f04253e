// Which folder "Open drop folder" opens: the first watched folder of the named profile, or of the
// first profile that has one. Pure; the shell hands the answer to shell.openPath.
import type { Settings } from '../core/config/settings-schema.ts';
import type { OpenDropFolderResult } from '../contract/bridge.ts';

export function dropFolderFor(settings: Pick<Settings, 'profiles'>, profileId: string | null): OpenDropFolderResult {
  if (profileId !== null) {
    const profile = settings.profiles.find((p) => p.id === profileId);
    if (!profile) return { ok: false, reason: `There is no profile "${profileId}".` };
    const folder = profile.folders[0];
    return folder ? { ok: true, path: folder.path } : { ok: false, reason: `The profile "${profileId}" watches no folder.` };
  }
  for (const profile of settings.profiles) {
    const folder = profile.folders[0];
    if (folder) return { ok: true, path: folder.path };
  }
  return { ok: false, reason: 'No watched folder is configured yet; add one to a profile in the settings.' };
}
