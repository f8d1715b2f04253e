// The watched folders and whether each is being watched; a missing folder is shown as a problem.
import type { AgentStatus } from '../../contract/local-api.ts';
import { useI18n } from '../i18n/i18n.tsx';

const TONE = { watching: 'ok', missing: 'problem', error: 'problem' } as const;

export function FolderList({ watchers, showProfile }: { watchers: AgentStatus['watchers']; showProfile: boolean }) {
  const { t } = useI18n();
  return (
    <section className="folders" aria-labelledby="folders-title">
      <h2 id="folders-title">{t.foldersTitle}</h2>
      {watchers.length === 0 ? <p className="muted">{t.noFolders}</p> : null}
      <ul>
        {watchers.map((watcher) => (
          <li key={`${watcher.profile}\u0000${watcher.folder}`} className={`folder folder-${watcher.state}`} data-testid="folder" data-state={watcher.state}>
            <span className={`dot tone-${TONE[watcher.state]}`} aria-hidden="true" />
            <span className="folder-path" title={watcher.folder}>
              {watcher.folder}
            </span>
            {showProfile ? (
              <span className="muted">
                {t.profileLabel} {watcher.profile}
              </span>
            ) : null}
            <span className={`folder-state tone-text-${TONE[watcher.state]}`}>{t.folderState[watcher.state]}</span>
            {watcher.error ? <span className="folder-error">{watcher.error}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
