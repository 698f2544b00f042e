// A model's validation report as training wrote it: AUC / KS / Gini per split (and against ground truth where the
// data is synthetic), calibration by PD bin (chart and table), the model's inputs. Models of other kinds (forecast,
// collection policy, text tags) have no such report: their metrics are listed as recorded.
import { Col, Descriptions, Empty, Row, Space, Table, Tag, Typography } from "antd";
import { useMemo } from "react";
import { useT } from "../../i18n";
import { dict } from "./dict";
import { EChart, PALETTE, type ChartOption } from "./EChart";
import { num, pct } from "./format";
import type { ModelCard } from "./modelsApi";
import { Titled } from "./Titled";

type Obj = Record<string, unknown>;
const SPLIT_ORDER = ["oot", "test", "train"];

interface SplitRow {
  split: string;
  auc: unknown;
  ks: unknown;
  gini: unknown;
  best: string;
  gain: unknown;
}

interface Bin {
  bin: number;
  rows: number;
  bads: number;
  predicted: number;
  observed: number;
}

export function splitRows(report: Obj | null, metrics: Obj): SplitRow[] {
  const summary = ((report?.summary as Obj | undefined) ?? metrics) as Record<string, Obj>;
  const rows: SplitRow[] = Object.entries(summary)
    .filter(([, s]) => s && typeof s === "object" && "fused_auc" in s)
    .sort(([a], [b]) => SPLIT_ORDER.indexOf(a) - SPLIT_ORDER.indexOf(b))
    .map(([split, s]) => ({
      split,
      auc: s.fused_auc,
      ks: s.fused_ks,
      gini: s.fused_gini,
      best: s.best_sub_model ? `${s.best_sub_model} (${num(s.best_auc)})` : "—",
      gain: s.auc_gain,
    }));
  const truth = report?.truth as Obj | undefined;
  const fused = truth?.fused as Obj | undefined;
  if (fused) {
    const ci = fused.auc_ci95 as number[] | undefined;
    rows.push({
      split: "truth",
      auc: ci ? `${num(fused.auc)} (${num(ci[0])}–${num(ci[1])})` : fused.auc,
      ks: fused.ks,
      gini: fused.gini,
      best: truth?.best_sub_model ? `${truth.best_sub_model} (${num(truth.best_sub_auc)})` : "—",
      gain: truth?.auc_gain,
    });
  }
  return rows;
}

/** Calibration bins of the most out-of-sample split the report has. */
export function calibrationOf(report: Obj | null): { split: string; bins: Bin[] } | null {
  const splits = (report?.splits ?? {}) as Record<string, Obj>;
  const split = SPLIT_ORDER.find((s) => Array.isArray(splits[s]?.calibration));
  return split ? { split, bins: splits[split].calibration as Bin[] } : null;
}

/** A flat list of a metrics object's numbers and strings, for models without a validation report. */
export function flatten(value: unknown, prefix = "", out: [string, string][] = []): [string, string][] {
  if (out.length >= 40) return out;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Obj)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (typeof value === "number") out.push([prefix, Number.isInteger(value) ? String(value) : num(value, 4)]);
  else if (typeof value === "string" || typeof value === "boolean") out.push([prefix, String(value)]);
  return out;
}

function Calibration({ split, bins }: { split: string; bins: Bin[] }) {
  const t = useT(dict);
  const option: ChartOption = useMemo(
    () => ({
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: (v: number) => pct(v, 2) },
      legend: { top: 0 },
      grid: { left: 16, right: 16, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", name: t("bin"), data: bins.map((b) => String(b.bin)) },
      yAxis: { type: "value", axisLabel: { formatter: (v: number) => pct(v, 0) } },
      series: [
        { name: t("observed"), type: "bar", data: bins.map((b) => b.observed) },
        { name: t("predicted"), type: "line", data: bins.map((b) => b.predicted) },
      ],
    }),
    [bins, t],
  );
  const label =
    `${t("calibration")} (${t(`split_${split}`)}): ` + bins.map((b) => `${b.bin} ${pct(b.predicted, 2)} / ${pct(b.observed, 2)}`).join("; ");
  return (
    <Titled title={`${t("calibration")} · ${t(`split_${split}`)}`}>
      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <EChart option={option} label={label} height={300} testId="chart-calibration" />
        </Col>
        <Col xs={24} xl={10}>
          <Table<Bin>
            aria-label={t("calibrationTable")}
            size="small"
            rowKey="bin"
            pagination={false}
            dataSource={bins}
            columns={[
              { title: t("bin"), dataIndex: "bin" },
              { title: t("rows"), dataIndex: "rows", align: "right" },
              { title: t("bads"), dataIndex: "bads", align: "right" },
              { title: t("predicted"), dataIndex: "predicted", align: "right", render: (v: number) => pct(v, 2) },
              { title: t("observed"), dataIndex: "observed", align: "right", render: (v: number) => pct(v, 2) },
            ]}
          />
        </Col>
      </Row>
    </Titled>
  );
}

export function ValidationReport({ card }: { card: ModelCard }) {
  const t = useT(dict);
  const report = (card.validation_report ?? null) as Obj | null;
  const rows = splitRows(report, card.metrics as Obj);
  const calibration = calibrationOf(report);
  const fmt = (v: unknown) => (typeof v === "string" ? v : num(v));
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Titled title={t("validation")}>
        {rows.length > 0 ? (
          <Table<SplitRow>
            aria-label={t("validation")}
            data-testid="validation-table"
            size="small"
            rowKey="split"
            pagination={false}
            dataSource={rows}
            columns={[
              { title: t("split"), dataIndex: "split", render: (s: string) => t(`split_${s}`) },
              { title: t("auc"), dataIndex: "auc", align: "right", render: fmt },
              { title: t("ks"), dataIndex: "ks", align: "right", render: fmt },
              { title: t("gini"), dataIndex: "gini", align: "right", render: fmt },
              { title: t("bestSub"), dataIndex: "best" },
              { title: t("gain"), dataIndex: "gain", align: "right", render: fmt },
            ]}
          />
        ) : flatten(card.metrics).length ? (
          <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered>
            {flatten(card.metrics).map(([k, v]) => (
              <Descriptions.Item key={k} label={k}>
                {v}
              </Descriptions.Item>
            ))}
          </Descriptions>
        ) : (
          <Empty description={t("noReport")} />
        )}
      </Titled>
      {calibration && <Calibration split={calibration.split} bins={calibration.bins} />}
      {card.features.length > 0 && (
        <Titled title={t("features", { n: card.features.length })}>
          <Typography.Paragraph style={{ marginBottom: 0 }}>
            {card.features.map((f) => (
              <Tag key={f} style={{ marginBottom: 4 }}>
                {f}
              </Tag>
            ))}
          </Typography.Paragraph>
        </Titled>
      )}
    </Space>
  );
}
