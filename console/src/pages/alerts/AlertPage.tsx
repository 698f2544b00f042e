// One alert (GET /v1/alerts/{id}): what raised it (the signals, their values against the rules' thresholds, the
// policy), the propagation path when it came over the graph, the actions on its loan and its audited history; the
// officer's steps for those who may take them (alert.act).
import { Alert as Banner, Breadcrumb, Card, Col, Descriptions, Empty, Row, Space, Spin, Table, Tag, Timeline, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useLang, useT, type Dict } from "../../i18n";
import { useCan } from "../../session";
import { localeOf, sectionName } from "../prospects/industries";
import AlertSteps from "./AlertSteps";
import { formatSignal, LEVEL_COLOUR, postLoanDict, signalLabel, STATUS_COLOUR, TAG, MUTED } from "./labels";
import PropagationPath from "./PropagationPath";

type Detail = components["schemas"]["AlertDetailOut"];
type SignalRow = components["schemas"]["SignalOut"] & { key: number };
type LoanAction = components["schemas"]["LoanActionOut"];

const dict: Dict = {
  zh: {
    inbox: "贷后预警",
    title: "预警详情",
    facts: "预警信息",
    alertId: "预警编号",
    enterprise: "企业（统一社会信用代码）",
    loan: "贷款编号",
    signal: "触发信号",
    period: "所属期",
    origin: "来源",
    industry: "行业",
    kind: "企业类型",
    officer: "贷后经理",
    created: "生成时间",
    updated: "更新时间",
    company: "企业",
    individual_business: "个体工商户",
    noLoan: "无（关联企业）",
    unassigned: "未分配",
    steps: "处理",
    evidence: "预警依据",
    policy: "预警策略 {policy} 第 {version} 版",
    signals: "触发规则与信号值",
    colSignal: "信号",
    colValue: "观测值",
    colRule: "规则（阈值 × 系数）",
    colCoef: "系数",
    colFired: "触发",
    thisSignal: "本预警信号",
    propagationFacts: "传导信息",
    actions: "贷款处置记录",
    colAction: "措施",
    colReason: "原因",
    colActor: "经办人",
    colAt: "时间",
    noActions: "尚无处置记录",
    history: "处理历史",
    noHistory: "暂无历史",
    notFound: "预警不存在或无权查看",
  },
  en: {
    inbox: "Post-loan alerts",
    title: "Alert",
    facts: "Alert",
    alertId: "Alert id",
    enterprise: "Enterprise (credit code)",
    loan: "Loan",
    signal: "Signal",
    period: "Period",
    origin: "Origin",
    industry: "Industry",
    kind: "Enterprise kind",
    officer: "Officer",
    created: "Raised",
    updated: "Updated",
    company: "Company",
    individual_business: "Individual business",
    noLoan: "None (related firm)",
    unassigned: "Unassigned",
    steps: "Work the alert",
    evidence: "Evidence",
    policy: "Warning policy {policy} version {version}",
    signals: "Rules that fired and the signals' values",
    colSignal: "Signal",
    colValue: "Value",
    colRule: "Rule (threshold × coefficient)",
    colCoef: "Coefficient",
    colFired: "Fired",
    thisSignal: "this alert's signal",
    propagationFacts: "Propagation",
    actions: "Actions on the loan",
    colAction: "Action",
    colReason: "Reason",
    colActor: "Officer",
    colAt: "At",
    noActions: "No action taken yet",
    history: "History",
    noHistory: "No history yet",
    notFound: "No such alert, or not yours to see",
  },
};

const h3 = (text: string) => (
  <Typography.Title level={3} style={{ margin: 0, fontSize: 16 }}>
    {text}
  </Typography.Title>
);

