// The alert inbox: alerts by level (预警 / 关注 / 提示, with counts), filtered by status, origin and industry on the
// server (GET /v1/alerts), by enterprise, signal and age within the page shown; newest first, paged.
import { Alert as Banner, Card, Input, InputNumber, Select, Space, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import type { components, paths } from "../../api/schema";
import { useLang, useT, type Dict } from "../../i18n";
import { localeOf, sectionName, sectionOptions } from "../prospects/industries";
import Choice from "./Choice";
import "./postloan.css";
import {
  ageDays,
  LEVEL_COLOUR,
  LEVELS,
  ORIGINS,
  postLoanDict,
  signalLabel,
  STATUS_COLOUR,
  STATUSES,
  type Level,
} from "./labels";

type Summary = components["schemas"]["AlertSummaryOut"];
type Query = NonNullable<paths["/v1/alerts"]["get"]["parameters"]["query"]>;

const dict: Dict = {
  zh: {
    title: "贷后预警",
    intro: "监测任务按预警策略对在贷企业及其关联企业生成的预警。按等级处理：确认、处置贷款、关闭。",
    all: "全部",
    levels: "预警等级",
    status: "状态",
    origin: "来源",
    industry: "行业",
    anyStatus: "全部状态",
    anyOrigin: "全部来源",
    anyIndustry: "全部行业",
    enterprise: "企业（统一社会信用代码）",
    signal: "触发信号",
    anySignal: "全部信号",
    minAge: "最短账龄（天）",
    pageNote: "企业、信号与账龄在当前页内筛选；等级、状态、来源、行业由服务端筛选。",
    table: "预警列表",
    colLevel: "等级",
    colEnterprise: "企业",
    colSignal: "信号",
    colPeriod: "所属期",
    colOrigin: "来源",
    colIndustry: "行业",
    colStatus: "状态",
    colOfficer: "贷后经理",
    colAge: "账龄（天）",
    colCreated: "生成时间",
    unassigned: "未分配",
    total: "共 {n} 条",
    shownOfPage: "本页显示 {shown} / {page} 条",
  },
  en: {
    title: "Post-loan alerts",
    intro: "Alerts the monitoring run raised on borrowers and their related firms. Work them by level: acknowledge, act on the loan, close.",
    all: "All",
    levels: "Alert level",
    status: "Status",
    origin: "Origin",
    industry: "Industry",
    anyStatus: "Any status",
    anyOrigin: "Any origin",
    anyIndustry: "Any industry",
    enterprise: "Enterprise (credit code)",
    signal: "Signal",
    anySignal: "Any signal",
    minAge: "Minimum age (days)",
    pageNote: "Enterprise, signal and age filter the page shown; level, status, origin and industry are filtered by the server.",
    table: "Alerts",
    colLevel: "Level",
    colEnterprise: "Enterprise",
    colSignal: "Signal",
    colPeriod: "Period",
    colOrigin: "Origin",
    colIndustry: "Industry",
    colStatus: "Status",
    colOfficer: "Officer",
    colAge: "Age (days)",
    colCreated: "Raised",
    unassigned: "Unassigned",
    total: "{n} in all",
    shownOfPage: "{shown} of {page} on this page shown",
  },
};

const ALL = "all";
const PAGE = 20;

function serverQuery(params: URLSearchParams): Query {
  const q: Record<string, string | number> = {};
  for (const name of ["level", "status", "origin", "industry"]) {
    const value = params.get(name);
    if (value && value !== ALL) q[name] = value;
  }
  const size = Number(params.get("size") ?? PAGE);
  const page = Number(params.get("page") ?? 1);
  q.limit = size;
  q.offset = (page - 1) * size;
  return q as Query;
}

/** How many alerts each level holds under the other filters (one-row pages: the API's `total`). */
function useLevelCounts(query: Query): Record<string, number | undefined> {
  const [counts, setCounts] = useState<Record<string, number | undefined>>({});
  const key = JSON.stringify({ ...query, level: undefined, limit: 1, offset: 0 });
  useEffect(() => {
    let live = true;
    const base = JSON.parse(key) as Query;
    Promise.all(
      [undefined, ...LEVELS].map((level) =>
        api.GET("/v1/alerts", { params: { query: { ...base, level } } }).then((r) => unwrap(r).total),
      ),
    )
      .then(([all, ...byLevel]) => {
        if (live) setCounts({ all, ...Object.fromEntries(LEVELS.map((l, i) => [l, byLevel[i]])) });
      })
      .catch(() => live && setCounts({}));
    return () => {
      live = false;
    };
  }, [key]);
  return counts;
}

export default function AlertsPage() {
  const t = useT(dict);
  const l = useT(postLoanDict);
  const lang = useLang();
  const locale = localeOf(lang);
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => serverQuery(params), [params]);
  const counts = useLevelCounts(query);
  const [data, setData] = useState<{ alerts: Summary[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [enterprise, setEnterprise] = useState("");
  const [signal, setSignal] = useState<string>(ALL);
  const [minAge, setMinAge] = useState<number | null>(null);

  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .GET("/v1/alerts", { params: { query } })
      .then((r) => {
        if (!live) return;
        const body = unwrap(r);
        setData({ alerts: body.alerts, total: body.total });
        setError(null);
      })
      .catch((e: Error) => live && setError(e.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [query]);

  const set = (changes: Record<string, string | number | null>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null || value === ALL || value === "") next.delete(name);
      else next.set(name, String(value));
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next, { replace: true });
  };

  const page = data?.alerts ?? [];
  const signals = [...new Set(page.map((a) => a.signal))].sort();
  const shown = page.filter(
    (a) =>
      (!enterprise || a.credit_code.includes(enterprise.trim().toUpperCase())) &&
      (signal === ALL || a.signal === signal) &&
      (minAge === null || ageDays(a.created_at) >= minAge),
  );
  const level = params.get("level") ?? ALL;
  const size = Number(params.get("size") ?? PAGE);
  const current = Number(params.get("page") ?? 1);
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" });

  const columns: ColumnsType<Summary> = [
    {
      title: t("colLevel"),
      dataIndex: "level",
      render: (v: Level) => <Tag color={LEVEL_COLOUR[v]}>{l(`level.${v}`)}</Tag>,
    },
    {
      title: t("colEnterprise"),
      dataIndex: "credit_code",
      render: (code: string, a) => (
        <Link to={`/alerts/${encodeURIComponent(a.alert_id)}`} data-testid="alert-link">
          {code}
        </Link>
      ),
    },
    { title: t("colSignal"), dataIndex: "signal", render: (s: string) => signalLabel(s, l) },
    { title: t("colPeriod"), dataIndex: "period", className: "rl-nowrap" },
    { title: t("colOrigin"), dataIndex: "origin", render: (o: string) => l(`origin.${o}`) },
    { title: t("colIndustry"), dataIndex: "industry_section", render: (s: string | null) => sectionName(s, lang) },
    {
      title: t("colStatus"),
      dataIndex: "status",
      render: (s: string) => <Tag color={STATUS_COLOUR[s]}>{l(`status.${s}`)}</Tag>,
    },
    { title: t("colOfficer"), dataIndex: "officer", render: (o: string | null) => o ?? t("unassigned") },
    {
      title: t("colAge"),
      key: "age",
      align: "right",
      render: (_: unknown, a) => ageDays(a.created_at),
      sorter: (a, b) => Date.parse(b.created_at) - Date.parse(a.created_at),
    },
    { title: t("colCreated"), dataIndex: "created_at", className: "rl-nowrap", render: (v: string) => dateTime.format(new Date(v)) },
  ];

  const countOf = (key: string) => (counts[key] === undefined ? "" : ` (${counts[key]})`);
  return (
    <>
      <Typography.Title level={2}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("intro")}</Typography.Paragraph>
      <Card>
        <Space direction="vertical" size="middle" style={{ width: "100%" }}>
          <Choice
            label={t("levels")}
            testId="level-filter"
            value={level}
            onChange={(v) => set({ level: v })}
            options={[ALL, ...LEVELS].map((k) => ({
              value: k,
              label: `${k === ALL ? t("all") : l(`level.${k}`)}${countOf(k)}`,
            }))}
          />
          <Space wrap>
            <Select
              aria-label={t("status")}
              data-testid="status-filter"
              style={{ width: 130 }}
              value={params.get("status") ?? ALL}
              onChange={(v) => set({ status: v })}
              options={[{ value: ALL, label: t("anyStatus") }, ...STATUSES.map((s) => ({ value: s, label: l(`status.${s}`) }))]}
            />
            <Select
              aria-label={t("origin")}
              style={{ width: 130 }}
              value={params.get("origin") ?? ALL}
              onChange={(v) => set({ origin: v })}
              options={[{ value: ALL, label: t("anyOrigin") }, ...ORIGINS.map((o) => ({ value: o, label: l(`origin.${o}`) }))]}
            />
            <Select
              aria-label={t("industry")}
              style={{ width: 220 }}
              showSearch
              optionFilterProp="label"
              value={params.get("industry") ?? ALL}
              onChange={(v) => set({ industry: v })}
              options={[{ value: ALL, label: t("anyIndustry") }, ...sectionOptions(lang)]}
            />
            <Input
              aria-label={t("enterprise")}
              placeholder={t("enterprise")}
              allowClear
              style={{ width: 210 }}
              value={enterprise}
              onChange={(e) => setEnterprise(e.target.value)}
            />
            <Select
              aria-label={t("signal")}
              style={{ width: 190 }}
              value={signal}
              onChange={setSignal}
              options={[{ value: ALL, label: t("anySignal") }, ...signals.map((s) => ({ value: s, label: signalLabel(s, l) }))]}
            />
            <InputNumber
              aria-label={t("minAge")}
              placeholder={t("minAge")}
              min={0}
              style={{ width: 140 }}
              value={minAge}
              onChange={(v) => setMinAge(v === null ? null : Number(v))}
            />
          </Space>
          <Typography.Text type="secondary">{t("pageNote")}</Typography.Text>
          {error && <Banner type="error" showIcon message={error} />}
          <Table<Summary>
            aria-label={t("table")}
            rowKey="alert_id"
            className="rl-nowrap-head"
            size="middle"
            loading={loading}
            columns={columns}
            dataSource={shown}
            scroll={{ x: true }}
            pagination={{
              current,
              pageSize: size,
              total: data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions: [20, 50, 100, 200],
              showTotal: (n) =>
                `${t("total", { n })}${shown.length !== page.length ? ` · ${t("shownOfPage", { shown: shown.length, page: page.length })}` : ""}`,
              onChange: (p, s) => set({ page: s !== size ? 1 : p, size: s }),
            }}
          />
        </Space>
      </Card>
    </>
  );
}
