// Vintage curves: each disbursal-month cohort's observed bad rate at 3, 6 and 12 months on book (a point appears once
// the cohort has had that long), with loans, bads and the model's predicted PD in the table.
import { Empty, Table } from "antd";
import { useMemo } from "react";
import { useT } from "../../i18n";
import { dict } from "./dict";
import { EChart, PALETTE, type ChartOption } from "./EChart";
import { pct } from "./format";
import { HORIZONS, type Vintage } from "./modelsApi";
import { Titled } from "./Titled";

interface CohortRow {
  cohort: string;
  byMob: Record<number, Vintage | undefined>;
}

/** One row per cohort with its figure at each months-on-book horizon. */
export function cohorts(vintages: Record<number, Vintage[]>): CohortRow[] {
  const rows = new Map<string, CohortRow>();
  for (const h of HORIZONS) {
    for (const v of vintages[h] ?? []) {
      const row = rows.get(v.vintage) ?? { cohort: v.vintage, byMob: {} };
      row.byMob[h] = v;
      rows.set(v.vintage, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.cohort.localeCompare(b.cohort));
}

export function VintageCard({ vintages }: { vintages: Record<number, Vintage[]> }) {
  const t = useT(dict);
  const rows = useMemo(() => cohorts(vintages), [vintages]);
  const option: ChartOption = useMemo(
    () => ({
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: (v: number) => pct(v, 2) },
      legend: { top: 0, type: "scroll" },
      grid: { left: 16, right: 24, bottom: 8, top: 40, containLabel: true },
      xAxis: { type: "category", data: HORIZONS.map((m) => t("mob", { m })) },
      yAxis: {
        type: "value",
        max: (v: { max: number }) => Math.max(v.max * 1.2, 0.05), // no bads yet: keep a readable scale
        axisLabel: { formatter: (v: number) => pct(v, 0) },
      },
      series: rows.map((r) => ({
        name: r.cohort,
        type: "line",
        connectNulls: false,
        data: HORIZONS.map((m) => r.byMob[m]?.observed ?? null),
      })),
    }),
    [rows, t],
  );
  const cell = (v: Vintage | undefined) => (v ? `${pct(v.observed, 2)} (${v.bads}/${v.rows})` : "—");
  const label =
    `${t("vintage")}: ` +
    rows.map((r) => `${r.cohort} ${HORIZONS.map((m) => pct(r.byMob[m]?.observed, 2)).join(" / ")}`).join("; ");
  return (
    <Titled title={t("vintage")}>
      {rows.length === 0 ? (
        <Empty description={t("noVintage")} />
      ) : (
        <>
          <EChart option={option} label={label} height={300} testId="chart-vintage" />
          <Table<CohortRow>
            aria-label={t("vintageTable")}
            size="small"
            rowKey="cohort"
            pagination={false}
            dataSource={rows}
            columns={[
              { title: t("cohort"), dataIndex: "cohort" },
              ...HORIZONS.map((m) => ({
                title: t("mob", { m }),
                key: `mob${m}`,
                align: "right" as const,
                render: (_: unknown, r: CohortRow) => cell(r.byMob[m]),
              })),
              {
                title: t("predicted"),
                key: "predicted",
                align: "right" as const,
                render: (_: unknown, r: CohortRow) => pct(HORIZONS.map((m) => r.byMob[m]).find(Boolean)?.predicted, 2),
              },
            ]}
          />
        </>
      )}
    </Titled>
  );
}
