// A document state as a coloured pill with its human label.
import type { DocumentState } from '../../contract/states.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { STATE_TONE } from '../ui/states.ts';

export function StateBadge({ state }: { state: DocumentState }) {
  const { t } = useI18n();
  return (
    <span className={`badge tone-${STATE_TONE[state]}`} data-state={state}>
      {t.state[state]}
    </span>
  );
}
