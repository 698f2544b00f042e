// Ant Design's default secondary text, description labels, links and preset tag colours fall below WCAG AA
// contrast (4.5:1) on white; the studio and model pages render under these tokens so axe finds none. (The same
// tokens belong in the app's ConfigProvider; until then they are applied here, page by page.)
import { ConfigProvider } from "antd";
import type { ReactNode } from "react";

export const THEME = {
  token: {
    colorLink: "#1554ad",
    colorTextSecondary: "rgba(0, 0, 0, 0.65)",
    colorTextTertiary: "rgba(0, 0, 0, 0.62)",
    colorTextDescription: "rgba(0, 0, 0, 0.62)",
  },
};

export function Accessible({ children }: { children: ReactNode }) {
  return <ConfigProvider theme={THEME}>{children}</ConfigProvider>;
}

/** Tag colours with white text at 4.5:1 or more (antd renders a hex colour as a solid tag). */
export const SOLID = {
  green: "#237804",
  blue: "#0958d9",
  cyan: "#006d75",
  red: "#a8071a",
  orange: "#ad4e00",
} as const;
