// One collection case (GET /v1/collections/cases/{id}): its open plan — the next best action, why, and every arm's
// expected net recovery and probability — the actions recorded on it, and the form to record one (collection.act).
import { Alert as Banner, Breadcrumb, Card, Col, Descriptions, Empty, Row, Space, Spin, Table, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useLang, useT, type Dict } from "../../i18n";
import { useCan } from "../../session";
import { localeOf } from "../prospects/industries";
import "../alerts/postloan.css";
import { MUTED, TAG } from "../alerts/labels";
import { armLabel, collectionDict, reasonText, yuan } from "./labels";
import RecordAction from "./RecordAction";

type Case = components["schemas"]["CaseOut"];
type Plan = components["schemas"]["PlanOut"];
type Recorded = components["schemas"]["RecordedActionOut"];
interface ArmRow {
  arm: string;
  net: number;
  p: number;
  chosen: boolean;
}

const dict: Dict = {
  zh: {
    list: "催收工作台",
    title: "催收案件",
    nba: "下一步最佳行动",
    noPlan: "该案件当前没有待执行的计划（已执行或被取代）；下一次计划任务会给出新的行动。",
    round: "轮次",
    channel: "渠道",
    propensity: "策略概率",
    net: "预期净回收",
    policy: "催收策略",
    planned: "计划时间",
    why: "为什么推荐",
    arms: "各行动的预期净回收与策略概率",
    colArm: "行动 · 时段",
    colNet: "预期净回收（扣除成本）",
    colP: "策略概率",
    chosen: "推荐",
    history: "行动记录",
    colAt: "时间",
    colArmTaken: "实际行动",
    colFollowed: "是否按计划",
    colBy: "记录人",
    colPromise: "承诺还款",
    colPaid: "回收金额",
    colCured: "结清逾期",
    colComplaint: "投诉",
    yes: "是",
    no: "否",
    deviated: "偏离计划",
    followed: "按计划",
    noActions: "尚无行动记录",
    notFound: "案件不存在或无权查看",
  },
  en: {
    list: "Collections",
    title: "Collection case",
    nba: "Next best action",
    noPlan: "The case has no open plan (acted on or superseded); the next planning run gives it a new action.",
    round: "Round",
    channel: "Channel",
    propensity: "Policy probability",
    net: "Expected net recovery",
    policy: "Collection policy",
    planned: "Planned",
    why: "Why",
    arms: "Every arm's expected net recovery and probability",
    colArm: "Action · window",
    colNet: "Expected net recovery (after cost)",
    colP: "Probability",
    chosen: "Chosen",
    history: "Actions recorded",
    colAt: "At",
    colArmTaken: "Action taken",
    colFollowed: "Plan followed",
    colBy: "Recorded by",
    colPromise: "Promise to pay",
    colPaid: "Paid",
    colCured: "Cured",
    colComplaint: "Complaint",
    yes: "Yes",
    no: "No",
    deviated: "Deviated",
    followed: "Followed",
    noActions: "No action recorded yet",
    notFound: "No such case, or not yours to see",
  },
};

const h3 = (text: string) => (
  <Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>
    {text}
  </Typography.Title>
);

function PlanCard({ plan }: { plan: Plan }) {
  const t = useT(dict);
  const c = useT(collectionDict);
  const locale = localeOf(useLang());
  const pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const arm = plan.next_best_action;
  return (
    <Card title={h3(t("nba"))} data-testid="next-best-action">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {armLabel(arm.arm, c)}
      </Typography.Title>
      <Descriptions size="small" bordered column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }}>
        <Descriptions.Item label={t("channel")}>{c(`channel.${arm.channel}`)}</Descriptions.Item>
        <Descriptions.Item label={t("round")}>{plan.round_no}</Descriptions.Item>
        <Descriptions.Item label={t("propensity")}>{pct.format(plan.propensity)}</Descriptions.Item>
        <Descriptions.Item label={t("net")}>{yuan(plan.expected_net_cents[arm.arm] ?? 0, locale)}</Descriptions.Item>
        <Descriptions.Item label={t("policy")}>{plan.policy_id}</Descriptions.Item>
        <Descriptions.Item label={t("planned")}>{when.format(new Date(plan.planned_at))}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={4}>{t("why")}</Typography.Title>
      <ul data-testid="nba-reasons">
        {plan.reasons.map((r, i) => (
          <li key={i}>{reasonText(r, c, locale)}</li>
        ))}
      </ul>
    </Card>
  );
}

