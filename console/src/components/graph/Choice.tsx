// A row of exclusive options (radio buttons in a labelled radio group): antd's Segmented renders a listbox
// without options, which axe reports as a critical violation.
import { Radio } from "antd";

export interface ChoiceProps<T extends string | number> {
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (value: T) => void;
  size?: "small" | "middle";
  testId?: string;
}

export default function Choice<T extends string | number>({ label, value, options, onChange, size = "middle", testId }: ChoiceProps<T>) {
  return (
    <div role="radiogroup" aria-label={label} data-testid={testId} style={{ display: "inline-block" }}>
      <Radio.Group
        optionType="button"
        buttonStyle="solid"
        size={size}
        value={value}
        onChange={(e) => onChange(e.target.value as T)}
        options={options}
      />
    </div>
  );
}
