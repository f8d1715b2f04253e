// Shown while files are dragged over the page.
import { useI18n } from '../i18n/i18n.tsx';

export function DropOverlay({ visible }: { visible: boolean }) {
  const { t } = useI18n();
  if (!visible) return null;
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-target">{t.dropHere}</div>
    </div>
  );
}
