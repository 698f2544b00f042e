// The model registry (candidate / approved / active / retired) and the monitoring of the active model.
import { Alert, Space, Table, Tabs, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useLang, useT } from "../../i18n";
import { dict, STATUS_COLOUR } from "./dict";
import { day } from "./format";
import { listModels, type Model } from "./modelsApi";
import { MonitoringPanel } from "./MonitoringPanel";
import { Accessible } from "./Accessible";

function Registry() {
  const t = useT(dict);
  const lang = useLang();
  const [models, setModels] = useState<Model[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    listModels()
      .then(setModels)
      .catch((e: Error) => {
        setError(e.message);
        setModels([]);
      });
  }, []);
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {error && <Alert type="error" showIcon message={t("loadFailed")} description={error} />}
      <Table<Model>
        aria-label={t("registry")}
        data-testid="models-table"
        rowKey="model_id"
        loading={models === null}
        dataSource={models ?? []}
        pagination={false}
        columns={[
          {
            title: t("modelId"),
            dataIndex: "model_id",
            render: (id: string) => <Link to={`/models/${encodeURIComponent(id)}`}>{id}</Link>,
          },
          { title: t("kind"), dataIndex: "kind" },
          {
            title: t("status"),
            dataIndex: "status",
            render: (s: string) => <Tag color={STATUS_COLOUR[s]}>{t(s)}</Tag>,
          },
          { title: t("trainer"), dataIndex: "registered_by" },
          { title: t("approvedBy"), dataIndex: "approved_by", render: (a: string | null) => a ?? "—" },
          { title: t("createdAt"), dataIndex: "created_at", render: (d: string) => day(d, lang) },
          {
            title: t("digest"),
            dataIndex: "manifest_sha256",
            render: (s: string) => <Typography.Text code>{s.slice(0, 12)}</Typography.Text>,
          },
        ]}
      />
    </Space>
  );
}

export default function ModelsPage() {
  return (
    <Accessible>
      <ModelsPageBody />
    </Accessible>
  );
}

function ModelsPageBody() {
  const t = useT(dict);
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") === "monitoring" ? "monitoring" : "registry";
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <div>
        <Typography.Title level={2}>{t("models")}</Typography.Title>
        <Typography.Paragraph type="secondary">{t("modelsIntro")}</Typography.Paragraph>
      </div>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams({ tab: key })}
        destroyInactiveTabPane
        items={[
          { key: "registry", label: t("registry"), children: <Registry /> },
          { key: "monitoring", label: t("monitoring"), children: <MonitoringPanel /> },
        ]}
      />
    </Space>
  );
}
