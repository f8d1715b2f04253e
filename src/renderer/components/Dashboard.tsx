// The one page: header and hold banner, watched folders, uploads, state chips, search, the list and
// the detail panel, or instead of them the settings. Events from the live feed refresh what is on screen.
import { useCallback, useMemo, useRef, useState } from 'react';
import type { DocumentState } from '../../contract/states.ts';
import { createApiClient, type DateRange } from '../api/client.ts';
import { useEventFeed } from '../hooks/use-event-feed.ts';
import { useStatus } from '../hooks/use-status.ts';
import { useDocuments, type DocumentFilter } from '../hooks/use-documents.ts';
import { useDocument } from '../hooks/use-document.ts';
import { useUploads } from '../hooks/use-uploads.ts';
import { useFileDrop } from '../hooks/use-file-drop.ts';
import { useDebounced } from '../hooks/use-debounced.ts';
import { useRefresh } from '../hooks/use-refresh.ts';
import { TopBar } from './TopBar.tsx';
import { HoldBanner } from './HoldBanner.tsx';
import { CaptureHoldBanner } from './CaptureHoldBanner.tsx';
import { FolderList } from './FolderList.tsx';
import { StateChips } from './StateChips.tsx';
import { Toolbar } from './Toolbar.tsx';
import { DocumentTable, focusDocumentRow } from './DocumentTable.tsx';
import { DocumentPanel } from './DocumentPanel.tsx';
import { UploadResults } from './UploadResults.tsx';
import { DropOverlay } from './DropOverlay.tsx';
import { ErrorNote } from './ErrorNote.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { SupportFooter } from './SupportFooter.tsx';
import { EnrollCard } from './EnrollCard.tsx';
import { KeyExpiryBanner } from './KeyExpiryBanner.tsx';
import { DecisionDialog, type Decision } from './DecisionDialog.tsx';
import { SelectionBar } from './SelectionBar.tsx';
import type { DocumentSummary } from '../../contract/local-api.ts';

