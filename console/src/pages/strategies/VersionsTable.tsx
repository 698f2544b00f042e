// The versions of a strategy with status, author and approver; a row opens that version in the studio.
import { Button, Table, Tag, Typography } from "antd";
import { useLang, useT } from "../../i18n";
import { day } from "../models/format";
import { dict, STATUS_COLOUR, statusKey } from "./dict";
import type { StrategyVersion } from "./studioApi";

export function VersionsTable({
  versions,
  selected,
  onOpen,
  loading,
}: {
  versions: StrategyVersion[];
  selected: number | null;
  onOpen: (version: number) => void;
  loading: boolean;
}) {
  const t = useT(dict);
  const lang = useLang();
  return (
    <Table<StrategyVersion>
      aria-label={t("versions")}
      data-testid="versions-table"
      size="small"
      rowKey="version"
      loading={loading}
      dataSource={[...versions].sort((a, b) => b.version - a.version)}
      pagination={false}
      rowClassName={(v) => (v.version === selected ? "ant-table-row-selected" : "")}
      columns={[
        { title: t("version"), dataIndex: "version", render: (v: number) => <strong>v{v}</strong> },
        {
          title: t("status"),
          dataIndex: "status",
          render: (s: string, v) => (
            <Tag color={STATUS_COLOUR[s]} data-testid={`status-v${v.version}`}>
              {t(statusKey(s))}
            </Tag>
          ),
        },
        { title: t("author"), dataIndex: "author" },
        { title: t("approvedBy"), dataIndex: "approved_by", render: (a: string | null) => a ?? "—" },
        { title: t("createdAt"), dataIndex: "created_at", render: (d: string) => day(d, lang) },
        {
          title: t("digest"),
          dataIndex: "sha256",
          render: (s: string) => <Typography.Text code>{s.slice(0, 12)}</Typography.Text>,
        },
        {
          title: t("actions"),
          key: "open",
          render: (_: unknown, v) => (
            <Button
              size="small"
              type={v.version === selected ? "primary" : "default"}
              onClick={() => onOpen(v.version)}
              data-testid={`open-v${v.version}`}
            >
              {t("view")} v{v.version}
            </Button>
          ),
        },
      ]}
    />
  );
}
