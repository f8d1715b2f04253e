// Search, the date range (capture or invoice date), the profile filter (when there are several profiles) and the upload button.
import { useRef } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { SEARCH_MESSAGES } from '../i18n/messages-search.ts';
import { DateRangeFilter } from './DateRangeFilter.tsx';
import { focusDocumentRow } from './DocumentTable.tsx';
import type { DateRange } from '../api/client.ts';

interface ToolbarProps {
  query: string;
  onQuery: (query: string) => void;
  profiles: string[];
  profile: string | null;
  onProfile: (profile: string | null) => void;
  onFiles: (files: File[]) => void;
  dates: DateRange;
  onDates: (dates: DateRange) => void;
}

export function Toolbar({ query, onQuery, profiles, profile, onProfile, onFiles, dates, onDates }: ToolbarProps) {
  const { t, language } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="toolbar">
      <label className="search">
        <span className="visually-hidden">{t.searchLabel}</span>
        <input
          type="search"
          placeholder={t.searchPlaceholder}
          aria-describedby="search-hint"
          aria-controls="document-list"
          value={query}
          onChange={(event) => onQuery(event.target.value)}
          onKeyDown={(event) => {
            // Down from the search box goes to the results (docs/ui.md, "Accessibility").
            if (event.key === 'ArrowDown' && focusDocumentRow(null)) event.preventDefault();
          }}
        />
        <span id="search-hint" className="visually-hidden">
          {SEARCH_MESSAGES[language].searchHint}
        </span>
      </label>
      <DateRangeFilter range={dates} onRange={onDates} />
      {profiles.length > 1 ? (
        <label className="profile-filter">
          <span>{t.profileLabel}</span>
          <select value={profile ?? ''} onChange={(event) => onProfile(event.target.value || null)}>
            <option value="">{t.allProfiles}</option>
            {profiles.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <div className="upload">
        <input
          ref={input}
          id="upload-input"
          data-testid="upload-input"
          className="visually-hidden"
          // Reached through the button beside it: no hidden tab stop, nothing unlabelled for a screen reader.
          tabIndex={-1}
          aria-hidden="true"
          type="file"
          multiple
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            event.target.value = ''; // the same file can be chosen again
            if (files.length > 0) onFiles(files);
          }}
        />
        <button type="button" className="primary" onClick={() => input.current?.click()}>
          {t.uploadButton}
        </button>
        <span className="muted upload-hint">{t.uploadHint}</span>
      </div>
    </div>
  );
}