function EvidenceCard({ alert }: { alert: Detail }) {
  const t = useT(dict);
  const l = useT(postLoanDict);
  const locale = localeOf(useLang());
  const { evidence } = alert;
  const propagated = evidence.path.length > 0;
  const rows: SignalRow[] = evidence.signals.map((s, key) => ({ ...s, key }));
  const fmt = (name: string, v: unknown) => formatSignal(name, v, l, locale);
  return (
    <Card title={h3(t("evidence"))} data-testid="evidence">
      <Typography.Paragraph>{t("policy", { policy: evidence.policy, version: evidence.policy_version })}</Typography.Paragraph>
      {propagated ? (
        <Descriptions size="small" column={1} bordered title={<Typography.Title level={4} style={{ margin: 0, fontSize: 14 }}>{t("propagationFacts")}</Typography.Title>}>
          {rows.map((s) => (
            <Descriptions.Item key={s.key} label={signalLabel(s.name, l)}>
              {fmt(s.name, s.value)}
            </Descriptions.Item>
          ))}
        </Descriptions>
      ) : (
        <Table<SignalRow>
          aria-label={t("signals")}
          size="small"
          pagination={false}
          dataSource={rows}
          rowKey="key"
          columns={[
            {
              title: t("colSignal"),
              dataIndex: "name",
              render: (n: string, s) => (
                <Space size={4} wrap>
                  {signalLabel(n, l)}
                  {s.key === 0 && n === alert.signal && <Tag color={TAG.blue}>{t("thisSignal")}</Tag>}
                </Space>
              ),
            },
            { title: t("colValue"), dataIndex: "value", align: "right", render: (v, s) => fmt(s.name, v) },
            {
              title: t("colRule"),
              dataIndex: "threshold",
              align: "right",
              render: (v, s) => `≥ ${fmt(s.name, v)}`,
            },
            {
              title: t("colCoef"),
              dataIndex: "coefficient",
              align: "right",
              render: (v: number | null) => (v === null ? "—" : new Intl.NumberFormat(locale).format(v)),
            },
          ]}
        />
      )}
    </Card>
  );
}

function ActionsCard({ actions }: { actions: LoanAction[] }) {
  const t = useT(dict);
  const l = useT(postLoanDict);
  const when = new Intl.DateTimeFormat(localeOf(useLang()), { dateStyle: "medium", timeStyle: "short" });
  return (
    <Card title={h3(t("actions"))}>
      <Table<LoanAction>
        aria-label={t("actions")}
        size="small"
        pagination={false}
        rowKey="action_id"
        dataSource={actions}
        locale={{ emptyText: <span style={MUTED}>{t("noActions")}</span> }}
        columns={[
          { title: t("colAction"), dataIndex: "action", render: (a: string) => l(`action.${a}`) },
          { title: t("colReason"), dataIndex: "reasons", render: (r: string[]) => r.join("；") },
          { title: t("colActor"), dataIndex: "actor" },
          { title: t("colAt"), dataIndex: "at", render: (v: string) => when.format(new Date(v)) },
        ]}
      />
    </Card>
  );
}

function HistoryCard({ history }: { history: Detail["history"] }) {
  const t = useT(dict);
  const l = useT(postLoanDict);
  const when = new Intl.DateTimeFormat(localeOf(useLang()), { dateStyle: "medium", timeStyle: "short" });
  const stepLabel = (a: string) => (l(`step.${a}`) === `step.${a}` ? a : l(`step.${a}`));
  const note = (d: Record<string, unknown>) =>
    [d.action ? l(`action.${String(d.action)}`) : null, d.comment ?? d.reason ?? null].filter(Boolean).join("：");
  return (
    <Card title={h3(t("history"))} data-testid="history">
      {history.length === 0 ? (
        <Empty description={t("noHistory")} />
      ) : (
        <Timeline
          items={history.map((h) => ({
            children: (
              <>
                <Typography.Text strong>{stepLabel(h.action)}</Typography.Text> · {h.actor} · {when.format(new Date(h.at))}
                {note(h.detail) && <div>{note(h.detail)}</div>}
              </>
            ),
          }))}
        />
      )}
    </Card>
  );
}

