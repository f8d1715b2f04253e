// The texts of the UI in the chosen language, available to every component through useI18n().
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { it, type Messages } from './messages-it.ts';
import { en } from './messages-en.ts';
import { initialLanguage, rememberLanguage, type Language } from './language.ts';
import { rebrand } from '../../contract/branding.ts';
import { useBranding } from '../branding/branding.tsx';

const MESSAGES: Record<Language, Messages> = { it, en };

export interface I18n {
  language: Language;
  t: Messages;
  setLanguage: (language: Language) => void;
}

const I18nContext = createContext<I18n>({ language: 'it', t: it, setLanguage: () => undefined });

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() => initialLanguage(localStorageOrNull(), navigator.languages ?? [navigator.language]));
  const setLanguage = useCallback((next: Language) => {
    rememberLanguage(localStorageOrNull(), next);
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  // A reseller's product name wherever the texts say Recapito (docs/white-label.md).
  const { productName } = useBranding();
  const value = useMemo<I18n>(() => ({ language, t: rebrand(MESSAGES[language], productName), setLanguage }), [language, productName, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
