// Prospects (营销阶段潜在客户): the newest screening run (GET /v1/prospects/runs/latest) and its best N prospects
// (GET /v1/prospects) with score, growth, PD, the fitting product and the reasons in the UI's language; filtered by
// industry; exported as CSV or XLSX by analysts (GET /v1/prospects/export, audited by the API).
import { DownloadOutlined, MinusSquareOutlined, PlusSquareOutlined } from "@ant-design/icons";
import { Alert as Banner, App, Button, Card, Descriptions, Select, Space, Spin, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useEffect, useState } from "react";
import { api, download, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useLang, useT, type Dict } from "../../i18n";
import { useCan } from "../../session";
import { localeOf, sectionOptions } from "./industries";
import "../alerts/postloan.css";
import { MUTED } from "../alerts/labels";
import ProspectCharts from "./ProspectCharts";

type Run = components["schemas"]["ProspectRunOut"];
type Prospect = components["schemas"]["ProspectOut"];

const dict: Dict = {
  zh: {
    title: "潜在客户",
    intro: "营销阶段筛选出的优质潜在客户：评分为未来12个月销售增长两成以上且不违约的概率，并给出适配产品与推荐理由。企业名称的每次查看与导出均记入审计。",
    run: "筛选批次",
    runId: "批次编号",
    asOf: "数据日期",
    created: "筛选时间",
    by: "发起人",
    screened: "筛选企业数",
    ranked: "入选企业数",
    excluded: "排除原因",
    versions: "所用版本",
    industry: "行业",
    anyIndustry: "全部行业",
    top: "名单范围",
    topN: "前 {n} 名",
    exportCsv: "导出 CSV",
    exportXlsx: "导出 Excel",
    exported: "已导出 {file}",
    table: "潜在客户名单",
    colRank: "排名",
    colName: "企业",
    colIndustry: "行业",
    colRegion: "地区",
    colScore: "评分",
    colGrowthP: "增长概率",
    colPd: "违约概率",
    colGrowth: "预测12个月增长（80%区间）",
    colSales: "近12个月销售额",
    colTax: "纳税信用",
    colOffer: "推荐产品",
    colReasons: "推荐理由",
    offerTerms: "参考额度 {limit} · {tenor} 个月 · 年利率 {lo}%–{hi}%",
    total: "符合条件共 {n} 户，显示前 {shown} 户",
    noRun: "尚无筛选批次",
    expand: "展开 {name} 的推荐理由与产品",
    collapse: "收起 {name} 的推荐理由与产品",
  },
  en: {
    title: "Prospects",
    intro: "Prospects screened for marketing: the score is the probability of growing sales by 20 % or more over 12 months without default, with the product that fits and the reasons. Every view of names and every export is audited.",
    run: "Screening run",
    runId: "Run",
    asOf: "Data as of",
    created: "Screened at",
    by: "By",
    screened: "Screened",
    ranked: "Ranked",
    excluded: "Excluded",
    versions: "Versions",
    industry: "Industry",
    anyIndustry: "Any industry",
    top: "List size",
    topN: "Top {n}",
    exportCsv: "Export CSV",
    exportXlsx: "Export Excel",
    exported: "Exported {file}",
    table: "Prospects",
    colRank: "Rank",
    colName: "Enterprise",
    colIndustry: "Industry",
    colRegion: "Region",
    colScore: "Score",
    colGrowthP: "P(growth)",
    colPd: "PD",
    colGrowth: "12m growth forecast (80 % interval)",
    colSales: "Last 12m sales",
    colTax: "Tax grade",
    colOffer: "Product",
    colReasons: "Reasons",
    offerTerms: "Limit {limit} · {tenor} months · {lo}%–{hi}% a year",
    total: "{n} match; the best {shown} shown",
    noRun: "No screening run yet",
    expand: "Show the reasons and product of {name}",
    collapse: "Hide the reasons and product of {name}",
  },
};

const TOPS = [50, 100, 200, 500, 1000];

