// Every strategy with its active version, latest version and versions by status; opening one leads to the studio.
import { Alert, Button, Card, Input, Space, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useT } from "../../i18n";
import { dict, STATUS_COLOUR, statusKey } from "./dict";
import { listStrategies, type Status, type StrategySummary } from "./studioApi";
import { Accessible } from "../models/Accessible";

const ORDER: Status[] = ["draft", "submitted", "approved", "active", "retired"];

function OpenByName() {
  const t = useT(dict);
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const go = () => name.trim() && navigate(`/strategies/${encodeURIComponent(name.trim())}`);
  return (
    <Space.Compact>
      <Input
        aria-label={t("openByName")}
        placeholder={t("openByNameHint")}
        value={name}
        onChange={(e) => setName(e.target.value)}
        onPressEnter={go}
        style={{ width: 280 }}
      />
      <Button onClick={go}>{t("open")}</Button>
    </Space.Compact>
  );
}

export default function StrategiesPage() {
  return (
    <Accessible>
      <StrategiesPageBody />
    </Accessible>
  );
}

function StrategiesPageBody() {
  const t = useT(dict);
  const [rows, setRows] = useState<StrategySummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listStrategies()
      .then(setRows)
      .catch((e: Error) => {
        setError(e.message);
        setRows([]);
      });
  }, []);

  return (
    <Space direction="vertical" size="large" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={2}>{t("strategies")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("strategiesIntro")}</Typography.Paragraph>
      </div>
      {error && <Alert type="error" showIcon message={t("loadFailed")} description={error} />}
      <Card title={<Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>{t("strategyList")}</Typography.Title>} extra={<OpenByName />}>
        <Table<StrategySummary>
          aria-label={t("strategyList")}
          data-testid="strategies-table"
          rowKey="name"
          loading={rows === null}
          dataSource={rows ?? []}
          pagination={false}
          columns={[
            {
              title: t("name"),
              dataIndex: "name",
              render: (name: string) => <Link to={`/strategies/${encodeURIComponent(name)}`}>{name}</Link>,
            },
            { title: t("active"), dataIndex: "active_version", render: (v: number | null) => (v ? `v${v}` : t("none")) },
            { title: t("latest"), dataIndex: "latest_version", render: (v: number | null) => (v ? `v${v}` : t("none")) },
            {
              title: t("versionsByStatus"),
              key: "counts",
              render: (_: unknown, row) => (
                <Space size={4} wrap>
                  {ORDER.filter((s) => row.by_status[s]).map((s) => (
                    <Tag key={s} color={STATUS_COLOUR[s]}>
                      {t(statusKey(s))} {row.by_status[s]}
                    </Tag>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
