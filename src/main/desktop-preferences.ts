// Preferences of the desktop shell only (start at login, notifications, the last event already
// notified), kept in `desktop.json` next to config.json: the agent's settings file is strict and
// shared with the headless mode, which has no tray.
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { isErrnoException, parseJson, writeFileAtomic } from '../core/config/config-store.ts';

export const DESKTOP_PREFERENCES_FILE_NAME = 'desktop.json';

const preferencesSchema = z.object({
  version: z.literal(1).default(1),
  startAtLogin: z.boolean().default(true),
  notifications: z.boolean().default(true),
  /** Events up to here were already considered for notifications. */
  lastNotifiedSeq: z.number().int().min(0).nullable().default(null),
  /** The last key-expiry notification shown (the key's expiry and the stage, docs/enrollment.md): each once. */
  keyExpiryNotified: z.string().max(200).nullable().default(null),
});

export type DesktopPreferences = z.infer<typeof preferencesSchema>;

export interface LoadedPreferences {
  preferences: DesktopPreferences;
  /** No file yet: the first start of the desktop app on this data folder. */
  firstRun: boolean;
  /** Why the file was ignored, when it was unreadable or invalid (the defaults are used instead). */
  problem: string | null;
}

export function defaultPreferences(): DesktopPreferences {
  return preferencesSchema.parse({});
}

/** Never throws for a bad file: the tray must start anyway, with defaults and a logged reason. */
export async function loadDesktopPreferences(file: string): Promise<LoadedPreferences> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return { preferences: defaultPreferences(), firstRun: true, problem: null };
    return { preferences: defaultPreferences(), firstRun: false, problem: `cannot read ${file}: ${isErrnoException(error) ? error.code : String(error)}` };
  }
  const json = parseJson(text);
  if (!json.ok) return { preferences: defaultPreferences(), firstRun: false, problem: `${file} is not valid JSON: ${json.message}` };
  const parsed = preferencesSchema.safeParse(json.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      preferences: defaultPreferences(),
      firstRun: false,
      problem: `${file} is not valid (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unexpected content'})`,
    };
  }
  return { preferences: parsed.data, firstRun: false, problem: null };
}

async function saveDesktopPreferences(file: string, preferences: DesktopPreferences): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(preferencesSchema.parse(preferences), null, 2)}\n`);
}

/** The preferences in memory, saved on every change; saves never overlap. */
export class DesktopPreferencesStore {
  private readonly file: string;
  private current: DesktopPreferences;
  private queue: Promise<void> = Promise.resolve();

  constructor(file: string, initial: DesktopPreferences) {
    this.file = file;
    this.current = initial;
  }

  get(): DesktopPreferences {
    return { ...this.current };
  }

  update(patch: Partial<DesktopPreferences>): Promise<void> {
    this.current = { ...this.current, ...patch };
    const snapshot = this.get();
    const run = this.queue.then(() => saveDesktopPreferences(this.file, snapshot));
    this.queue = run.catch(() => undefined);
    return run;
  }
}
