// Shown when the page has no API token (or a wrong one): where to find it, and a field to paste it.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { SupportFooter } from './SupportFooter.tsx';

export function TokenScreen({ rejected, onToken }: { rejected: boolean; onToken: (token: string) => void }) {
  const { t } = useI18n();
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = value.trim();
    if (token) onToken(token);
  };
  return (
    <main className="token-screen">
      <div className="token-card">
        <div className="token-card-head">
          <h1>{t.appTitle}</h1>
          <LanguageSwitch />
        </div>
        <h2>{t.tokenTitle}</h2>
        {rejected ? (
          <p className="error-note" role="alert">
            {t.tokenInvalid}
          </p>
        ) : null}
        <p>{t.tokenIntro}</p>
        <ol>
          <li>{t.tokenWhereUrl}</li>
          <li>{t.tokenWhereFile}</li>
        </ol>
        <form className="token-form" onSubmit={submit}>
          <label htmlFor="token-input">{t.tokenField}</label>
          <input id="token-input" type="password" autoComplete="off" spellCheck={false} value={value} onChange={(event) => setValue(event.target.value)} />
          <button type="submit" className="primary">
            {t.tokenSubmit}
          </button>
        </form>
        <SupportFooter version={null} onlyWithContact />
      </div>
    </main>
  );
}
