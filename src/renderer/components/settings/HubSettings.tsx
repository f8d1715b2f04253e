// The hub connection: HTTPS (address, extra CA, company) or SFTP (server, port, user, folder, the
// pinned host key fingerprint, key or password). Secrets are not here: see SecretFields.
import type { HubSettingsData, HubTransport, SftpAuth, SftpSettingsData } from '../../../contract/settings.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { newSftpSettings, optionalText } from '../../settings/draft.ts';
import type { FieldErrors } from '../../settings/field-errors.ts';
import { FieldErrors as FieldErrorList, NumberField, TextField } from './Field.tsx';
import { ChoiceGroup } from './ChoiceGroup.tsx';

export type HubEdit = (path: string, recipe: (hub: HubSettingsData) => HubSettingsData) => void;

interface HubSettingsProps {
  hub: HubSettingsData;
  errors: FieldErrors;
  onEdit: HubEdit;
}

export function HubSettings({ hub, errors, onEdit }: HubSettingsProps) {
  const { t } = useI18n();
  const s = t.settings;
  const chooseTransport = (transport: HubTransport) =>
    onEdit('hub.transport', (current) => ({ ...current, transport, sftp: transport === 'sftp' ? (current.sftp ?? newSftpSettings()) : current.sftp }));

  return (
    <>
      <ChoiceGroup<HubTransport>
        legend={s.transport}
        name="hub-transport"
        value={hub.transport}
        onChange={chooseTransport}
        options={[
          { value: 'https', label: s.transportHttps, help: s.transportHttpsHelp },
          { value: 'sftp', label: s.transportSftp, help: s.transportSftpHelp },
        ]}
        testId="transport"
      />
      <FieldErrorList messages={[...(errors.get('hub.transport') ?? []), ...(errors.get('hub.sftp') ?? [])]} />
      {hub.transport === 'https' ? (
        <HttpsFields hub={hub} errors={errors} onEdit={onEdit} />
      ) : (
        <SftpFields sftp={hub.sftp ?? newSftpSettings()} errors={errors} onEdit={onEdit} />
      )}
    </>
  );
}

function HttpsFields({ hub, errors, onEdit }: HubSettingsProps) {
  const s = useI18n().t.settings;
  return (
    <div className="field-grid" data-testid="https-fields">
      <TextField
        wide
        label={s.url}
        help={s.urlHelp}
        errors={errors.get('hub.url')}
        value={hub.url ?? ''}
        placeholder="https://"
        onChange={(value) => onEdit('hub.url', (h) => ({ ...h, url: optionalText(value) }))}
      />
      <TextField
        wide
        mono
        label={s.caFile}
        help={s.caFileHelp}
        errors={errors.get('hub.caFile')}
        value={hub.caFile ?? ''}
        onChange={(value) => onEdit('hub.caFile', (h) => ({ ...h, caFile: optionalText(value) }))}
      />
      <TextField
        label={s.companyId}
        help={s.companyIdHelp}
        errors={errors.get('hub.companyId')}
        value={hub.companyId ?? ''}
        onChange={(value) => onEdit('hub.companyId', (h) => ({ ...h, companyId: optionalText(value) }))}
      />
    </div>
  );
}

function SftpFields({ sftp, errors, onEdit }: { sftp: SftpSettingsData; errors: FieldErrors; onEdit: HubEdit }) {
  const s = useI18n().t.settings;
  const set = <K extends keyof SftpSettingsData>(field: K, value: SftpSettingsData[K]) =>
    onEdit(`hub.sftp.${field}`, (h) => ({ ...h, sftp: { ...(h.sftp ?? newSftpSettings()), [field]: value } }));
  const at = (field: keyof SftpSettingsData) => errors.get(`hub.sftp.${field}`);
  return (
    <div className="field-grid" data-testid="sftp-fields">
      <TextField label={s.sftpHost} errors={at('host')} value={sftp.host} placeholder="sftp.example.com" onChange={(value) => set('host', value)} />
      <NumberField label={s.sftpPort} errors={at('port')} value={sftp.port} notANumber={s.wholeNumber} onChange={(value) => set('port', value)} />
      <TextField label={s.sftpUser} errors={at('username')} value={sftp.username} onChange={(value) => set('username', value)} />
      <TextField mono label={s.sftpRoot} help={s.sftpRootHelp} errors={at('root')} value={sftp.root} onChange={(value) => set('root', value)} />
      <TextField
        wide
        mono
        label={s.fingerprint}
        help={s.fingerprintHelp}
        errors={at('hostKeyFingerprint')}
        value={sftp.hostKeyFingerprint}
        placeholder="SHA256:…"
        onChange={(value) => set('hostKeyFingerprint', value.trim())}
      />
      <NumberField
        label={s.pollSeconds}
        errors={at('pollSeconds')}
        value={sftp.pollSeconds}
        notANumber={s.wholeNumber}
        onChange={(value) => set('pollSeconds', value)}
      />
      <div className="field-wide">
        <ChoiceGroup<SftpAuth>
          legend={s.auth}
          name="sftp-auth"
          value={sftp.auth}
          onChange={(auth) => set('auth', auth)}
          options={[
            { value: 'key', label: s.authKey },
            { value: 'password', label: s.authPassword },
          ]}
          compact
        />
        <FieldErrorList messages={at('auth')} />
      </div>
    </div>
  );
}
