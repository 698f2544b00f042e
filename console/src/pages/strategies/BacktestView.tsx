// Backtest a version (challenger) against the active one (champion) on the workspace's history: headline rates,
// applications by tier and by outcome (charts, and the same numbers in tables), swap-in and swap-out sets.
import { Alert, Button, Card, Col, InputNumber, Row, Space, Statistic, Table, Typography } from "antd";
import { useState } from "react";
import { useLang, useT } from "../../i18n";
import { EChart, PALETTE, type ChartOption } from "../models/EChart";
import { int, pct } from "../models/format";
import { dict, tierDict } from "./dict";
import { backtest, type BacktestResult } from "./studioApi";

const HEADLINE = [
  ["approvalRate", "approval_rate"],
  ["badRate", "bad_rate_approved"],
  ["straightThrough", "straight_through_rate"],
  ["expectedLoss", "expected_loss_rate"],
] as const;

type Side = Record<string, unknown>;
interface Pair {
  key: string;
  label: string;
  champion: number;
  candidate: number;
}

function bars(rows: Pair[], t: (k: string) => string, percent: boolean): ChartOption {
  return {
    color: PALETTE,
    tooltip: { trigger: "axis" },
    legend: { data: [t("champion"), t("challenger")], top: 0 },
    grid: { left: 56, right: 16, bottom: 16, top: 40, containLabel: true },
    xAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { interval: 0, rotate: rows.length > 4 ? 30 : 0 } },
    yAxis: { type: "value", axisLabel: percent ? { formatter: (v: number) => `${(v * 100).toFixed(0)}%` } : {} },
    series: [
      { name: t("champion"), type: "bar", data: rows.map((r) => r.champion) },
      { name: t("challenger"), type: "bar", data: rows.map((r) => r.candidate) },
    ],
  };
}

function PairTable({ rows, caption, percent, first }: { rows: Pair[]; caption: string; percent: boolean; first: string }) {
  const t = useT(dict);
  const lang = useLang();
  const show = (v: number) => (percent ? pct(v, 2) : int(v, lang));
  const delta = (r: Pair) => {
    const d = r.candidate - r.champion;
    const text = percent ? `${d >= 0 ? "+" : ""}${(d * 100).toFixed(2)} pp` : `${d >= 0 ? "+" : ""}${d}`;
    return d === 0 ? "0" : text;
  };
  return (
    <Table<Pair>
      aria-label={caption}
      size="small"
      rowKey="key"
      pagination={false}
      dataSource={rows}
      columns={[
        { title: first, dataIndex: "label" },
        { title: t("champion"), dataIndex: "champion", align: "right", render: show },
        { title: t("challenger"), dataIndex: "candidate", align: "right", render: show },
        { title: t("delta"), key: "delta", align: "right", render: (_: unknown, r) => delta(r) },
      ]}
    />
  );
}

function SwapCard({ title, set, examples }: { title: string; set: Side | undefined; examples: Side[] }) {
  const t = useT(dict);
  const tier = useT(tierDict);
  return (
    <Card size="small" title={title}>
      <Space size="large">
        <Statistic title={t("count")} value={typeof set?.count === "number" ? set.count : 0} />
        <Statistic title={t("badRate")} value={pct(set?.bad_rate)} />
      </Space>
      {examples.length > 0 && (
        <Table<Side>
          aria-label={`${title} ${t("examples")}`}
          size="small"
          style={{ marginTop: 12 }}
          rowKey={(r) => String(r.application_id)}
          pagination={{ pageSize: 5, hideOnSinglePage: true }}
          dataSource={examples}
          columns={[
            { title: "ID", dataIndex: "application_id" },
            { title: t("champion"), dataIndex: "champion_tier", render: (v: string) => tier(v) },
            { title: t("challenger"), dataIndex: "candidate_tier", render: (v: string) => tier(v) },
          ]}
        />
      )}
    </Card>
  );
}

function Result({ result }: { result: BacktestResult }) {
  const t = useT(dict);
  const tier = useT(tierDict);
  const champion = result.champion as Side;
  const candidate = result.candidate as Side;
  const headline: Pair[] = HEADLINE.map(([label, key]) => ({
    key,
    label: t(label),
    champion: Number(champion[key] ?? 0),
    candidate: Number(candidate[key] ?? 0),
  }));
  const series = (name: string, field: string): Pair[] =>
    (result.series[name] ?? []).map((r) => ({
      key: String(r[field]),
      label: tier(String(r[field])),
      champion: Number(r.champion ?? 0),
      candidate: Number(r.candidate ?? 0),
    }));
  const byTier = series("by_tier", "tier");
  const byOutcome = series("by_outcome", "outcome");
  const swap = result.swap as { swap_in?: Side; swap_out?: Side; examples?: { in?: Side[]; out?: Side[] } };
  const chartLabel = (title: string, rows: Pair[], percent: boolean) =>
    `${title}: ` +
    rows.map((r) => `${r.label} ${percent ? pct(r.champion) : r.champion} / ${percent ? pct(r.candidate) : r.candidate}`).join("; ");
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="backtest-result">
      <Typography.Text type="secondary">
        {String(champion.strategy)} → {String(candidate.strategy)} · {t("applications")} {result.applications} ·{" "}
        {result.outcomes}
      </Typography.Text>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t("headline")}>
            <EChart option={bars(headline, t, true)} label={chartLabel(t("headline"), headline, true)} testId="chart-headline" />
            <PairTable rows={headline} caption={t("headline")} percent first={t("metric")} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t("byTier")}>
            <EChart option={bars(byTier, t, false)} label={chartLabel(t("byTier"), byTier, false)} testId="chart-tiers" />
            <PairTable rows={byTier} caption={t("byTierTable")} percent={false} first={t("tier")} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t("byOutcome")}>
            <EChart option={bars(byOutcome, t, false)} label={chartLabel(t("byOutcome"), byOutcome, false)} height={220} />
            <PairTable rows={byOutcome} caption={t("byOutcome")} percent={false} first={t("outcome")} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Space direction="vertical" style={{ width: "100%" }}>
            <SwapCard title={t("swapIn")} set={swap.swap_in} examples={swap.examples?.in ?? []} />
            <SwapCard title={t("swapOut")} set={swap.swap_out} examples={swap.examples?.out ?? []} />
          </Space>
        </Col>
      </Row>
    </Space>
  );
}

export function BacktestView({ name, version }: { name: string; version: number }) {
  const t = useT(dict);
  const [sample, setSample] = useState(300);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<BacktestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    setBusy(true);
    setError(null);
    backtest(name, version, sample)
      .then(setResult)
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("backtestIntro")}</Typography.Paragraph>
      <Space>
        <label htmlFor="backtest-sample">{t("sample")}</label>
        <InputNumber id="backtest-sample" min={1} max={3000} value={sample} onChange={(v) => setSample(v ?? 300)} />
        <Button type="primary" loading={busy} onClick={run} data-testid="run-backtest">
          {busy ? t("running") : t("runBacktest")}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} data-testid="backtest-error" />}
      {result && <Result result={result} />}
    </Space>
  );
}
