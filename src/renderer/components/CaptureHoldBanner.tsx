// Capture stopped because the data folder's disk is full: why new files are not being taken, that
// they wait where they are, and that capture resumes by itself once there is room
// (docs/design-decisions.md, "Faults and full disks").
import type { AgentStatus } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Language } from '../i18n/language.ts';
import { formatDateTime, formatLocale } from '../ui/format.ts';

interface CaptureHoldMessages {
  title: string;
  help: string;
  since: string;
}

const MESSAGES: Record<Language, CaptureHoldMessages> = {
  it: {
    title: 'Disco pieno: acquisizione ferma',
    help: "I file restano nelle cartelle e la stampante risponde «occupata». Liberate spazio sul disco della cartella dati: l'acquisizione riprende da sola.",
    since: 'dal',
  },
  en: {
    title: 'Disk full: capture stopped',
    help: 'Files stay in their folders and the printer answers "busy". Free space on the data folder\'s disk: capture resumes by itself.',
    since: 'since',
  },
};

export function CaptureHoldBanner({ hold }: { hold: NonNullable<AgentStatus['captureHold']> }) {
  const { language } = useI18n();
  const t = MESSAGES[language];
  return (
    <section className="hold-banner hold-other" role="status" data-testid="capture-hold-banner" data-hold={hold.code}>
      <div className="hold-text">
        <h2>{t.title}</h2>
        <p>{t.help}</p>
        <p className="hold-reason">
          {hold.reason} · {t.since} {formatDateTime(hold.since, formatLocale(language))}
        </p>
      </div>
    </section>
  );
}
