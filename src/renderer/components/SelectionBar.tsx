// The documents selected in the list (those awaiting approval): approve or refuse them all at once.
import { useI18n } from '../i18n/i18n.tsx';

interface SelectionBarProps {
  count: number;
  onApprove: () => void;
  onRefuse: () => void;
  onClear: () => void;
}

export function SelectionBar({ count, onApprove, onRefuse, onClear }: SelectionBarProps) {
  const a = useI18n().t.approval;
  return (
    <div className="selection-bar" role="region" aria-label={a.selected(count)} data-testid="selection-bar">
      <span className="selection-count">{a.selected(count)}</span>
      <button type="button" className="primary" onClick={onApprove} data-testid="bulk-approve">
        {a.approve}
      </button>
      <button type="button" className="danger" onClick={onRefuse} data-testid="bulk-refuse">
        {a.refuse}
      </button>
      <button type="button" className="link" onClick={onClear}>
        {a.clearSelection}
      </button>
    </div>
  );
}
