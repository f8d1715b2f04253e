// A small amber "⚠ 2 avvisi" beside a document whose checks passed with warnings.
import { useI18n } from '../i18n/i18n.tsx';

export function WarningsMarker({ count }: { count: number }) {
  const { t } = useI18n();
  if (count <= 0) return null;
  return (
    <span className="warnings-marker" data-testid="warnings-marker" title={t.invoice.warningsTitle}>
      <span aria-hidden="true">⚠ </span>
      {t.invoice.warnings(count)}
    </span>
  );
}
