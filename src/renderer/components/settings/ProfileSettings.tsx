// Profiles and their watched folders: add and remove either, choose what happens to a file once it
// is taken in, and polling for network shares. A saved profile keeps its id (documents refer to it).
import type { FolderPostAction, FolderSettingsData, ProfileSettingsData, SettingsData } from '../../../contract/settings.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { newFolder, newProfile, type SettingsDraft } from '../../settings/draft.ts';
import type { FieldErrors } from '../../settings/field-errors.ts';
import { Field, FieldErrors as FieldErrorList, TextField } from './Field.tsx';
import { ChoiceGroup } from './ChoiceGroup.tsx';

const POST_ACTIONS: readonly FolderPostAction[] = ['move', 'delete', 'leave'];

export type SettingsEdit = (path: string, recipe: (settings: SettingsData) => SettingsData) => void;
/** Adding or removing entries shifts the paths of the ones after: the caller forgets all field errors. */
export type DraftRestructure = (recipe: (draft: SettingsDraft) => SettingsDraft) => void;

interface ProfileSettingsProps {
  draft: SettingsDraft;
  errors: FieldErrors;
  onEdit: SettingsEdit;
  onRestructure: DraftRestructure;
}

function withProfile(settings: SettingsData, index: number, recipe: (profile: ProfileSettingsData) => ProfileSettingsData): SettingsData {
  return { ...settings, profiles: settings.profiles.map((profile, i) => (i === index ? recipe(profile) : profile)) };
}

export function ProfileSettings({ draft, errors, onEdit, onRestructure }: ProfileSettingsProps) {
  const s = useI18n().t.settings;
  const { profiles } = draft.settings;
  const addProfile = () =>
    onRestructure((d) => ({
      settings: { ...d.settings, profiles: [...d.settings.profiles, newProfile(d.settings.profiles, s.newProfileId, s.newProfileName)] },
      profileOrigins: [...d.profileOrigins, null],
    }));
  const removeProfile = (index: number) =>
    onRestructure((d) => ({
      settings: { ...d.settings, profiles: d.settings.profiles.filter((_, i) => i !== index) },
      profileOrigins: d.profileOrigins.filter((_, i) => i !== index),
    }));

  return (
    <>
      {profiles.length === 0 ? <p className="muted">{s.noProfiles}</p> : null}
      {profiles.map((profile, p) => (
        <ProfileEditor
          key={draft.profileOrigins[p] ?? `new-${p}`}
          profile={profile}
          index={p}
          saved={draft.profileOrigins[p] !== null}
          errors={errors}
          onEdit={onEdit}
          onRestructure={onRestructure}
          onRemove={() => removeProfile(p)}
        />
      ))}
      <div className="section-actions">
        <button type="button" onClick={addProfile}>
          {s.addProfile}
        </button>
      </div>
    </>
  );
}

interface ProfileEditorProps {
  profile: ProfileSettingsData;
  index: number;
  saved: boolean;
  errors: FieldErrors;
  onEdit: SettingsEdit;
  onRestructure: DraftRestructure;
  onRemove: () => void;
}

