// What preflight's errors do (intake.preflight): block the invoice (default), or only warn and let
// SDI decide, for a business hit by a check that refuses a valid invoice (docs/preflight.md).
import type { PreflightSetting } from '../../../contract/settings.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { FieldErrors } from '../../settings/field-errors.ts';
import { FieldErrors as FieldErrorList } from './Field.tsx';
import { ChoiceGroup } from './ChoiceGroup.tsx';

interface PreflightSettingsProps {
  value: PreflightSetting;
  errors: FieldErrors;
  onChange: (value: PreflightSetting) => void;
}

export function PreflightSettings({ value, errors, onChange }: PreflightSettingsProps) {
  const s = useI18n().t.settings;
  return (
    <>
      <ChoiceGroup<PreflightSetting>
        legend={s.preflight}
        name="intake-preflight"
        value={value}
        onChange={onChange}
        options={[
          { value: 'block', label: s.preflightBlock, help: s.preflightBlockHelp },
          { value: 'warn', label: s.preflightWarn, help: s.preflightWarnHelp },
        ]}
        testId="preflight-mode"
      />
      <FieldErrorList messages={errors.get('intake.preflight') ?? []} />
    </>
  );
}
