// Approve or refuse one document or many (docs/approval.md): a refusal asks its reason; with dual
// control (any of the documents' profiles) the approver's name and PIN are required, otherwise
// they are optional. One request for all of them; each document's outcome is shown when any failed.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api/client.ts';
import type { DecisionOutcome } from '../../contract/approval.ts';
import { ApiError } from '../api/api-error.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { describeError } from './ErrorNote.tsx';
import type { Messages } from '../i18n/messages-it.ts';
import { Field } from './settings/Field.tsx';
import { useDialogFocus } from '../hooks/use-dialog-focus.ts';
import { focusDocumentRow } from './DocumentTable.tsx';

export type Decision = 'approve' | 'refuse';

interface DecisionDialogProps {
  api: ApiClient;
  decision: Decision;
  /** The documents, with their names and profiles. */
  documents: readonly { id: string; name: string; profile: string }[];
  /** The last approver name typed, to fill in again. */
  approverName: string;
  onApproverName: (name: string) => void;
  onClose: () => void;
  /** Some documents changed: refresh the list. */
  onDone: () => void;
}

/** An approval error in the reader's language, with the agent's own sentence after it when it says more. */
export function approvalErrorText(t: Messages, code: string, message: string): string {
  const known = t.approval.error[code];
  return known ? (code === 'self_approval' || code === 'approver_locked' ? `${known} (${message})` : known) : message;
}

export function DecisionDialog({ api, decision, documents, approverName, onApproverName, onClose, onDone }: DecisionDialogProps) {
  const { t } = useI18n();
  const a = t.approval;
  const [dualControl, setDualControl] = useState(false);
  const [reason, setReason] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [failures, setFailures] = useState<DecisionOutcome[] | null>(null);
  const [succeeded, setSucceeded] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    const profiles = new Set(documents.map((d) => d.profile));
    api.config(controller.signal).then(
      (view) => setDualControl(view.settings.profiles.some((p) => profiles.has(p.id) && p.dualControl)),
      () => undefined, // without the settings, the fields stay optional and the agent decides
    );
    return () => controller.abort();
  }, [api, documents]);

  // Focus inside while open, Escape closes only this dialog (not the detail panel behind), the focus
  // back on Approva / Rifiuta afterwards, or on the list when the selection's bar went with them.
  const dialog = useRef<HTMLDivElement>(null);
  useDialogFocus(dialog, { onEscape: busy ? null : onClose, fallback: () => requestAnimationFrame(() => focusDocumentRow(null)) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const name = approverName.trim();
    const credentials = name ? { approver: name, ...(pin ? { pin } : {}) } : {};
    const ids = documents.map((d) => d.id);
    const request = decision === 'approve' ? api.approve(ids, credentials) : api.refuse(ids, reason, credentials);
    request.then(
      (outcomes) => {
        setBusy(false);
        setPin('');
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length < outcomes.length) onDone();
        if (failed.length === 0) onClose();
        else {
          setSucceeded(outcomes.length - failed.length);
          setFailures(failed);
        }
      },
      (failure: unknown) => {
        setBusy(false);
        setPin('');
        setError(failure instanceof ApiError ? approvalErrorText(t, failure.code, failure.message) : describeError(t, failure));
      },
    );
  };

  const title = decision === 'approve' ? a.approveTitle(documents.length) : a.refuseTitle(documents.length);
  const nameOf = (id: string) => documents.find((d) => d.id === id)?.name ?? id;
  return (
    <div className="modal-backdrop">
      <div
        ref={dialog}
        tabIndex={-1}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="decision-title"
        data-testid="decision-dialog"
        data-decision={decision}
      >
        <h2 id="decision-title">{title}</h2>
        {documents.length <= 5 ? (
          <ul className="decision-documents">
            {documents.map((d) => (
              <li key={d.id}>{d.name}</li>
            ))}
          </ul>
        ) : null}
        {failures ? (
          <>
            <p data-testid="decision-summary">{a.done(succeeded, failures.length)}</p>
            <ul className="decision-failures" data-testid="decision-failures">
              {failures.map((f) => (
                <li key={f.id} className="error-note">
                  <strong>{nameOf(f.id)}</strong>: {f.ok ? '' : approvalErrorText(t, f.code, f.message)}
                </li>
              ))}
            </ul>
            <div className="modal-actions">
              <button type="button" onClick={onClose}>
                {a.close}
              </button>
            </div>
          </>
        ) : (
          <form onSubmit={submit}>
            {dualControl ? <p className="muted section-note">{a.dualControlNote}</p> : null}
            {decision === 'refuse' ? (
              <Field wide label={a.reason} help={a.reasonHelp}>
                {(wiring) => (
                  <textarea
                    {...wiring}
                    required
                    maxLength={500}
                    rows={2}
                    value={reason}
                    onChange={(e) => setReason(e.target.value)}
                    data-testid="decision-reason"
                  />
                )}
              </Field>
            ) : null}
            <div className="field-grid">
              <Field label={a.approver} {...(dualControl ? {} : { help: a.approverHelp })}>
                {(wiring) => (
                  <input
                    {...wiring}
                    type="text"
                    autoComplete="off"
                    required={dualControl}
                    maxLength={80}
                    value={approverName}
                    onChange={(e) => onApproverName(e.target.value)}
                    data-testid="decision-approver"
                  />
                )}
              </Field>
              <Field label={a.pin}>
                {(wiring) => (
                  <input
                    {...wiring}
                    type="password"
                    autoComplete="off"
                    required={dualControl}
                    maxLength={32}
                    value={pin}
                    onChange={(e) => setPin(e.target.value)}
                    data-testid="decision-pin"
                  />
                )}
              </Field>
            </div>
            {error ? (
              <p className="error-note" role="alert" data-testid="decision-error">
                {error}
              </p>
            ) : null}
            <div className="modal-actions">
              <button type="button" onClick={onClose} disabled={busy}>
                {a.cancel}
              </button>
              <button type="submit" className={decision === 'approve' ? 'primary' : 'danger'} disabled={busy} data-testid="decision-confirm">
                {busy ? a.working : decision === 'approve' ? a.confirmApprove : a.confirmRefuse}
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