export function Dashboard({ token, onUnauthorized }: { token: string; onUnauthorized: () => void }) {
  const api = useMemo(() => createApiClient({ token, onUnauthorized }), [token, onUnauthorized]);
  const [refreshKey, refresh] = useRefresh();
  const feed = useEventFeed(api, refresh);
  const { status, error: statusError } = useStatus(api, refreshKey);

  const [stateFilter, setStateFilter] = useState<DocumentState | null>(null);
  const [query, setQuery] = useState('');
  const [profile, setProfile] = useState<string | null>(null);
  // Issue 16: a search shows its rows within 150 ms of the input; the pause only spares requests
  // for keys typed faster than that (a request in flight is cancelled by the next one).
  const q = useDebounced(query, 50);
  const [dates, setDates] = useState<DateRange>({ field: 'captured', from: '', to: '' });
  // A half-typed date is '' in a date input: only whole days reach the filter.
  const filter = useMemo<DocumentFilter>(
    () => ({ states: stateFilter ? [stateFilter] : [], profile, q, dates: dates.from || dates.to ? dates : null }),
    [stateFilter, profile, q, dates],
  );
  const list = useDocuments(api, filter, refreshKey);

  const [selectedId, setSelectedId] = useState<string | null>(null);
  const detail = useDocument(api, selectedId, refreshKey);
  // Closing the detail (Escape, ×) while the focus is in it puts the focus back on its row.
  const openId = useRef<string | null>(null);
  openId.current = selectedId;
  const closeDetail = useCallback(() => {
    const id = openId.current;
    const active = document.activeElement;
    const fromPanel = active === null || active === document.body || (document.querySelector('[data-testid="detail-panel"]')?.contains(active) ?? false);
    setSelectedId(null);
    if (id && fromPanel) requestAnimationFrame(() => focusDocumentRow(id));
  }, []);

  const [settingsOpen, setSettingsOpen] = useState(false);
  // Enrollment (docs/enrollment.md): the card is there while the HTTPS hub has no key, and when a
  // person asks to activate again; it stays open on its result until closed.
  const needsKey = status?.hub.transport === 'https' && status.hub.keySource === null;
  const [enrollOpen, setEnrollOpen] = useState(false);
  const openEnroll = useCallback(() => {
    setSettingsOpen(false);
    setEnrollOpen(true);
  }, []);
  const closeSettings = useCallback(() => setSettingsOpen(false), []);
  const uploads = useUploads(api, refresh);
  // No uploads by drag and drop while the settings are open: a dragged key file is not a document.
  const dragging = useFileDrop(uploads.upload, !settingsOpen);

  const [holdBusy, setHoldBusy] = useState(false);
  const [holdError, setHoldError] = useState<unknown>(null);
  const toggleHold = (pause: boolean) => {
    setHoldBusy(true);
    setHoldError(null);
    (pause ? api.pause() : api.resume()).then(
      () => {
        setHoldBusy(false);
        refresh();
      },
      (error: unknown) => {
        setHoldBusy(false);
        setHoldError(error);
      },
    );
  };

  // Manual approval: the rows selected, and the decision being asked for (docs/approval.md).
  const [selection, setSelection] = useState<ReadonlySet<string>>(new Set());
  const [deciding, setDeciding] = useState<{ decision: Decision; documents: Pick<DocumentSummary, 'id' | 'name' | 'profile'>[] } | null>(null);
  const [approverName, setApproverName] = useState('');
  const selectedDocuments = useMemo(() => list.documents.filter((d) => selection.has(d.id) && d.state === 'awaiting_approval'), [list.documents, selection]);
  const closeDecision = useCallback(() => setDeciding(null), []);
  const decided = useCallback(() => {
    setSelection(new Set());
    refresh();
  }, [refresh]);

  const currentStates = useMemo(() => new Map(list.documents.map((d) => [d.id, d.state])), [list.documents]);
  const profiles = useMemo(() => {
    const ids = new Set<string>(status?.watchers.map((w) => w.profile) ?? []);
    for (const document of list.documents) ids.add(document.profile);
    return [...ids].sort();
  }, [status, list.documents]);

  return (
    <div className="app">
      <TopBar
        status={status}
        feed={feed}
        busy={holdBusy}
        onPause={() => toggleHold(true)}
        settingsOpen={settingsOpen}
        onSettings={() => setSettingsOpen((open) => !open)}
        onAwaiting={() => {
          setSettingsOpen(false);
          setStateFilter('awaiting_approval');
        }}
      />
      {/* With no key at all, the activation card below says what to do, not "key not valid". */}
      {status?.hold && !(needsKey && status.hold.code === 'auth') ? (
        <HoldBanner
          hold={status.hold}
          paused={status.paused}
          transport={status.hub.transport}
          hub={status.hub}
          busy={holdBusy}
          api={api}
          onResume={() => toggleHold(false)}
          onEnroll={openEnroll}
        />
      ) : null}
      {status && !enrollOpen && status.hold?.code !== 'auth' ? <KeyExpiryBanner hub={status.hub} onEnroll={openEnroll} /> : null}
      {status && (needsKey || enrollOpen) ? (
        <EnrollCard
          api={api}
          hub={status.hub}
          again={!needsKey}
          onEnrolled={() => {
            // Keep the card on its result (the account, the companies) once the status has the key.
            setEnrollOpen(true);
            refresh();
          }}
          onClose={needsKey && !enrollOpen ? null : () => setEnrollOpen(false)}
        />
      ) : null}
      {status?.captureHold ? <CaptureHoldBanner hold={status.captureHold} /> : null}
      <div className="notices">
        <ErrorNote error={statusError} />
        <ErrorNote error={holdError} />
      </div>
      {settingsOpen ? <SettingsPanel api={api} onClose={closeSettings} onSaved={refresh} /> : null}
      <main className={`layout ${selectedId ? 'with-detail' : ''}`} hidden={settingsOpen}>
        <div className="main-column">
          {status ? <FolderList watchers={status.watchers} showProfile={profiles.length > 1} /> : null}
          <UploadResults uploads={uploads} currentStates={currentStates} onOpen={setSelectedId} />
          <StateChips counts={status?.counts ?? {}} selected={stateFilter} onSelect={setStateFilter} />
          <Toolbar
            query={query}
            onQuery={setQuery}
            profiles={profiles}
            profile={profile}
            onProfile={setProfile}
            onFiles={uploads.upload}
            dates={dates}
            onDates={setDates}
          />
          {selectedDocuments.length > 0 ? (
            <SelectionBar
              count={selectedDocuments.length}
              onApprove={() => setDeciding({ decision: 'approve', documents: selectedDocuments })}
              onRefuse={() => setDeciding({ decision: 'refuse', documents: selectedDocuments })}
              onClear={() => setSelection(new Set())}
            />
          ) : null}
          <DocumentTable
            selection={{ selected: selection, onChange: setSelection }}
            documents={list.documents}
            selectedId={selectedId}
            filtered={stateFilter !== null || profile !== null || q.trim() !== '' || filter.dates !== null}
            loading={list.loading}
            error={list.error}
            hasMore={list.nextCursor !== null}
            onOpen={setSelectedId}
            onLoadMore={list.loadMore}
          />
        </div>
        {selectedId ? (
          <DocumentPanel
            api={api}
            detail={detail.detail}
            error={detail.error}
            onClose={closeDetail}
            onOpen={setSelectedId}
            onChanged={refresh}
            onDecide={(decision, document) => setDeciding({ decision, documents: [document] })}
          />
        ) : null}
      </main>
      <SupportFooter version={status?.version ?? null} />
      <DropOverlay visible={dragging} />
      {deciding ? (
        <DecisionDialog
          api={api}
          decision={deciding.decision}
          documents={deciding.documents}
          approverName={approverName}
          onApproverName={setApproverName}
          onClose={closeDecision}
          onDone={decided}
        />
      ) : null}
    </div>
  );
}