function ArmsCard({ plan }: { plan: Plan }) {
  const t = useT(dict);
  const c = useT(collectionDict);
  const locale = localeOf(useLang());
  const pct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  const rows: ArmRow[] = Object.entries(plan.expected_net_cents)
    .map(([arm, net]) => ({ arm, net, p: plan.pmf[arm] ?? 0, chosen: arm === plan.next_best_action.arm }))
    .sort((a, b) => b.net - a.net);
  const best = Math.max(1, ...rows.map((r) => Math.abs(r.net)));
  return (
    <Card title={h3(t("arms"))}>
      <Table<ArmRow>
        aria-label={t("arms")}
        size="small"
        rowKey="arm"
        dataSource={rows}
        pagination={false}
        columns={[
          {
            title: t("colArm"),
            dataIndex: "arm",
            render: (a: string, r) => (
              <Space size={4}>
                {armLabel(a, c)}
                {r.chosen && <Tag color={TAG.blue}>{t("chosen")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("colNet"),
            dataIndex: "net",
            align: "right",
            render: (v: number) => (
              <Space size={8}>
                {/* a bar for the eye; the number beside it is the figure */}
                <span
                  aria-hidden
                  style={{
                    display: "inline-block",
                    height: 8,
                    width: Math.round((60 * Math.abs(v)) / best),
                    background: v >= 0 ? "#1554ad" : "#cf1322",
                    borderRadius: 2,
                  }}
                />
                {yuan(v, locale)}
              </Space>
            ),
          },
          { title: t("colP"), dataIndex: "p", align: "right", render: (v: number) => pct.format(v) },
        ]}
      />
    </Card>
  );
}

function HistoryCard({ actions }: { actions: Recorded[] }) {
  const t = useT(dict);
  const c = useT(collectionDict);
  const locale = localeOf(useLang());
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" });
  const yn = (v: boolean) => t(v ? "yes" : "no");
  return (
    <Card title={h3(t("history"))} data-testid="case-history">
      <Table<Recorded>
        aria-label={t("history")}
        size="small"
        rowKey="action_id"
        dataSource={actions}
        pagination={false}
        locale={{ emptyText: <span style={MUTED}>{t("noActions")}</span> }}
        className="rl-nowrap-head"
        scroll={{ x: true }}
        columns={[
          { title: t("colAt"), dataIndex: "acted_at", render: (v: string) => when.format(new Date(v)) },
          { title: t("colArmTaken"), dataIndex: "arm", render: (a: string) => armLabel(a, c) },
          {
            title: t("colFollowed"),
            dataIndex: "followed_plan",
            render: (v: boolean) => <Tag color={v ? TAG.green : TAG.brown}>{t(v ? "followed" : "deviated")}</Tag>,
          },
          { title: t("colBy"), dataIndex: "recorded_by" },
          { title: t("colPromise"), dataIndex: "promise_to_pay", render: yn },
          { title: t("colPaid"), dataIndex: "amount_paid_cents", align: "right", render: (v: number) => yuan(v, locale) },
          { title: t("colCured"), dataIndex: "cured", render: yn },
          { title: t("colComplaint"), dataIndex: "complaint", render: yn },
        ]}
      />
    </Card>
  );
}

export default function CollectionCasePage() {
  const { caseId = "" } = useParams();
  const t = useT(dict);
  const can = useCan();
  const [found, setFound] = useState<Case | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api
      .GET("/v1/collections/cases/{case_id}", { params: { path: { case_id: caseId } } })
      .then((r) => {
        setFound(unwrap(r));
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [caseId]);
  useEffect(load, [load]);

  const crumbs = <Breadcrumb items={[{ title: <Link to="/collections">{t("list")}</Link> }, { title: caseId }]} />;
  if (error && !found)
    return (
      <>
        {crumbs}
        <Typography.Title level={2}>{t("title")}</Typography.Title>
        <Banner type="error" showIcon message={t("notFound")} description={error} />
      </>
    );
  if (!found) return <Spin />;
  const plan = found.plan;
  return (
    <>
      {crumbs}
      <Typography.Title level={2} style={{ marginTop: 8 }}>
        {t("title")} · {found.case_id}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Space direction="vertical" size={16} style={{ width: "100%" }}>
            {plan ? <PlanCard plan={plan} /> : <Card title={h3(t("nba"))}><Empty description={t("noPlan")} /></Card>}
            {plan && <ArmsCard plan={plan} />}
          </Space>
        </Col>
        <Col xs={24} xl={10}>
          <Space direction="vertical" size={16} style={{ width: "100%" }}>
            {plan && can("collection.act") && <RecordAction caseId={found.case_id} plan={plan} onDone={load} />}
          </Space>
        </Col>
        <Col span={24}>
          <HistoryCard actions={found.actions} />
        </Col>
      </Row>
    </>
  );
}
