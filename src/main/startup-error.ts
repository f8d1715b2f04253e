// The text of the dialog shown when the agent cannot start: a localized sentence saying what to do,
// then the technical reason (English, as in the log) for whoever helps the user.
import { isErrnoException } from '../core/config/config-store.ts';
import { stringsFor, type Locale } from './i18n.ts';
import { SecretStoreUnavailableError } from './safe-storage-secret-store.ts';

export interface StartupErrorText {
  title: string;
  message: string;
}

export function describeStartupError(error: unknown, locale: Locale, productName?: string): StartupErrorText {
  const text = stringsFor(locale, productName).dialogs;
  const detail = technicalDetail(error);
  const noKeyring = error instanceof SecretStoreUnavailableError && (error.code === 'basic_text' || error.code === 'encryption_unavailable');
  return { title: text.startupFailedTitle, message: `${noKeyring ? text.noKeyringIntro : text.startupFailedIntro}\n\n${detail}` };
}

function technicalDetail(error: unknown): string {
  if (isErrnoException(error) && error.code === 'EADDRINUSE') {
    return `${error.message}. Another program, perhaps a headless Recapito ("recapito serve"), already uses the local API port; stop it or set api.port in config.json.`;
  }
  return error instanceof Error ? error.message : String(error);
}
