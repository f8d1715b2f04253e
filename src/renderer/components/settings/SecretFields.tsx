// Write-only credentials: whether each is set (from GET /config), and a field for a new value that
// Save sends with PUT /credentials. A value sent is cleared from the page and never shown again.
import type { HubSettingsData, SecretKey } from '../../../contract/settings.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { SecretInputs } from '../../settings/draft.ts';
import { Field } from './Field.tsx';

interface SecretFieldsProps {
  hub: HubSettingsData;
  presence: Record<SecretKey, boolean>;
  inputs: SecretInputs;
  onInput: (key: SecretKey, value: string) => void;
}

export function SecretFields({ hub, presence, inputs, onInput }: SecretFieldsProps) {
  const s = useI18n().t.settings;
  const shown: { key: SecretKey; label: string; multiline?: boolean }[] =
    hub.transport === 'https'
      ? [{ key: 'hubApiKey', label: s.apiKey }]
      : (hub.sftp?.auth ?? 'key') === 'password'
        ? [{ key: 'sftpPassword', label: s.password }]
        : [
            { key: 'sftpPrivateKey', label: s.privateKey, multiline: true },
            { key: 'sftpPassphrase', label: s.passphrase },
          ];
  return (
    <div className="secrets" data-testid="secrets">
      <h3>{s.secretsTitle}</h3>
      <p className="muted section-note">{s.secretsHelp}</p>
      <div className="field-grid">
        {shown.map(({ key, label, multiline }) => (
          <Field key={key} label={label} wide={multiline ?? false}>
            {(wiring) => (
              <div className={`secret-input${multiline ? ' multiline' : ''}`}>
                <SecretState set={presence[key]} secret={key} />
                {multiline ? (
                  <textarea
                    {...wiring}
                    className="mono"
                    rows={5}
                    spellCheck={false}
                    autoComplete="off"
                    value={inputs[key]}
                    placeholder={s.privateKeyPlaceholder}
                    onChange={(event) => onInput(key, event.target.value)}
                  />
                ) : (
                  <input
                    {...wiring}
                    type="password"
                    autoComplete="new-password"
                    spellCheck={false}
                    value={inputs[key]}
                    placeholder={s.newSecretPlaceholder}
                    onChange={(event) => onInput(key, event.target.value)}
                  />
                )}
              </div>
            )}
          </Field>
        ))}
      </div>
    </div>
  );
}

function SecretState({ set, secret }: { set: boolean; secret: SecretKey }) {
  const s = useI18n().t.settings;
  return (
    <span className={`badge ${set ? 'tone-ok' : 'tone-neutral'}`} data-testid="secret-state" data-secret={secret} data-set={set}>
      {set ? s.secretSet : s.secretNotSet}
    </span>
  );
}
