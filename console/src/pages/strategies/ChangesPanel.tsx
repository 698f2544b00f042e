// The approver's worklist on this strategy: activation (and rollback) requests waiting for someone other than
// their requester. The API refuses the requester (four eyes); the page shows its message.
import { Button, Card, Empty, List, Space, Typography } from "antd";
import { useLang, useT } from "../../i18n";
import { day } from "../models/format";
import { dict } from "./dict";
import type { PendingChange } from "./studioApi";

export function ChangesPanel({
  changes,
  canApprove,
  busy,
  onApprove,
}: {
  changes: PendingChange[];
  canApprove: boolean;
  busy: boolean;
  onApprove: (change: PendingChange) => void;
}) {
  const t = useT(dict);
  const lang = useLang();
  return (
    <Card
      size="small"
      title={<Typography.Title level={3} style={{ margin: 0, fontSize: 15 }}>{t("pendingChanges")}</Typography.Title>}
      data-testid="pending-changes"
    >
      {changes.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("noPending")} />
      ) : (
        <List
          aria-label={t("pendingChanges")}
          dataSource={changes}
          renderItem={(c) => (
            <List.Item
              actions={
                canApprove
                  ? [
                      <Button
                        key="approve"
                        type="primary"
                        loading={busy}
                        data-testid="approve-activation"
                        onClick={() => onApprove(c)}
                      >
                        {t("approveActivation")}
                      </Button>,
                    ]
                  : []
              }
            >
              <Space direction="vertical" size={0}>
                <Typography.Text strong>
                  #{c.change_id} · {c.key}
                </Typography.Text>
                <Typography.Text type="secondary">
                  {t("requestedBy")} {c.requested_by} · {day(c.requested_at, lang)}
                  {c.note ? ` · ${c.note}` : ""}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