function RunCard({ run }: { run: Run }) {
  const t = useT(dict);
  const locale = localeOf(useLang());
  const num = new Intl.NumberFormat(locale);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  return (
    <Card title={<Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>{t("run")}</Typography.Title>} data-testid="prospect-run">
      <Descriptions size="small" labelStyle={MUTED} column={{ xs: 1, sm: 2, md: 3, lg: 3, xl: 4, xxl: 4 }}>
        <Descriptions.Item label={t("runId")}>{run.run_id}</Descriptions.Item>
        <Descriptions.Item label={t("asOf")}>{run.as_of}</Descriptions.Item>
        <Descriptions.Item label={t("created")}>{when.format(new Date(run.created_at))}</Descriptions.Item>
        <Descriptions.Item label={t("by")}>{run.created_by}</Descriptions.Item>
        <Descriptions.Item label={t("screened")}>{num.format(run.screened)}</Descriptions.Item>
        <Descriptions.Item label={t("ranked")}>{num.format(run.ranked)}</Descriptions.Item>
        <Descriptions.Item label={t("excluded")} span={2}>
          <Space size={[4, 4]} wrap>
            {Object.entries(run.excluded).map(([code, n]) => (
              <Tag key={code}>
                {code} {num.format(n)}
              </Tag>
            ))}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t("versions")} span={4}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {Object.entries(run.versions)
              .map(([k, v]) => `${k}: ${v}`)
              .join(" · ")}
          </Typography.Text>
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

/** The row opened: every reason and the product's indicative terms. */
function ProspectMore({ p }: { p: Prospect }) {
  const t = useT(dict);
  const lang = useLang();
  const money = new Intl.NumberFormat(localeOf(lang), { style: "currency", currency: "CNY", maximumFractionDigits: 0 });
  return (
    <Space align="start" size={48} wrap style={{ paddingInlineStart: 8 }}>
      <div>
        <Typography.Text strong>{t("colReasons")}</Typography.Text>
        <ul style={{ margin: "4px 0 0", paddingInlineStart: 20 }} data-testid="prospect-reasons">
          {p.reason_text.map((x, i) => (
            <li key={i}>{x}</li>
          ))}
        </ul>
      </div>
      {p.offer && (
        <div>
          <Typography.Text strong>{t("colOffer")}</Typography.Text>
          <div>{lang === "zh" ? p.offer.name_zh : p.offer.name_en}</div>
          <Typography.Text type="secondary">
            {t("offerTerms", { limit: money.format(p.offer.limit_cents / 100), tenor: p.offer.tenor_months, lo: p.offer.rate_low, hi: p.offer.rate_high })}
          </Typography.Text>
        </div>
      )}
    </Space>
  );
}

function useColumns(): ColumnsType<Prospect> {
  const t = useT(dict);
  const lang = useLang();
  const locale = localeOf(lang);
  const pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const pd = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 });
  const money = new Intl.NumberFormat(locale, { style: "currency", currency: "CNY", notation: "compact", maximumFractionDigits: 1 });
  const growth = (p: Prospect) =>
    p.growth_12m === null
      ? "—"
      : `${pct.format(p.growth_12m)} (${p.growth_12m_lo === null ? "—" : pct.format(p.growth_12m_lo)} ~ ${p.growth_12m_hi === null ? "—" : pct.format(p.growth_12m_hi)})`;
  return [
    { title: t("colRank"), dataIndex: "rank", align: "right", width: 64, fixed: "left" },
    {
      title: t("colName"),
      dataIndex: "name",
      fixed: "left",
      width: 240,
      render: (name: string, p) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{name}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {p.credit_code}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t("colIndustry"), dataIndex: "industry", ellipsis: true, width: 180 },
    { title: t("colRegion"), dataIndex: "region", width: 100 },
    { title: t("colScore"), dataIndex: "score", align: "right", width: 80, render: (v: number) => v.toFixed(3) },
    { title: t("colGrowthP"), dataIndex: "p_growth", align: "right", width: 100, render: (v: number) => pct.format(v) },
    { title: t("colPd"), dataIndex: "pd", align: "right", width: 100, render: (v: number) => pd.format(v) },
    { title: t("colGrowth"), key: "growth", align: "right", width: 230, render: (_: unknown, p) => growth(p) },
    { title: t("colSales"), dataIndex: "last_12m_sales_cents", align: "right", width: 130, render: (v: number) => money.format(v / 100) },
    { title: t("colTax"), dataIndex: "tax_grade", align: "center", width: 90, render: (v: string | null) => v ?? "—" },
    {
      title: t("colOffer"),
      dataIndex: "offer",
      width: 150,
      render: (o: Prospect["offer"]) => (o ? (lang === "zh" ? o.name_zh : o.name_en) : "—"),
    },
    {
      title: t("colReasons"),
      dataIndex: "reason_text",
      ellipsis: true,
      width: 280,
      render: (r: string[]) => r[0] ?? "—",
    },
  ];
}

