// "Support bundle" on the settings page (docs/support-bundle.md): downloads the ZIP the helpdesk asks
// for (GET /support-bundle) and says what it holds and what it never holds.
import { useState } from 'react';
import type { ApiClient } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { saveBlob } from '../../ui/save-blob.ts';
import { ErrorNote } from '../ErrorNote.tsx';

export function SupportBundleSection({ api }: { api: ApiClient }) {
  const s = useI18n().t.supportBundle;
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const download = () => {
    setBusy(true);
    setSaved(null);
    setError(null);
    api.downloadSupportBundle().then(
      (file) => {
        saveBlob(file.blob, file.name);
        setSaved(file.name);
        setBusy(false);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };

  return (
    <section className="settings-card" aria-labelledby="settings-support-bundle-title" data-testid="support-bundle">
      <h3 id="settings-support-bundle-title">{s.title}</h3>
      <p className="muted section-note">{s.intro}</p>
      <p className="muted section-note">{s.never}</p>
      <button type="button" onClick={download} disabled={busy} data-testid="support-bundle-download">
        {busy ? s.making : s.download}
      </button>
      {saved ? (
        <p className="saved-note" role="status" data-testid="support-bundle-saved">
          {s.saved} {saved}
        </p>
      ) : null}
      {error ? <ErrorNote error={error} /> : null}
    </section>
  );
}
