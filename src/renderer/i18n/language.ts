// Which language the UI speaks: the person's explicit choice (kept in localStorage), else English
// when the browser asks for it, else Italian (docs/ui.md: Italian by default).
export type Language = 'it' | 'en';

export const LANGUAGES: readonly Language[] = ['it', 'en'];
const STORAGE_KEY = 'recapito.language';

function isLanguage(value: unknown): value is Language {
  return value === 'it' || value === 'en';
}

export function initialLanguage(storage: Pick<Storage, 'getItem'> | null, browserLanguages: readonly string[]): Language {
  const stored = safeGet(storage, STORAGE_KEY);
  if (isLanguage(stored)) return stored;
  for (const tag of browserLanguages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'it') return 'it';
    if (primary === 'en') return 'en';
  }
  return 'it';
}

export function rememberLanguage(storage: Pick<Storage, 'setItem'> | null, language: Language): void {
  try {
    storage?.setItem(STORAGE_KEY, language);
  } catch {
    // Storage may be disabled; the choice then lasts for this page only.
  }
}

function safeGet(storage: Pick<Storage, 'getItem'> | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
