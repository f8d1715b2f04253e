// IT | EN: the choice is remembered in this browser.
import { useI18n } from '../i18n/i18n.tsx';
import { LANGUAGES } from '../i18n/language.ts';

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <div className="language-switch" role="group" aria-label={t.languageLabel}>
      {LANGUAGES.map((option) => (
        <button
          key={option}
          type="button"
          className={option === language ? 'active' : ''}
          aria-pressed={option === language}
          onClick={() => setLanguage(option)}
        >
          {option.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