function FactsCard({ alert }: { alert: Detail }) {
  const t = useT(dict);
  const l = useT(postLoanDict);
  const lang = useLang();
  const when = new Intl.DateTimeFormat(localeOf(lang), { dateStyle: "medium", timeStyle: "short" });
  return (
    <Card title={h3(t("facts"))}>
      <Descriptions size="small" bordered labelStyle={{ whiteSpace: "nowrap" }} column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }}>
        <Descriptions.Item label={t("enterprise")}>
          <span data-testid="alert-enterprise">{alert.credit_code}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("loan")}>{alert.loan_id ?? t("noLoan")}</Descriptions.Item>
        <Descriptions.Item label={t("signal")}>{signalLabel(alert.signal, l)}</Descriptions.Item>
        <Descriptions.Item label={t("period")}>{alert.period}</Descriptions.Item>
        <Descriptions.Item label={t("origin")}>{l(`origin.${alert.origin}`)}</Descriptions.Item>
        <Descriptions.Item label={t("industry")}>{sectionName(alert.industry_section, lang)}</Descriptions.Item>
        <Descriptions.Item label={t("kind")}>{alert.enterprise_kind ? t(alert.enterprise_kind) : "—"}</Descriptions.Item>
        <Descriptions.Item label={t("officer")}>{alert.officer ?? t("unassigned")}</Descriptions.Item>
        <Descriptions.Item label={t("created")}>{when.format(new Date(alert.created_at))}</Descriptions.Item>
        <Descriptions.Item label={t("updated")}>{when.format(new Date(alert.updated_at))}</Descriptions.Item>
        <Descriptions.Item label={t("alertId")} span={2}>
          {alert.alert_id}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

export default function AlertPage() {
  const { alertId = "" } = useParams();
  const t = useT(dict);
  const l = useT(postLoanDict);
  const can = useCan();
  const [alert, setAlert] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    api
      .GET("/v1/alerts/{alert_id}", { params: { path: { alert_id: alertId } } })
      .then((r) => {
        setAlert(unwrap(r));
        setError(null);
      })
      .catch((e: Error) => setError(e.message));
  }, [alertId]);
  useEffect(load, [load]);

  const crumbs = <Breadcrumb items={[{ title: <Link to="/alerts">{t("inbox")}</Link> }, { title: t("title") }]} />;
  if (error && !alert)
    return (
      <>
        {crumbs}
        <Typography.Title level={2}>{t("title")}</Typography.Title>
        <Banner type="error" showIcon message={t("notFound")} description={error} />
      </>
    );
  if (!alert) return <Spin />;
  return (
    <>
      {crumbs}
      <Space align="center" wrap style={{ marginTop: 8 }}>
        <Typography.Title level={2} style={{ margin: 0 }}>
          {t("title")} · {alert.credit_code}
        </Typography.Title>
        <Tag color={LEVEL_COLOUR[alert.level]} data-testid="alert-level">
          {l(`level.${alert.level}`)}
        </Tag>
        <Tag color={STATUS_COLOUR[alert.status]} data-testid="alert-status">
          {l(`status.${alert.status}`)}
        </Tag>
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {signalLabel(alert.signal, l)} · {alert.period}
      </Typography.Paragraph>
      {error && <Banner type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Space direction="vertical" size={16} style={{ width: "100%" }}>
            <FactsCard alert={alert} />
            <EvidenceCard alert={alert} />
            {alert.evidence.path.length > 0 && (
              <PropagationPath
                hops={alert.evidence.path}
                target={alert.credit_code}
                sourceAlertId={alert.evidence.source_alert_id}
                drawn={alert.propagation}
              />
            )}
          </Space>
        </Col>
        <Col xs={24} xl={10}>
          <Space direction="vertical" size={16} style={{ width: "100%" }}>
            {can("alert.act") && (
              <Card title={h3(t("steps"))} data-testid="alert-steps">
                <AlertSteps alertId={alert.alert_id} status={alert.status} hasLoan={alert.loan_id !== null} onDone={load} />
              </Card>
            )}
            <ActionsCard actions={alert.actions} />
            <HistoryCard history={alert.history} />
          </Space>
        </Col>
      </Row>
    </>
  );
}