function ProfileEditor({ profile, index, saved, errors, onEdit, onRestructure, onRemove }: ProfileEditorProps) {
  const { t } = useI18n();
  const s = t.settings;
  const base = `profiles[${index}]`;
  const setFolder = <K extends keyof FolderSettingsData>(f: number, field: K, value: FolderSettingsData[K]) =>
    onEdit(`${base}.folders[${f}].${field}`, (settings) =>
      withProfile(settings, index, (pr) => ({ ...pr, folders: pr.folders.map((folder, i) => (i === f ? { ...folder, [field]: value } : folder)) })),
    );
  const addFolder = () =>
    onRestructure((d) => ({ ...d, settings: withProfile(d.settings, index, (pr) => ({ ...pr, folders: [...pr.folders, newFolder()] })) }));
  const removeFolder = (f: number) =>
    onRestructure((d) => ({ ...d, settings: withProfile(d.settings, index, (pr) => ({ ...pr, folders: pr.folders.filter((_, i) => i !== f) })) }));

  return (
    <section className="profile-card" data-testid="profile-editor" data-profile={profile.id}>
      <div className="field-grid">
        <TextField
          mono
          label={s.profileId}
          help={saved ? undefined : s.profileIdHelp}
          errors={errors.get(`${base}.id`)}
          value={profile.id}
          readOnly={saved}
          onChange={(value) => onEdit(`${base}.id`, (settings) => withProfile(settings, index, (pr) => ({ ...pr, id: value.trim() })))}
        />
        <TextField
          label={s.profileName}
          errors={errors.get(`${base}.name`)}
          value={profile.name}
          onChange={(value) => onEdit(`${base}.name`, (settings) => withProfile(settings, index, (pr) => ({ ...pr, name: value })))}
        />
      </div>

      <ChoiceGroup
        compact
        legend={s.sending}
        name={`${base}-sending`}
        testId="profile-sending"
        value={profile.sending}
        options={[
          { value: 'automatic', label: s.sendingAutomatic, help: s.sendingAutomaticHelp },
          { value: 'manual', label: s.sendingManual, help: s.sendingManualHelp },
        ]}
        onChange={(sending) =>
          onEdit(`${base}.sending`, (settings) =>
            withProfile(settings, index, (pr) => ({ ...pr, sending, dualControl: sending === 'manual' ? pr.dualControl : false })),
          )
        }
      />
      <FieldErrorList messages={errors.get(`${base}.sending`)} />
      {profile.sending === 'manual' ? (
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="profile-dual-control"
            checked={profile.dualControl}
            onChange={(event) =>
              onEdit(`${base}.dualControl`, (settings) => withProfile(settings, index, (pr) => ({ ...pr, dualControl: event.target.checked })))
            }
          />
          {s.dualControl}
        </label>
      ) : null}
      <FieldErrorList messages={errors.get(`${base}.dualControl`)} />

      <h4>{t.foldersTitle}</h4>
      <FieldErrorList messages={errors.get(`${base}.folders`)} />
      {profile.folders.length === 0 ? <p className="muted">{s.noFolders}</p> : null}
      <ul className="folder-editors">
        {profile.folders.map((folder, f) => {
          const at = (field: keyof FolderSettingsData) => errors.get(`${base}.folders[${f}].${field}`);
          return (
            <li key={f} className="folder-editor" data-testid="folder-editor">
              <TextField
                wide
                mono
                label={s.folderPath}
                errors={at('path')}
                value={folder.path}
                placeholder={s.folderPathPlaceholder}
                onChange={(value) => setFolder(f, 'path', value)}
              />
              <Field label={s.postAction} errors={at('postAction')}>
                {(wiring) => (
                  <select
                    {...wiring}
                    value={folder.postAction}
                    onChange={(event) => {
                      const action = POST_ACTIONS.find((a) => a === event.target.value);
                      if (action) setFolder(f, 'postAction', action);
                    }}
                  >
                    {POST_ACTIONS.map((action) => (
                      <option key={action} value={action}>
                        {s.postActionLabel[action]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <div className="folder-options">
                <label className="checkbox">
                  <input type="checkbox" checked={folder.usePolling} onChange={(event) => setFolder(f, 'usePolling', event.target.checked)} />
                  {s.usePolling}
                </label>
                <FieldErrorList messages={at('usePolling')} />
                <button type="button" className="danger small" onClick={() => removeFolder(f)}>
                  {s.removeFolder}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <div className="section-actions">
        <button type="button" className="small" onClick={addFolder}>
          {s.addFolder}
        </button>
        <button type="button" className="danger small" onClick={onRemove}>
          {s.removeProfile}
        </button>
      </div>
    </section>
  );
}
