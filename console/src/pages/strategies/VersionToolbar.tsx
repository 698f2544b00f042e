// The lifecycle controls of the open version: only those the principal's roles allow are rendered.
import { Button, Space, Tag, Typography } from "antd";
import { useT } from "../../i18n";
import { SOLID } from "../models/Accessible";
import { dict, STATUS_COLOUR, statusKey } from "./dict";
import type { Controls } from "./lifecycle";
import type { StrategyVersion } from "./studioApi";

export type Action = "newDraft" | "save" | "submit" | "approve" | "requestActivation";

export function VersionToolbar({
  version,
  controls,
  dirty,
  busy,
  onAction,
}: {
  version: StrategyVersion;
  controls: Controls;
  dirty: boolean;
  busy: Action | null;
  onAction: (action: Action) => void;
}) {
  const t = useT(dict);
  const button = (action: Action, label: string, testId: string, primary = false) => (
    <Button
      key={action}
      type={primary ? "primary" : "default"}
      loading={busy === action}
      disabled={busy !== null && busy !== action}
      data-testid={testId}
      onClick={() => onAction(action)}
    >
      {label}
    </Button>
  );
  return (
    <Space wrap style={{ width: "100%", justifyContent: "space-between" }}>
      <Space wrap>
        <Typography.Text strong data-testid="selected-version">
          {t("selected", { key: version.key })}
        </Typography.Text>
        <Tag color={STATUS_COLOUR[version.status]}>{t(statusKey(version.status))}</Tag>
        <Typography.Text type="secondary">{controls.edit ? t("editing") : t("readOnly")}</Typography.Text>
        {dirty && <Tag color={SOLID.orange}>{t("unsaved")}</Tag>}
      </Space>
      <Space wrap>
        {controls.newDraft && button("newDraft", t("newDraft"), "new-draft")}
        {controls.edit && button("save", t("save"), "save-version")}
        {controls.submit && button("submit", t("submit"), "submit-version", true)}
        {controls.approve && button("approve", t("approve"), "approve-version", true)}
        {controls.requestActivation &&
          button("requestActivation", controls.rollback ? t("requestRollback") : t("requestActivation"), "activate-version", true)}
      </Space>
    </Space>
  );
}
