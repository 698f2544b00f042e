// The post-loan vocabulary in both languages: levels, statuses, origins, signals (docs/post-loan.md "Signals"),
// loan actions, propagation ties and audited steps. Kept apart from the pages so the inbox and the detail agree.
import type { Dict } from "../../i18n";

export const LEVELS = ["warning", "attention", "notice"] as const;
export type Level = (typeof LEVELS)[number];
export const STATUSES = ["open", "acknowledged", "actioned", "closed"] as const;
export type Status = (typeof STATUSES)[number];
export const ORIGINS = ["direct", "propagated", "model"] as const;
export const LOAN_ACTIONS = ["freeze_undrawn_limit", "reduce_limit", "request_review", "start_collection"] as const;
export type LoanAction = (typeof LOAN_ACTIONS)[number];

// Solid tag colours with white text at 4.5:1 or more (axe): antd's light presets (orange, volcano, gold, green,
// processing) fall short of it. Levels: red, amber-brown, blue; statuses from hot to done.
export const TAG = {
  red: "#c41d1d",
  amber: "#ad4e00",
  blue: "#0958d9",
  navy: "#10239e",
  violet: "#531dab",
  green: "#237804",
  brown: "#874d00",
  grey: "#595959",
};
export const LEVEL_COLOUR: Record<string, string> = { warning: TAG.red, attention: TAG.amber, notice: TAG.blue };
export const STATUS_COLOUR: Record<string, string> = {
  open: TAG.brown,
  acknowledged: TAG.navy,
  actioned: TAG.violet,
  closed: TAG.grey,
};

// Signal name → unit: how its value and threshold are shown.
export type Unit = "share" | "times" | "count" | "flag" | "days" | "pd" | "text";
export const SIGNAL_UNIT: Record<string, Unit> = {
  inflow_drop: "share",
  net_outflow_ratio: "times",
  related_outflow_ratio: "times",
  vat_revenue_drop: "share",
  invoice_amount_drop: "share",
  invoice_count_drop: "share",
  invoice_void_share: "share",
  new_lawsuits: "count",
  new_enforcements: "count",
  dishonest_listed: "flag",
  abnormal_listed: "flag",
  new_penalties: "count",
  legal_rep_changes: "count",
  shareholder_changes: "count",
  equity_frozen: "count",
  bureau_new_lenders: "count",
  bureau_overdue_loans: "count",
  bureau_max_dpd: "days",
  nonbank_inquiries: "count",
  days_past_due: "days",
  behaviour_pd: "pd",
};

