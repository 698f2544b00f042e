// The decision under review: outcome, tier, limit, rate, score and PD, and its reason codes in the reader's
// language (Chinese first), then the rule trace as a table (which rules of which node fired, and the values).
import { Descriptions, Table, Typography } from "antd";
import ToneTag from "../../components/graph/ToneTag";
import { useLang, useT, type Dict } from "../../i18n";
import { TRACE_NODES_ZH } from "./featureNames";
import { money, rate, TIER_COLOURS, when, words } from "./labels";
import type { Case } from "./reviewApi";

const dict: Dict = {
  zh: {
    outcome: "结论",
    pending: "待审核决定",
    tier: "分层",
    status: "状态",
    limit: "建议额度",
    rate: "年化利率",
    score: "评分",
    pd: "违约概率（PD）",
    strategy: "策略版本",
    decidedAt: "决策时间",
    application: "申请编号",
    model: "模型",
    reasons: "原因码",
    code: "代码",
    source: "来源",
    text: "说明",
    rule: "规则",
    modelSrc: "模型",
    trace: "规则轨迹",
    node: "节点",
    kind: "类型",
    fired: "命中规则",
    values: "输出值",
    none: "未命中",
    noReasons: "无原因码",
  },
  en: {
    outcome: "Outcome",
    pending: "Awaiting the review",
    tier: "Tier",
    status: "Status",
    limit: "Limit",
    rate: "Rate (yearly)",
    score: "Score",
    pd: "Probability of default",
    strategy: "Strategy",
    decidedAt: "Decided at",
    application: "Application",
    model: "Model",
    reasons: "Reason codes",
    code: "Code",
    source: "Source",
    text: "Meaning",
    rule: "Rule",
    modelSrc: "Model",
    trace: "Rule trace",
    node: "Node",
    kind: "Kind",
    fired: "Rules fired",
    values: "Values",
    none: "none",
    noReasons: "No reason codes",
  },
};

type Decision = Case["decision"];

function Values({ values }: { values: Record<string, unknown> }) {
  const entries = Object.entries(values ?? {});
  if (!entries.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Typography.Text style={{ fontSize: 12, fontFamily: "monospace", whiteSpace: "pre-wrap" }}>
      {entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n")}
    </Typography.Text>
  );
}

export function DecisionSummary({ decision }: { decision: Decision }) {
  const t = useT(dict);
  const w = useT(words);
  const lang = useLang();
  return (
    <Descriptions bordered size="small" column={{ xs: 1, md: 2, xl: 3 }} data-testid="decision-summary">
      <Descriptions.Item label={t("outcome")}>
        {decision.final_outcome ? <ToneTag tone={decision.final_outcome === "approved" ? "green" : "red"}>{w(decision.final_outcome)}</ToneTag> : t("pending")}
      </Descriptions.Item>
      <Descriptions.Item label={t("tier")}>
        <ToneTag tone={TIER_COLOURS[decision.tier]}>{w(decision.tier)}</ToneTag>
      </Descriptions.Item>
      <Descriptions.Item label={t("status")}>{w(decision.status)}</Descriptions.Item>
      <Descriptions.Item label={t("limit")}>{money(decision.limit_cents, lang)}</Descriptions.Item>
      <Descriptions.Item label={t("rate")}>{rate(decision.rate_bp)}</Descriptions.Item>
      <Descriptions.Item label={t("score")}>{decision.score == null ? "—" : decision.score.toFixed(1)}</Descriptions.Item>
      <Descriptions.Item label={t("pd")}>{decision.pd == null ? "—" : `${(decision.pd * 100).toFixed(2)}%`}</Descriptions.Item>
      <Descriptions.Item label={t("strategy")}>{decision.strategy}</Descriptions.Item>
      <Descriptions.Item label={t("decidedAt")}>{when(decision.decided_at, lang)}</Descriptions.Item>
      <Descriptions.Item label={t("application")}>{decision.application_id}</Descriptions.Item>
      <Descriptions.Item label={t("model")}>{decision.versions.model}</Descriptions.Item>
    </Descriptions>
  );
}

export function Reasons({ decision }: { decision: Decision }) {
  const t = useT(dict);
  const lang = useLang();
  return (
    <Table
      size="small"
      rowKey="code"
      pagination={false}
      aria-label={t("reasons")}
      data-testid="reasons"
      dataSource={decision.reasons}
      locale={{ emptyText: t("noReasons") }}
      columns={[
        { title: t("code"), dataIndex: "code", width: 230, render: (c: string) => <Typography.Text code>{c}</Typography.Text> },
        { title: t("source"), dataIndex: "source", width: 80, render: (s: string) => (s === "rule" ? t("rule") : t("modelSrc")) },
        { title: t("text"), key: "text", render: (_, r) => (lang === "zh" ? r.text_zh : r.text) },
      ]}
    />
  );
}

export function RuleTrace({ decision }: { decision: Decision }) {
  const t = useT(dict);
  const lang = useLang();
  const rows = decision.trace.map((step, i) => ({ key: i, ...step }) as Record<string, unknown> & { key: number });
  return (
    <Table
      size="small"
      pagination={false}
      aria-label={t("trace")}
      data-testid="rule-trace"
      dataSource={rows}
      rowClassName={(r) => (Array.isArray(r.rules) && r.rules.length ? "trace-fired" : "")}
      columns={[
        {
          title: t("node"),
          dataIndex: "node",
          render: (n: string) =>
            lang === "zh" && TRACE_NODES_ZH[n] ? (
              <>
                {TRACE_NODES_ZH[n]}{" "}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {n}
                </Typography.Text>
              </>
            ) : (
              n
            ),
        },
        { title: t("kind"), dataIndex: "kind", width: 150, render: (k: string) => <Typography.Text style={{ fontSize: 12 }}>{k}</Typography.Text> },
        {
          title: t("fired"),
          dataIndex: "rules",
          width: 120,
          render: (rules: unknown) =>
            Array.isArray(rules) && rules.length ? rules.map((r) => <ToneTag key={String(r)} tone="blue">{String(r)}</ToneTag>) : <Typography.Text type="secondary">{t("none")}</Typography.Text>,
        },
        { title: t("values"), dataIndex: "values", render: (v: Record<string, unknown>) => <Values values={v} /> },
      ]}
    />
  );
}
