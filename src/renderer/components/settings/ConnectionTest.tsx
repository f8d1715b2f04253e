// "Test connection" (POST /hub/test) on the saved settings: each stage in order with its outcome
// and the agent's message, up to the first that failed.
import { useState } from 'react';
import type { ConnectionTestResult } from '../../../contract/settings.ts';
import type { ApiClient } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { ErrorNote } from '../ErrorNote.tsx';

interface ConnectionTestProps {
  api: ApiClient;
  /** Why the test cannot run now (unsaved changes), or null. */
  blockedReason: string | null;
}

export function ConnectionTest({ api, blockedReason }: ConnectionTestProps) {
  const s = useI18n().t.settings;
  const [result, setResult] = useState<ConnectionTestResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = () => {
    setBusy(true);
    setResult(null);
    setError(null);
    api.testConnection().then(
      (answer) => {
        setResult(answer);
        setBusy(false);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };

  return (
    <div className="connection-test" data-testid="connection-test">
      <div className="connection-test-head">
        <button type="button" disabled={busy || blockedReason !== null} onClick={run}>
          {busy ? s.testing : s.testButton}
        </button>
        {blockedReason ? <span className="muted">{blockedReason}</span> : null}
        {result ? (
          <strong className={result.ok ? 'tone-text-ok' : 'tone-text-problem'} data-testid="test-outcome" data-ok={result.ok}>
            {result.ok ? s.testOk : s.testFailed}
          </strong>
        ) : null}
      </div>
      {result ? (
        <ol className="stages">
          {result.stages.map((stage) => (
            <li
              key={stage.stage}
              className={`stage ${stage.ok ? 'stage-ok' : 'stage-failed'}`}
              data-testid="test-stage"
              data-stage={stage.stage}
              data-ok={stage.ok}
            >
              <span className={`badge ${stage.ok ? 'tone-ok' : 'tone-problem'}`}>{stage.ok ? s.stageOk : s.stageFailed}</span>
              <span className="stage-label">{stageLabel(s.stage, stage.stage)}</span>
              <span className="stage-message">{stage.message}</span>
            </li>
          ))}
        </ol>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}

/** A stage a newer agent reports but this page does not know keeps its own name. */
function stageLabel(labels: Readonly<Record<string, string>>, stage: string): string {
  return labels[stage] ?? stage;
}
