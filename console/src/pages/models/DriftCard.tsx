// Drift of the active model: PSI of its score and of the inputs that moved most, per 30-day window (log scale:
// PSI spans 0.01 to several units), with the 0.1 / 0.25 thresholds of the monitoring policy drawn.
import { Empty, Table, Typography } from "antd";
import { useMemo } from "react";
import { useT } from "../../i18n";
import { dict } from "./dict";
import { EChart, PALETTE, type ChartOption } from "./EChart";
import { int, num } from "./format";
import type { DriftPoint } from "./modelsApi";
import { Titled } from "./Titled";

const TOP = 4;
const FLOOR = 0.01; // log axis: a PSI below it is drawn at it (the table has the value)

/** The inputs whose largest PSI over the windows is highest. */
export function topInputs(points: DriftPoint[], n = TOP): string[] {
  const worst = new Map<string, number>();
  for (const p of points) for (const [k, v] of Object.entries(p.inputs)) worst.set(k, Math.max(worst.get(k) ?? 0, v));
  return [...worst.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
}

export function DriftCard({ points }: { points: DriftPoint[] }) {
  const t = useT(dict);
  const inputs = useMemo(() => topInputs(points), [points]);
  const option: ChartOption = useMemo(() => {
    const clamp = (v: number | null | undefined) => (typeof v === "number" ? Math.max(v, FLOOR) : null);
    return {
      color: PALETTE,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 16, right: 44, bottom: 8, top: 40, containLabel: true }, // room for the threshold labels
      xAxis: { type: "category", data: points.map((p) => p.as_of) },
      yAxis: { type: "log", min: FLOOR, name: "PSI" },
      series: [
        {
          name: t("scorePsi"),
          type: "line",
          lineStyle: { width: 3 },
          data: points.map((p) => clamp(p.score_psi)),
          markLine: {
            silent: true,
            symbol: "none",
            data: [
              { yAxis: 0.1, lineStyle: { color: "#ad6800", type: "dashed" }, label: { formatter: "0.1" } },
              { yAxis: 0.25, lineStyle: { color: "#a8071a", type: "dashed" }, label: { formatter: "0.25" } },
            ],
          },
        },
        ...inputs.map((name) => ({ name, type: "line", data: points.map((p) => clamp(p.inputs[name])) })),
      ],
    };
  }, [points, inputs, t]);
  const label = `${t("drift")}: ` + points.map((p) => `${p.as_of} ${num(p.score_psi)}`).join("; ");
  return (
    <Titled title={t("drift")}>
      {points.length === 0 ? (
        <Empty description={t("noDrift")} />
      ) : (
        <>
          <Typography.Text type="secondary">{t("thresholds")}</Typography.Text>
          <EChart option={option} label={label} height={320} testId="chart-drift" />
          <Table<DriftPoint>
            aria-label={t("driftTable")}
            size="small"
            rowKey="as_of"
            pagination={false}
            dataSource={points}
            columns={[
              { title: t("windowEnd"), dataIndex: "as_of" },
              { title: t("decisions"), dataIndex: "decisions", align: "right", render: (v: number) => int(v) },
              { title: t("scorePsi"), dataIndex: "score_psi", align: "right", render: (v: number | null) => num(v) },
              ...inputs.map((name) => ({
                title: name,
                key: name,
                align: "right" as const,
                render: (_: unknown, p: DriftPoint) => num(p.inputs[name]),
              })),
            ]}
          />
        </>
      )}
    </Titled>
  );
}
