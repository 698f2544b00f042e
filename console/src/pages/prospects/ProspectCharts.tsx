// Two pictures of the list shown: how its scores are distributed (bars, with the counts in a table beside them) and
// where each prospect sits on growth against default risk (scatter; the same figures are in the list's columns).
// ECharts is imported piecewise so the page carries only the bar and scatter charts.
import { Card, Col, Row, Table, Typography } from "antd";
import { BarChart, ScatterChart } from "echarts/charts";
import { GridComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useMemo, useRef } from "react";
import type { components } from "../../api/schema";
import { useLang, useT, type Dict } from "../../i18n";
import { localeOf } from "./industries";

echarts.use([BarChart, ScatterChart, GridComponent, TooltipComponent, CanvasRenderer]);

type Prospect = components["schemas"]["ProspectOut"];

const dict: Dict = {
  zh: {
    distribution: "评分分布（当前列表）",
    distributionAria: "当前列表 {n} 家潜在客户的评分分布柱状图，分箱与户数见旁边的表格",
    bins: "评分分布明细",
    colBin: "评分区间",
    colCount: "户数",
    scatter: "增长概率与违约概率（当前列表）",
    scatterAria: "当前列表 {n} 家潜在客户的增长概率（纵轴）与违约概率（横轴）散点图，各户数值见下方名单的“增长概率”“违约概率”列",
    growth: "增长概率",
    pd: "违约概率",
    count: "户数",
  },
  en: {
    distribution: "Score distribution (this list)",
    distributionAria: "Bar chart of the scores of the {n} prospects listed; bins and counts are in the table beside it",
    bins: "Score distribution figures",
    colBin: "Score",
    colCount: "Prospects",
    scatter: "Growth probability against PD (this list)",
    scatterAria: "Scatter of the {n} prospects listed: probability of growth (vertical) against PD (horizontal); each one's figures are in the list's columns below",
    growth: "P(growth)",
    pd: "PD",
    count: "Prospects",
  },
};

const BINS = 10;

interface Bin {
  label: string;
  count: number;
}

/** Scores in about ten equal bins spanning the list's range (a top-N list is narrow: fixed 0.1 bins would put it
 * in two or three bars); the bin width is a whole hundredth so the labels read as they are. */
export function scoreBins(scores: number[]): Bin[] {
  if (scores.length === 0) return [];
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  const step = Math.max(0.01, Math.ceil(((max - min) / BINS) * 100) / 100);
  const lo = Math.floor(min / step) * step;
  const n = Math.max(1, Math.min(BINS + 1, Math.floor((max - lo) / step + 1e-9) + 1));
  const counts = new Array<number>(n).fill(0);
  for (const s of scores) counts[Math.min(n - 1, Math.floor((s - lo) / step + 1e-9))] += 1;
  return counts.map((count, i) => ({
    label: `${(lo + i * step).toFixed(2)}–${(lo + (i + 1) * step).toFixed(2)}`,
    count,
  }));
}

function EChart({ option, ariaLabel, testId }: { option: echarts.EChartsCoreOption; ariaLabel: string; testId: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const chart = echarts.init(box.current);
    chart.setOption(option);
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(box.current);
    return () => {
      resize.disconnect();
      chart.dispose();
    };
  }, [option]);
  return <div ref={box} role="img" aria-label={ariaLabel} data-testid={testId} style={{ height: 260, width: "100%" }} />;
}

export default function ProspectCharts({ prospects }: { prospects: Prospect[] }) {
  const t = useT(dict);
  const lang = useLang();
  const locale = localeOf(lang);
  const bins = useMemo(() => scoreBins(prospects.map((p) => p.score)), [prospects]);
  const pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const barOption = useMemo(
    () => ({
      animation: false,
      grid: { left: 48, right: 16, top: 24, bottom: 64 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: bins.map((b) => b.label), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", name: t("count"), minInterval: 1 },
      series: [{ type: "bar", data: bins.map((b) => b.count), itemStyle: { color: "#1554ad" } }],
    }),
    // t and pct follow the language: the option is rebuilt when it changes (not on every render)
    [bins, lang],
  );
  const scatterOption = useMemo(
    () => ({
      animation: false,
      grid: { left: 56, right: 16, top: 24, bottom: 40 },
      tooltip: {
        trigger: "item",
        formatter: (p: { data: [number, number, string] }) =>
          `${p.data[2]}<br/>${t("pd")} ${pct.format(p.data[0])} · ${t("growth")} ${pct.format(p.data[1])}`,
      },
      xAxis: { type: "value", name: t("pd"), axisLabel: { formatter: (v: number) => pct.format(v) } },
      yAxis: { type: "value", name: t("growth"), min: 0, max: 1, axisLabel: { formatter: (v: number) => pct.format(v) } },
      series: [
        {
          type: "scatter",
          symbolSize: 7,
          itemStyle: { color: "#13a8a8", opacity: 0.75 },
          data: prospects.map((p) => [p.pd, p.p_growth, `${p.rank}. ${p.name}`]),
        },
      ],
    }),
    [prospects, lang],
  );
  const title = (text: string) => (
    <Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>
      {text}
    </Typography.Title>
  );
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={12}>
        <Card title={title(t("distribution"))}>
          <Row gutter={16}>
            <Col xs={24} md={15}>
              <EChart option={barOption} ariaLabel={t("distributionAria", { n: prospects.length })} testId="score-chart" />
            </Col>
            <Col xs={24} md={9}>
              <Table<Bin>
                aria-label={t("bins")}
                size="small"
                rowKey="label"
                pagination={false}
                dataSource={bins}
                columns={[
                  { title: t("colBin"), dataIndex: "label" },
                  { title: t("colCount"), dataIndex: "count", align: "right" },
                ]}
              />
            </Col>
          </Row>
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Card title={title(t("scatter"))}>
          <EChart option={scatterOption} ariaLabel={t("scatterAria", { n: prospects.length })} testId="growth-pd-chart" />
        </Card>
      </Col>
    </Row>
  );
}
