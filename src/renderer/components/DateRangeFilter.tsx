// The list's date range (issue 17): by capture date or by invoice date, from–to, each end optional.
// Days are the reader's calendar days; the API client turns capture days into instants.
import { useI18n } from '../i18n/i18n.tsx';
import { SEARCH_MESSAGES } from '../i18n/messages-search.ts';
import type { DateRange } from '../api/client.ts';

interface DateRangeFilterProps {
  range: DateRange;
  onRange: (range: DateRange) => void;
}

export function DateRangeFilter({ range, onRange }: DateRangeFilterProps) {
  const { language } = useI18n();
  const m = SEARCH_MESSAGES[language];
  const set = (patch: Partial<DateRange>) => onRange({ ...range, ...patch });
  return (
    <fieldset className="date-range" data-testid="date-range">
      <legend className="visually-hidden">{m.dateRange}</legend>
      <label>
        <span className="visually-hidden">{m.dateField}</span>
        <select value={range.field} onChange={(event) => set({ field: event.target.value === 'invoice' ? 'invoice' : 'captured' })}>
          <option value="captured">{m.captureDate}</option>
          <option value="invoice">{m.invoiceDate}</option>
        </select>
      </label>
      <label>
        <span>{m.from}</span>
        <input type="date" value={range.from} max={range.to || undefined} onChange={(event) => set({ from: event.target.value })} />
      </label>
      <label>
        <span>{m.to}</span>
        <input type="date" value={range.to} min={range.from || undefined} onChange={(event) => set({ to: event.target.value })} />
      </label>
      {range.from || range.to ? (
        <button type="button" className="link" onClick={() => set({ from: '', to: '' })}>
          {m.clearDates}
        </button>
      ) : null}
    </fieldset>
  );
}
