// The settings page, opened from the header: hub connection and credentials, connection test,
// profiles and watched folders. Save sends the new credentials (PUT /credentials), then the whole
// settings object (PUT /config); refused fields show their message next to them.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SecretKey, SettingsData, SettingsView } from '../../../contract/settings.ts';
import type { ApiClient } from '../../api/client.ts';
import { ApiError } from '../../api/api-error.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSettings } from '../../hooks/use-settings.ts';
import { EMPTY_SECRETS, draftFrom, secretsToSend, settingsChanged, settingsToSave, type SecretInputs, type SettingsDraft } from '../../settings/draft.ts';
import { NO_FIELD_ERRORS, fieldErrorsOf, unplacedErrors, withoutField, type FieldErrors } from '../../settings/field-errors.ts';
import { ErrorNote, describeError } from '../ErrorNote.tsx';
import { HubSettings, type HubEdit } from './HubSettings.tsx';
import { SecretFields } from './SecretFields.tsx';
import { ConnectionTest } from './ConnectionTest.tsx';
import { ProfileSettings, type DraftRestructure, type SettingsEdit } from './ProfileSettings.tsx';
import { PreflightSettings } from './PreflightSettings.tsx';
import { SupportBundleSection } from './SupportBundleSection.tsx';
import { ApproversSection } from './ApproversSection.tsx';

interface SettingsPanelProps {
  api: ApiClient;
  onClose: () => void;
  /** The agent now runs with new settings: refresh what the dashboard shows. */
  onSaved: () => void;
}

export function SettingsPanel({ api, onClose, onSaved }: SettingsPanelProps) {
  const s = useI18n().t.settings;
  const { view, error, reload } = useSettings(api);
  return (
    <main className="settings-page" data-testid="settings-panel">
      <div className="settings-head">
        <h2>{s.title}</h2>
        <button type="button" onClick={onClose}>
          {s.back}
        </button>
      </div>
      {view ? (
        <SettingsEditor api={api} view={view} reload={reload} onSaved={onSaved} />
      ) : error ? (
        <ErrorNote error={error} />
      ) : (
        <p className="muted">{s.loading}</p>
      )}
      <ApproversSection api={api} />
      <SupportBundleSection api={api} />
    </main>
  );
}

function keepRefusal(outcome: Outcome | null): Outcome | null {
  return outcome?.kind === 'invalid' ? outcome : null;
}

type Outcome =
  | { kind: 'saved'; settings: boolean; credentials: boolean; restartRequired: string[] }
  | { kind: 'invalid'; credentials: boolean }
  | { kind: 'failed'; error: unknown; credentials: boolean };

interface SettingsEditorProps {
  api: ApiClient;
  view: SettingsView;
  reload: () => Promise<SettingsView | null>;
  onSaved: () => void;
}

