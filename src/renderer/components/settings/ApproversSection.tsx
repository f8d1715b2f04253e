// "Approvers" on the settings page (docs/approval.md): the people who approve or refuse documents of
// profiles that send by hand, each with a name, an optional OS account and a PIN. Once one exists,
// adding or removing one is confirmed by a registered approver with their PIN.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApproverView } from '../../../contract/approval.ts';
import type { ApiClient } from '../../api/client.ts';
import { ApiError } from '../../api/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDateTime, formatLocale } from '../../ui/format.ts';
import { describeError } from '../ErrorNote.tsx';
import { approvalErrorText } from '../DecisionDialog.tsx';
import { Field } from './Field.tsx';

export function ApproversSection({ api }: { api: ApiClient }) {
  const { t, language } = useI18n();
  const a = t.approval;
  const locale = formatLocale(language);
  const [approvers, setApprovers] = useState<ApproverView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [name, setName] = useState('');
  const [osUser, setOsUser] = useState('');
  const [pin, setPin] = useState('');
  const [pinAgain, setPinAgain] = useState('');
  const [byName, setByName] = useState('');
  const [byPin, setByPin] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);

  const explain = useCallback(
    (failure: unknown) => (failure instanceof ApiError ? approvalErrorText(t, failure.code, failure.message) : describeError(t, failure)),
    [t],
  );
  const load = useCallback(
    (signal?: AbortSignal) =>
      api.approvers(signal).then(
        (list) => setApprovers(list),
        (failure: unknown) => {
          if (!signal?.aborted) setError(explain(failure));
        },
      ),
    [api, explain],
  );
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal); // failures are shown by load itself
    return () => controller.abort();
  }, [load]);

  const needsVoucher = (approvers?.length ?? 0) > 0;
  const run = (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setNote(null);
    work().then(
      (done) => {
        setBusy(false);
        setNote(done);
        setPin('');
        setPinAgain('');
        setByPin('');
        void load();
      },
      (failure: unknown) => {
        setBusy(false);
        setByPin('');
        setError(explain(failure));
      },
    );
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (pin !== pinAgain) {
      setError(a.pinsDiffer);
      return;
    }
    run(async () => {
      const added = await api.addApprover({
        name,
        pin,
        osUser: osUser.trim() || null,
        ...(needsVoucher ? { by: { approver: byName, pin: byPin } } : {}),
      });
      setName('');
      setOsUser('');
      return a.added(added.name);
    });
  };

  const remove = (event: FormEvent) => {
    event.preventDefault();
    const target = removing;
    if (!target) return;
    run(async () => {
      await api.removeApprover(target, { approver: byName, pin: byPin });
      setRemoving(null);
      return a.removed(target);
    });
  };

  const voucherFields = (
    <fieldset className="voucher">
      <legend>{a.vouch}</legend>
      <div className="field-grid">
        <Field label={a.vouchName}>
          {(wiring) => (
            <input {...wiring} type="text" autoComplete="off" required value={byName} onChange={(e) => setByName(e.target.value)} data-testid="vouch-name" />
          )}
        </Field>
        <Field label={a.vouchPin}>
          {(wiring) => (
            <input {...wiring} type="password" autoComplete="off" required value={byPin} onChange={(e) => setByPin(e.target.value)} data-testid="vouch-pin" />
          )}
        </Field>
      </div>
    </fieldset>
  );

  return (
    <section className="settings-card" aria-labelledby="settings-approvers-title" data-testid="approvers">
      <h3 id="settings-approvers-title">{a.approversTitle}</h3>
      <p className="muted section-note">{a.approversIntro}</p>
      {approvers && approvers.length === 0 ? <p className="muted">{a.noApprovers}</p> : null}
      <ul className="approver-list">
        {(approvers ?? []).map((approver) => (
          <li key={approver.name} data-testid="approver" data-name={approver.name}>
            <strong>{approver.name}</strong>
            {approver.osUser ? <span className="muted"> · {`${a.osUser} ${approver.osUser}`}</span> : null}
            {approver.lockedUntil ? <span className="tone-text-problem"> · {`${a.lockedUntil} ${formatDateTime(approver.lockedUntil, locale)}`}</span> : null}
            <button type="button" className="danger small" disabled={busy} onClick={() => setRemoving(approver.name)}>
              {a.remove}
            </button>
          </li>
        ))}
      </ul>

      {removing ? (
        <form onSubmit={remove} data-testid="remove-approver">
          <h4>{a.removeTitle(removing)}</h4>
          {voucherFields}
          <div className="section-actions">
            <button type="button" onClick={() => setRemoving(null)} disabled={busy}>
              {a.cancel}
            </button>
            <button type="submit" className="danger" disabled={busy}>
              {a.remove}
            </button>
          </div>
        </form>
      ) : (
        <form onSubmit={add} data-testid="add-approver">
          <h4>{a.addApprover}</h4>
          <div className="field-grid">
            <Field label={a.newName}>
              {(wiring) => (
                <input
                  {...wiring}
                  type="text"
                  autoComplete="off"
                  required
                  maxLength={80}
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  data-testid="approver-name"
                />
              )}
            </Field>
            <Field label={a.newOsUser} help={a.newOsUserHelp}>
              {(wiring) => (
                <input
                  {...wiring}
                  type="text"
                  autoComplete="off"
                  maxLength={256}
                  value={osUser}
                  onChange={(e) => setOsUser(e.target.value)}
                  data-testid="approver-os-user"
                />
              )}
            </Field>
            <Field label={a.newPin}>
              {(wiring) => (
                <input
                  {...wiring}
                  type="password"
                  autoComplete="new-password"
                  required
                  minLength={4}
                  maxLength={32}
                  value={pin}
                  onChange={(e) => setPin(e.target.value)}
                  data-testid="approver-pin"
                />
              )}
            </Field>
            <Field label={a.newPinRepeat}>
              {(wiring) => (
                <input
                  {...wiring}
                  type="password"
                  autoComplete="new-password"
                  required
                  maxLength={32}
                  value={pinAgain}
                  onChange={(e) => setPinAgain(e.target.value)}
                  data-testid="approver-pin-again"
                />
              )}
            </Field>
          </div>
          {needsVoucher ? voucherFields : null}
          <div className="section-actions">
            <button type="submit" className="primary" disabled={busy} data-testid="approver-add">
              {a.addApprover}
            </button>
          </div>
        </form>
      )}
      {error ? (
        <p className="error-note" role="alert" data-testid="approvers-error">
          {error}
        </p>
      ) : null}
      {note ? (
        <p className="saved-note" role="status" data-testid="approvers-note">
          {note}
        </p>
      ) : null}
    </section>
  );
}