export default function ProspectsPage() {
  const t = useT(dict);
  const lang = useLang();
  const can = useCan();
  const { message } = App.useApp();
  const [run, setRun] = useState<Run | null>(null);
  const [industry, setIndustry] = useState<string | undefined>(undefined);
  const [top, setTop] = useState(100);
  const [page, setPage] = useState<{ prospects: Prospect[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [exporting, setExporting] = useState<string | null>(null);
  const columns = useColumns();

  useEffect(() => {
    api
      .GET("/v1/prospects/runs/latest", {})
      .then((r) => setRun(unwrap(r)))
      .catch((e: Error) => setError(e.message));
  }, []);

  useEffect(() => {
    if (!run) return;
    let live = true;
    setLoading(true);
    api
      .GET("/v1/prospects", { params: { query: { run_id: run.run_id, industry, top, offset: 0, lang } } })
      .then((r) => {
        if (!live) return;
        const body = unwrap(r);
        setPage({ prospects: body.prospects, total: body.total });
        setError(null);
      })
      .catch((e: Error) => live && setError(e.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [run, industry, top, lang]);

  const exportAs = async (format: "csv" | "xlsx") => {
    if (!run) return;
    const query = new URLSearchParams({ format, run_id: run.run_id, top: String(top), lang });
    if (industry) query.set("industry", industry);
    const file = `${lang === "zh" ? "潜在客户" : "prospects"}-${run.as_of}${industry ? `-${industry}` : ""}-top${top}.${format}`;
    setExporting(format);
    try {
      await download(`/v1/prospects/export?${query.toString()}`, file);
      message.success(t("exported", { file }));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setExporting(null);
    }
  };

  const mayExport = can("prospect.act") || can("prospect.export");
  return (
    <>
      <Typography.Title level={2}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("intro")}</Typography.Paragraph>
      {error && <Banner type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      {!run && !error && <Spin />}
      {run && (
        <Space direction="vertical" size={16} style={{ width: "100%" }}>
          <RunCard run={run} />
          <Card>
            <Space wrap style={{ marginBottom: 16 }}>
              <Select
                aria-label={t("industry")}
                data-testid="industry-filter"
                style={{ width: 280 }}
                allowClear
                showSearch
                optionFilterProp="label"
                placeholder={t("anyIndustry")}
                value={industry}
                onChange={(v) => setIndustry(v ?? undefined)}
                options={sectionOptions(lang)}
              />
              <Select
                aria-label={t("top")}
                data-testid="top-filter"
                style={{ width: 140 }}
                value={top}
                onChange={setTop}
                options={TOPS.map((n) => ({ value: n, label: t("topN", { n }) }))}
              />
              {mayExport && (
                <>
                  <Button icon={<DownloadOutlined />} loading={exporting === "csv"} onClick={() => exportAs("csv")} data-testid="export-csv">
                    {t("exportCsv")}
                  </Button>
                  <Button icon={<DownloadOutlined />} loading={exporting === "xlsx"} onClick={() => exportAs("xlsx")} data-testid="export-xlsx">
                    {t("exportXlsx")}
                  </Button>
                </>
              )}
            </Space>
            {page && (
              <Typography.Paragraph type="secondary">
                {t("total", { n: page.total, shown: page.prospects.length })}
              </Typography.Paragraph>
            )}
            {page && page.prospects.length > 0 && <ProspectCharts prospects={page.prospects} />}
            <Table<Prospect>
              aria-label={t("table")}
              style={{ marginTop: 16 }}
              rowKey="rank"
              size="small"
              loading={loading}
              columns={columns}
              dataSource={page?.prospects ?? []}
              expandable={{
                expandedRowRender: (p) => <ProspectMore p={p} />,
                // antd's own expand icon is a button without a name (axe: button-name)
                expandIcon: ({ expanded, onExpand, record }) => (
                  <Button
                    size="small"
                    type="text"
                    icon={expanded ? <MinusSquareOutlined /> : <PlusSquareOutlined />}
                    aria-expanded={expanded}
                    aria-label={t(expanded ? "collapse" : "expand", { name: record.name })}
                    onClick={(e) => onExpand(record, e)}
                  />
                ),
              }}
              pagination={{ pageSize: 20, showSizeChanger: false }}
              scroll={{ x: 1800 }}
            />
          </Card>
        </Space>
      )}
    </>
  );
}
