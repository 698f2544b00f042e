// One choice among a few (a level, a status): native radio buttons in a labelled group. antd's Segmented renders a
// listbox whose options sit inside labels, which axe rejects (aria-required-children); radios are what this is.
import { Radio } from "antd";

export interface ChoiceProps<T extends string> {
  label: string; // the group's accessible name
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  testId?: string;
}

export default function Choice<T extends string>({ label, value, options, onChange, testId }: ChoiceProps<T>) {
  return (
    <div role="radiogroup" aria-label={label} data-testid={testId}>
      <Radio.Group
        optionType="button"
        buttonStyle="solid"
        value={value}
        onChange={(e) => onChange(e.target.value as T)}
        options={options}
      />
    </div>
  );
}
