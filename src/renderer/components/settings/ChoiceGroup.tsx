// A set of radio buttons drawn as cards (transport) or a compact row (authentication).
import { useId } from 'react';

interface Choice<T extends string> {
  value: T;
  label: string;
  help?: string;
}

interface ChoiceGroupProps<T extends string> {
  legend: string;
  name: string;
  value: T;
  options: readonly Choice<T>[];
  onChange: (value: T) => void;
  compact?: boolean;
  testId?: string;
}

export function ChoiceGroup<T extends string>({ legend, name, value, options, onChange, compact = false, testId }: ChoiceGroupProps<T>) {
  const groupName = `${name}-${useId()}`;
  return (
    <fieldset className={`choice-group${compact ? ' compact' : ''}`} data-testid={testId}>
      <legend>{legend}</legend>
      <div className="choices">
        {options.map((option) => (
          <label key={option.value} className={`choice${option.value === value ? ' chosen' : ''}`}>
            <input type="radio" name={groupName} value={option.value} checked={option.value === value} onChange={() => onChange(option.value)} />
            <span className="choice-text">
              <span className="choice-label">{option.label}</span>
              {option.help ? <span className="choice-help">{option.help}</span> : null}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