export const postLoanDict: Dict = {
  zh: {
    "level.warning": "预警",
    "level.attention": "关注",
    "level.notice": "提示",
    "status.open": "待处理",
    "status.acknowledged": "已确认",
    "status.actioned": "已处置",
    "status.closed": "已关闭",
    "origin.direct": "直接触发",
    "origin.propagated": "关联传导",
    "origin.model": "模型触发",
    "signal.inflow_drop": "账户流入下降",
    "signal.net_outflow_ratio": "资金净流出",
    "signal.related_outflow_ratio": "关联方大额转出",
    "signal.vat_revenue_drop": "增值税申报收入下降",
    "signal.invoice_amount_drop": "开票金额下降",
    "signal.invoice_count_drop": "开票张数下降",
    "signal.invoice_void_share": "作废/红冲发票占比",
    "signal.new_lawsuits": "新增被诉案件",
    "signal.new_enforcements": "新增被执行",
    "signal.dishonest_listed": "失信被执行人",
    "signal.abnormal_listed": "经营异常名录",
    "signal.new_penalties": "新增行政处罚",
    "signal.legal_rep_changes": "法定代表人变更",
    "signal.shareholder_changes": "股东变更",
    "signal.equity_frozen": "股权冻结",
    "signal.bureau_new_lenders": "新增授信机构（多头借贷）",
    "signal.bureau_overdue_loans": "他行逾期笔数",
    "signal.bureau_max_dpd": "他行最长逾期天数",
    "signal.nonbank_inquiries": "小贷/消金机构查询",
    "signal.days_past_due": "本行当前逾期天数",
    "signal.behaviour_pd": "行为评分违约概率",
    "signal.graph_propagation": "关联风险传导",
    "signal.source_level": "源头预警等级",
    "signal.source_signal": "源头信号",
    "signal.steps": "传导步数",
    "signal.propagation_policy": "传导策略",
    "action.freeze_undrawn_limit": "冻结未用额度",
    "action.reduce_limit": "压降额度",
    "action.request_review": "发起复核",
    "action.start_collection": "启动催收",
    "edge.guarantee": "担保",
    "edge.shareholding": "股权",
    "edge.legal_rep": "法定代表人",
    "edge.invoice_trade": "主要交易对手",
    "step.alert.raised": "预警生成",
    "step.alert.upgraded": "预警升级",
    "step.alert.acknowledged": "确认预警",
    "step.alert.actioned": "处置贷款",
    "step.alert.closed": "关闭预警",
    yes: "是",
    no: "否",
    person: "自然人",
  },
  en: {
    "level.warning": "Warning",
    "level.attention": "Attention",
    "level.notice": "Notice",
    "status.open": "Open",
    "status.acknowledged": "Acknowledged",
    "status.actioned": "Actioned",
    "status.closed": "Closed",
    "origin.direct": "Direct",
    "origin.propagated": "Propagated",
    "origin.model": "Model",
    "signal.inflow_drop": "Account inflow drop",
    "signal.net_outflow_ratio": "Net outflow (balance drain)",
    "signal.related_outflow_ratio": "Transfers to related parties",
    "signal.vat_revenue_drop": "VAT revenue drop",
    "signal.invoice_amount_drop": "Invoice amount drop",
    "signal.invoice_count_drop": "Invoice count drop",
    "signal.invoice_void_share": "Void and red-letter share",
    "signal.new_lawsuits": "New lawsuits as defendant",
    "signal.new_enforcements": "New court enforcements",
    "signal.dishonest_listed": "On the dishonest-debtor list",
    "signal.abnormal_listed": "On the abnormal-operation list",
    "signal.new_penalties": "New administrative penalties",
    "signal.legal_rep_changes": "Legal-representative changes",
    "signal.shareholder_changes": "Shareholder changes",
    "signal.equity_frozen": "Equity freezes in force",
    "signal.bureau_new_lenders": "More lenders",
    "signal.bureau_overdue_loans": "Loans overdue at other lenders",
    "signal.bureau_max_dpd": "Longest overdue at other lenders",
    "signal.nonbank_inquiries": "Inquiries by microlenders and consumer finance",
    "signal.days_past_due": "Current days past due on our loan",
    "signal.behaviour_pd": "Behaviour score PD",
    "signal.graph_propagation": "Risk propagated over the graph",
    "signal.source_level": "Source alert level",
    "signal.source_signal": "Source signal",
    "signal.steps": "Steps",
    "signal.propagation_policy": "Propagation policy",
    "action.freeze_undrawn_limit": "Freeze the undrawn limit",
    "action.reduce_limit": "Reduce the limit",
    "action.request_review": "Request a review",
    "action.start_collection": "Start collection",
    "edge.guarantee": "Guarantee",
    "edge.shareholding": "Shareholding",
    "edge.legal_rep": "Legal representative",
    "edge.invoice_trade": "Main invoice counterparty",
    "step.alert.raised": "Raised",
    "step.alert.upgraded": "Upgraded",
    "step.alert.acknowledged": "Acknowledged",
    "step.alert.actioned": "Actioned on the loan",
    "step.alert.closed": "Closed",
    yes: "Yes",
    no: "No",
    person: "Person",
  },
};

/** A signal's value (or threshold) in its unit: shares as %, flags as yes/no, counts as integers. */
export function formatSignal(
  name: string,
  value: unknown,
  t: (k: string) => string,
  locale: string,
): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string") return t(`level.${value}`) !== `level.${value}` ? t(`level.${value}`) : signalLabel(value, t);
  if (typeof value === "boolean") return t(value ? "yes" : "no");
  const n = Number(value);
  const unit = SIGNAL_UNIT[name] ?? "count";
  const fmt = (digits: number, style?: "percent") =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits, style }).format(n);
  if (unit === "share") return fmt(1, "percent");
  if (unit === "pd") return fmt(2, "percent");
  if (unit === "times") return `${fmt(2)}×`;
  if (unit === "flag") return t(n >= 1 ? "yes" : "no");
  return fmt(2);
}

/** The label of a signal (or a plain string when it has none, e.g. a policy name). */
export function signalLabel(name: string, t: (k: string) => string): string {
  const key = `signal.${name}`;
  const label = t(key);
  return label === key ? name : label;
}

/** Style of quiet text that still reads at 4.5:1 on white and on the layout's grey (antd's empty text does not). */
export const MUTED = { color: "#595959" };

/** Whole days since an ISO time. */
export function ageDays(iso: string, now: number = Date.now()): number {
  const then = Date.parse(iso.includes("T") || iso.includes("Z") ? iso : iso.replace(" ", "T"));
  return Number.isFinite(then) ? Math.max(0, Math.floor((now - then) / 86_400_000)) : 0;
}
