// Monitoring of the active model as of a day: score and input PSI over time (drift) and vintage curves, each chart
// with its numbers in a table beside it.
import { Alert, Button, Col, Empty, Input, Row, Space, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useT } from "../../i18n";
import { dict } from "./dict";
import { DriftCard } from "./DriftCard";
import { drift, vintages, type DriftPoint, type Vintage } from "./modelsApi";
import { VintageCard } from "./VintageCard";

export function MonitoringPanel() {
  const t = useT(dict);
  const [asOf, setAsOf] = useState(() => new Date().toISOString().slice(0, 10));
  const [data, setData] = useState<{ model: string; points: DriftPoint[]; vintages: Record<number, Vintage[]> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    setBusy(true);
    setError(null);
    Promise.all([drift(asOf), vintages(asOf)])
      .then(([d, v]) => setData({ model: d.model, points: d.points, vintages: v }))
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  }, [asOf]);

  useEffect(load, []); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="model-monitoring">
      <Space wrap>
        <label htmlFor="monitoring-as-of">{t("asOf")}</label>
        <Input
          id="monitoring-as-of"
          type="date"
          value={asOf}
          onChange={(e) => e.target.value && setAsOf(e.target.value)}
          style={{ width: 170 }}
        />
        <Button onClick={load} loading={busy}>
          {t("refresh")}
        </Button>
        {data && <Typography.Text strong>{t("activeModel", { id: data.model })}</Typography.Text>}
      </Space>
      {error && <Alert type="error" showIcon message={t("loadFailed")} description={error} />}
      {!data && !error && <Empty description={t("noData")} />}
      {data && (
        <Row gutter={[16, 16]}>
          <Col span={24}>
            <DriftCard points={data.points} />
          </Col>
          <Col span={24}>
            <VintageCard vintages={data.vintages} />
          </Col>
        </Row>
      )}
    </Space>
  );
}
