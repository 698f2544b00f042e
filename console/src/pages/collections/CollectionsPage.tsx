// Collection cases (GET /v1/collections/cases): each case's next best action from the active collection policy, why,
// and how sure the policy is; paged by case id. Leads (and auditors) also see the transcript QA cases below.
import { Alert as Banner, Button, Card, Space, Table, Tag, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useLang, useT, type Dict } from "../../i18n";
import { useCan, useSession } from "../../session";
import { localeOf } from "../prospects/industries";
import Choice from "../alerts/Choice";
import "../alerts/postloan.css";
import { TAG } from "../alerts/labels";
import { armLabel, collectionDict, PLAN_STATUSES, reasonText, yuan } from "./labels";
import QaCases from "./QaCases";

type Plan = components["schemas"]["PlanOut"];

const dict: Dict = {
  zh: {
    title: "催收工作台",
    intro: "逾期贷款的催收案件。每个案件的下一步最佳行动由当前生效的催收策略给出，并附理由与策略概率；执行后请记录行动与结果。",
    status: "计划状态",
    all: "全部",
    table: "催收案件列表",
    colCase: "案件编号",
    colRound: "轮次",
    colAction: "下一步最佳行动",
    colPropensity: "策略概率",
    colNet: "预期净回收",
    colWhy: "主要理由",
    colStatus: "状态",
    prev: "上一页",
    next: "下一页",
    pageN: "第 {n} 页",
  },
  en: {
    title: "Collections",
    intro: "Collection cases of overdue loans. The active collection policy gives each case its next best action, with its reasons and probability; record what was done and what it brought.",
    status: "Plan status",
    all: "All",
    table: "Collection cases",
    colCase: "Case",
    colRound: "Round",
    colAction: "Next best action",
    colPropensity: "Probability",
    colNet: "Expected net",
    colWhy: "Main reason",
    colStatus: "Status",
    prev: "Previous",
    next: "Next",
    pageN: "Page {n}",
  },
};

const PAGE = 50;

export default function CollectionsPage() {
  const t = useT(dict);
  const c = useT(collectionDict);
  const lang = useLang();
  const locale = localeOf(lang);
  const can = useCan();
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "open";
  // Cursors of the pages seen so far: the API pages by the last case id of the previous page.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [data, setData] = useState<{ cases: Plan[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const after = cursors[cursors.length - 1];

  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .GET("/v1/collections/cases", { params: { query: { status, limit: PAGE, after } } })
      .then((r) => {
        if (!live) return;
        const body = unwrap(r);
        setData({ cases: body.cases, next: body.next_after });
        setError(null);
      })
      .catch((e: Error) => live && setError(e.message))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [status, after]);

  const pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const columns: ColumnsType<Plan> = [
    {
      title: t("colCase"),
      dataIndex: "case_id",
      width: 150,
      render: (id: string) => (
        <Link to={`/collections/${encodeURIComponent(id)}`} data-testid="case-link">
          {id}
        </Link>
      ),
    },
    { title: t("colRound"), dataIndex: "round_no", align: "right", width: 70 },
    {
      title: t("colAction"),
      key: "nba",
      width: 320,
      render: (_: unknown, p) => (
        <Space size={6}>
          <Typography.Text strong>{armLabel(p.next_best_action.arm, c)}</Typography.Text>
          <Tag>{c(`channel.${p.next_best_action.channel}`)}</Tag>
        </Space>
      ),
    },
    { title: t("colPropensity"), dataIndex: "propensity", align: "right", width: 110, render: (v: number) => pct.format(v) },
    {
      title: t("colNet"),
      key: "net",
      align: "right",
      width: 140,
      render: (_: unknown, p) => yuan(p.expected_net_cents[p.next_best_action.arm] ?? 0, locale),
    },
    {
      title: t("colWhy"),
      dataIndex: "reasons",
      ellipsis: true,
      // the context facts that favour the action say more than its expected net, which has its own column
      render: (r: string[]) => {
        const why = r.find((x) => x.startsWith("favoured by")) ?? r[0];
        return why ? reasonText(why, c, locale) : "—";
      },
    },
    {
      title: t("colStatus"),
      dataIndex: "status",
      width: 110,
      render: (s: string) => <Tag color={s === "open" ? TAG.blue : TAG.grey}>{c(`plan.${s}`)}</Tag>,
    },
  ];

  const seesQa = can("collection.qa") || (me?.roles ?? []).includes("auditor");
  return (
    <>
      <Typography.Title level={2}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("intro")}</Typography.Paragraph>
      <Space direction="vertical" size={16} style={{ width: "100%" }}>
        <Card>
          <Space direction="vertical" size="middle" style={{ width: "100%" }}>
            <Choice
              label={t("status")}
              value={status}
              onChange={(v) => {
                setCursors([undefined]);
                setParams(v === "open" ? {} : { status: String(v) }, { replace: true });
              }}
              options={[...PLAN_STATUSES.map((s) => ({ value: s, label: c(`plan.${s}`) })), { value: "all", label: t("all") }]}
            />
            {error && <Banner type="error" showIcon message={error} />}
            <Table<Plan>
              aria-label={t("table")}
              rowKey="plan_id"
              size="middle"
              loading={loading}
              columns={columns}
              dataSource={data?.cases ?? []}
              pagination={false}
              tableLayout="fixed"
              scroll={{ x: 1000 }}
            />
            <Space>
              <Button disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
                {t("prev")}
              </Button>
              <Typography.Text>{t("pageN", { n: cursors.length })}</Typography.Text>
              <Button disabled={!data?.next} onClick={() => data?.next && setCursors([...cursors, data.next])}>
                {t("next")}
              </Button>
            </Space>
          </Space>
        </Card>
        {seesQa && <QaCases canClose={can("collection.qa")} />}
      </Space>
    </>
  );
}
