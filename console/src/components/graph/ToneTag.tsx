// A tag whose text keeps a 7:1 contrast on its tint (antd's preset colours fall below 4.5:1 for several hues).
import type { ReactNode } from "react";

const TONES: Record<string, [string, string, string]> = {
  green: ["#135200", "#f6ffed", "#b7eb8f"],
  blue: ["#003eb3", "#e6f4ff", "#91caff"],
  geekblue: ["#1d39c4", "#f0f5ff", "#adc6ff"],
  purple: ["#391085", "#f9f0ff", "#d3adf7"],
  magenta: ["#9e1068", "#fff0f6", "#ffadd2"],
  red: ["#a8071a", "#fff1f0", "#ffa39e"],
  volcano: ["#871400", "#fff2e8", "#ffbb96"],
  orange: ["#873800", "#fff7e6", "#ffd591"],
  gold: ["#613400", "#fffbe6", "#ffe58f"],
  cyan: ["#00474f", "#e6fffb", "#87e8de"],
  default: ["#262626", "#fafafa", "#d9d9d9"],
};

export default function ToneTag({ tone, children, testId }: { tone?: string; children: ReactNode; testId?: string }) {
  const [color, background, border] = TONES[tone ?? "default"] ?? TONES.default;
  return (
    <span
      data-testid={testId}
      style={{
        display: "inline-block",
        color,
        background,
        border: `1px solid ${border}`,
        borderRadius: 4,
        padding: "0 7px",
        fontSize: 12,
        lineHeight: "20px",
        marginInlineEnd: 8,
        whiteSpace: "nowrap",
      }}
    >
      {children}
    </span>
  );
}
