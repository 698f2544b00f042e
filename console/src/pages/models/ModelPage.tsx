// One model: its card (kind, status, trainer, approver, digest, training window), the validation report (AUC, KS,
// Gini per split, ground truth where known, calibration) and approve / activate for approvers. Four eyes is the
// API's rule: the trainer is refused, and the page shows the API's words.
import { Alert, App, Breadcrumb, Button, Col, Descriptions, Row, Space, Spin, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useLang, useT } from "../../i18n";
import { useCan } from "../../session";
import { dict, STATUS_COLOUR } from "./dict";
import { day } from "./format";
import { activateModel, approveModel, modelCard, type ModelCard } from "./modelsApi";
import { Titled } from "./Titled";
import { ValidationReport } from "./ValidationReport";
import { Accessible } from "./Accessible";

function Actions({ card, onDone }: { card: ModelCard; onDone: () => void }) {
  const t = useT(dict);
  const can = useCan();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  if (!can("model.approve")) return null;
  const run = (name: string, step: () => Promise<string>) => {
    setBusy(name);
    setFailure(null);
    step()
      .then((text) => {
        message.success(text);
        onDone();
      })
      .catch((e: Error) => {
        setFailure(e.message);
        message.error(e.message);
      })
      .finally(() => setBusy(null));
  };
  const id = card.model_id;
  return (
    <Space direction="vertical">
      <Space>
        {card.status === "registered" && (
          <Button type="primary" data-testid="approve-model" loading={busy === "approve"}
            onClick={() => run("approve", async () => t("approvedOk", { id: (await approveModel(id)).model_id }))}>
            {t("approve")}
          </Button>
        )}
        {(card.status === "approved" || card.status === "retired") && (
          <Button type="primary" data-testid="activate-model" loading={busy === "activate"}
            onClick={() => run("activate", async () => t("activatedOk", { id: (await activateModel(id)).model_id }))}>
            {t("activate")}
          </Button>
        )}
      </Space>
      {failure && <Alert type="error" showIcon message={failure} data-testid="action-error" />}
    </Space>
  );
}

export default function ModelPage() {
  return (
    <Accessible>
      <ModelPageBody />
    </Accessible>
  );
}

function ModelPageBody() {
  const { modelId = "" } = useParams();
  const t = useT(dict);
  const lang = useLang();
  const [card, setCard] = useState<ModelCard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    modelCard(modelId)
      .then(setCard)
      .catch((e: Error) => setError(e.message));
  }, [modelId]);
  useEffect(load, [load]);

  const window = (card?.training_window ?? {}) as Record<string, unknown>;
  const rows = window.rows && typeof window.rows === "object" ? Object.entries(window.rows as Record<string, number>) : [];
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Breadcrumb items={[{ title: <Link to="/models">{t("models")}</Link> }, { title: modelId }]} />
      <Typography.Title level={2} style={{ margin: 0 }}>
        {t("model", { id: modelId })}
      </Typography.Title>
      {error && <Alert type="error" showIcon message={t("loadFailed")} description={error} />}
      {!card && !error && <Spin />}
      {card && (
        <Row gutter={[16, 16]}>
          <Col span={24}>
            <Titled title={t("card")} extra={<Actions card={card} onDone={load} />}>
              <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
                <Descriptions.Item label={t("name")}>{card.name}</Descriptions.Item>
                <Descriptions.Item label={t("version")}>v{card.version}</Descriptions.Item>
                <Descriptions.Item label={t("kind")}>{card.kind}</Descriptions.Item>
                <Descriptions.Item label={t("status")}>
                  <Tag color={STATUS_COLOUR[card.status]} data-testid="model-status">
                    {t(card.status)}
                  </Tag>
                </Descriptions.Item>
                <Descriptions.Item label={t("trainer")}>{card.registered_by}</Descriptions.Item>
                <Descriptions.Item label={t("approvedBy")}>{card.approved_by ?? "—"}</Descriptions.Item>
                <Descriptions.Item label={t("createdAt")}>{day(card.created_at, lang)}</Descriptions.Item>
                <Descriptions.Item label={t("observedOn")}>{String(window.observed_on ?? "—")}</Descriptions.Item>
                <Descriptions.Item label={t("oot")}>{String(window.oot_from ?? "—")}</Descriptions.Item>
                <Descriptions.Item label={t("rows")}>
                  {rows.length ? rows.map(([k, v]) => `${t(`split_${k}`)} ${v}`).join(" · ") : "—"}
                </Descriptions.Item>
                <Descriptions.Item label={t("digest")} span={2}>
                  <Typography.Text code copyable>
                    {card.manifest_sha256}
                  </Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            </Titled>
          </Col>
          <Col span={24}>
            <ValidationReport card={card} />
          </Col>
        </Row>
      )}
    </Space>
  );
}