function SettingsEditor({ api, view, reload, onSaved }: SettingsEditorProps) {
  const s = useI18n().t.settings;
  const [saved, setSaved] = useState<SettingsData>(view.settings);
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(view.settings));
  const [secrets, setSecrets] = useState<SecretInputs>(EMPTY_SECRETS);
  const [errors, setErrors] = useState<FieldErrors>(NO_FIELD_ERRORS);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  // A new connection test result belongs to new settings: the test remounts after each save.
  const [savedVersion, setSavedVersion] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  const editable = view.editable;
  const pendingSecrets = useMemo(() => secretsToSend(secrets, draft.settings), [secrets, draft.settings]);
  const dirty = settingsChanged(draft.settings, saved) || Object.keys(pendingSecrets).length > 0;

  // An edit makes the last save's outcome old news (the footer then says what is unsaved); a
  // refusal stays while any of its field errors is still on screen.
  const edit: SettingsEdit = useCallback((path, recipe) => {
    setDraft((d) => ({ ...d, settings: recipe(d.settings) }));
    setErrors((e) => withoutField(e, path));
    setOutcome(keepRefusal);
  }, []);
  const editHub: HubEdit = useCallback((path, recipe) => edit(path, (settings) => ({ ...settings, hub: recipe(settings.hub) })), [edit]);
  const restructure: DraftRestructure = useCallback((recipe) => {
    setDraft(recipe);
    setErrors(NO_FIELD_ERRORS);
    setOutcome(null);
  }, []);
  const setSecret = useCallback((key: SecretKey, value: string) => {
    setSecrets((current) => ({ ...current, [key]: value }));
    setOutcome(keepRefusal);
  }, []);

  // After a refusal, bring the first refused field into view.
  useEffect(() => {
    if (errors.size > 0) formRef.current?.querySelector('.field-invalid, .field-errors')?.scrollIntoView({ block: 'center' });
  }, [errors]);

  const save = async () => {
    setBusy(true);
    setOutcome(null);
    let credentials = false;
    try {
      if (Object.keys(pendingSecrets).length > 0) {
        await api.setCredentials(pendingSecrets);
        credentials = true;
        setSecrets(EMPTY_SECRETS);
      }
      const changed = settingsChanged(draft.settings, saved);
      let restartRequired: string[] = [];
      if (changed) {
        const answer = await api.saveConfig(settingsToSave(draft.settings, saved));
        restartRequired = answer.restartRequired;
        setSaved(answer.settings);
        setDraft(draftFrom(answer.settings));
      }
      setErrors(NO_FIELD_ERRORS);
      setOutcome({ kind: 'saved', settings: changed, credentials, restartRequired });
      setSavedVersion((n) => n + 1);
      onSaved();
    } catch (failure) {
      const fieldErrors = fieldErrorsOf(failure);
      if (fieldErrors) {
        setErrors(fieldErrors);
        setOutcome({ kind: 'invalid', credentials });
      } else {
        setOutcome({ kind: 'failed', error: failure, credentials });
      }
    } finally {
      // Which secrets are set now (and the settings as the agent holds them).
      await reload();
      setBusy(false);
    }
  };

  const unplaced = unplacedErrors(errors, draft.settings);
  const shownOutcome = outcome?.kind === 'invalid' && errors.size === 0 ? null : outcome;

  return (
    <form
      ref={formRef}
      className="settings-form"
      onSubmit={(event) => {
        event.preventDefault();
        // save never rejects: it shows its failure, and reload() answers null on one.
        if (editable && dirty && !busy) void save();
      }}
    >
      {!editable ? (
        <section className="settings-readonly" role="note" data-testid="settings-readonly">
          <h3>{s.readOnlyTitle}</h3>
          <p>{s.readOnlyHelp}</p>
        </section>
      ) : null}

      <fieldset className="settings-fields" disabled={!editable || busy}>
        <section className="settings-card" aria-labelledby="settings-hub-title">
          <h3 id="settings-hub-title">{s.hubTitle}</h3>
          <p className="muted section-note">{s.hubIntro}</p>
          <HubSettings hub={draft.settings.hub} errors={errors} onEdit={editHub} />
          <SecretFields hub={draft.settings.hub} presence={view.secrets} inputs={secrets} onInput={setSecret} />
        </section>
      </fieldset>

      <section className="settings-card" aria-labelledby="settings-test-title">
        <h3 id="settings-test-title">{s.testTitle}</h3>
        <p className="muted section-note">{s.testIntro}</p>
        <ConnectionTest key={savedVersion} api={api} blockedReason={dirty ? s.testSaveFirst : null} />
      </section>

      <fieldset className="settings-fields" disabled={!editable || busy}>
        <section className="settings-card" aria-labelledby="settings-profiles-title">
          <h3 id="settings-profiles-title">{s.profilesTitle}</h3>
          <p className="muted section-note">{s.profilesIntro}</p>
          <ProfileSettings draft={draft} errors={errors} onEdit={edit} onRestructure={restructure} />
        </section>
      </fieldset>

      <fieldset className="settings-fields" disabled={!editable || busy}>
        <section className="settings-card" aria-labelledby="settings-checks-title">
          <h3 id="settings-checks-title">{s.checksTitle}</h3>
          <p className="muted section-note">{s.checksIntro}</p>
          <PreflightSettings
            value={draft.settings.intake.preflight}
            errors={errors}
            onChange={(preflight) => edit('intake.preflight', (settings) => ({ ...settings, intake: { ...settings.intake, preflight } }))}
          />
        </section>
      </fieldset>

      {editable ? (
        <div className="settings-footer">
          <SaveOutcome outcome={shownOutcome} dirty={dirty} unplaced={unplaced} />
          <button type="submit" className="primary" disabled={!dirty || busy} data-testid="settings-save">
            {busy ? s.saving : s.save}
          </button>
        </div>
      ) : null}
    </form>
  );
}

function SaveOutcome({ outcome, dirty, unplaced }: { outcome: Outcome | null; dirty: boolean; unplaced: string[] }) {
  const { t } = useI18n();
  const s = t.settings;
  const credentialsNote = outcome?.credentials ? <p className="saved-note">{s.credentialsSaved}</p> : null;
  if (outcome?.kind === 'saved') {
    return (
      <div className="save-outcome" role="status" data-testid="save-outcome" data-outcome="saved">
        {outcome.settings ? <p className="saved-note">{s.saved}</p> : credentialsNote}
        {outcome.settings ? credentialsNote : null}
        {outcome.restartRequired.length > 0 ? (
          <p className="tone-text-waiting" data-testid="restart-required">
            {s.restartRequired} {outcome.restartRequired.join(', ')}
          </p>
        ) : null}
        {dirty ? <p className="muted">{s.unsaved}</p> : null}
      </div>
    );
  }
  if (outcome?.kind === 'invalid') {
    return (
      <div className="save-outcome" role="alert" data-testid="save-outcome" data-outcome="invalid">
        {credentialsNote}
        <p className="error-text">{s.invalid}</p>
        {unplaced.length > 0 ? (
          <>
            <p className="error-text">{s.otherErrors}</p>
            <ul className="field-errors">
              {unplaced.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    );
  }
  if (outcome?.kind === 'failed') {
    const applyFailed = outcome.error instanceof ApiError && outcome.error.code === 'apply_failed';
    return (
      <div className="save-outcome" role="alert" data-testid="save-outcome" data-outcome={applyFailed ? 'apply_failed' : 'failed'}>
        {credentialsNote}
        {applyFailed ? <p className="error-text">{s.applyFailed}</p> : null}
        <p className="error-text">{describeError(t, outcome.error)}</p>
      </div>
    );
  }
  return <div className="save-outcome">{dirty ? <p className="muted">{s.unsaved}</p> : null}</div>;
}
