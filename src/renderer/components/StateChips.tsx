// How many documents are in each state, as filter chips. Only states that have documents are shown
// (and the selected one), so the row stays short.
import type { DocumentState } from '../../contract/states.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatLocale, formatNumber } from '../ui/format.ts';
import { STATE_ORDER, STATE_TONE } from '../ui/states.ts';

interface StateChipsProps {
  counts: Partial<Record<DocumentState, number>>;
  selected: DocumentState | null;
  onSelect: (state: DocumentState | null) => void;
}

export function StateChips({ counts, selected, onSelect }: StateChipsProps) {
  const { t, language } = useI18n();
  const locale = formatLocale(language);
  const total = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  const visible = STATE_ORDER.filter((state) => (counts[state] ?? 0) > 0 || state === selected);
  return (
    <div className="chips" role="group" aria-label={t.filterTitle}>
      <button type="button" className={`chip ${selected === null ? 'selected' : ''}`} aria-pressed={selected === null} onClick={() => onSelect(null)}>
        {t.filterAll} <span className="chip-count">{formatNumber(total, locale)}</span>
      </button>
      {visible.map((state) => (
        <button
          key={state}
          type="button"
          data-state={state}
          className={`chip chip-${STATE_TONE[state]} ${selected === state ? 'selected' : ''}`}
          aria-pressed={selected === state}
          onClick={() => onSelect(selected === state ? null : state)}
        >
          {t.stateFilter[state]} <span className="chip-count">{formatNumber(counts[state] ?? 0, locale)}</span>
        </button>
      ))}
    </div>
  );
}
