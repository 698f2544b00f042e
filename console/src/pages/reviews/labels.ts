// Words shared by the queue and the case view: tiers, statuses, outcomes, audit actions, and how an age reads.
import type { Dict, Lang } from "../../i18n";

export const TIERS = ["manual_review", "prudent_review", "suggest_reject", "suggest_approve", "auto_reject", "auto_approve"];

export const TIER_COLOURS: Record<string, string> = {
  auto_approve: "green",
  suggest_approve: "cyan",
  manual_review: "blue",
  prudent_review: "geekblue",
  suggest_reject: "volcano",
  auto_reject: "red",
};

export const STATUS_COLOURS: Record<string, string> = {
  open: "blue",
  claimed: "purple",
  awaiting_second: "magenta",
  closed: "default",
};

export const words: Dict = {
  zh: {
    auto_approve: "自动通过",
    suggest_approve: "建议通过",
    manual_review: "人工审核",
    prudent_review: "审慎审核",
    suggest_reject: "建议拒绝",
    auto_reject: "自动拒绝",
    open: "待认领",
    claimed: "已认领",
    awaiting_second: "待第二人复核",
    closed: "已结案",
    in_review: "审核中",
    final: "已生效",
    decided: "已决策",
    approved: "批准",
    declined: "拒绝",
    "decision.champion": "系统决策",
    "decision.shadow": "影子策略决策",
    "review.reopened": "重新提交审核（申诉）",
    "review.claimed": "认领",
    "review.released": "释放",
    "review.decided": "审核决定",
    "review.override_requested": "推翻自动拒绝，待第二人复核",
    "review.second_decision": "第二人复核决定",
    days: "{d} 天 {h} 小时",
    hours: "{h} 小时 {m} 分",
    minutes: "{m} 分钟",
  },
  en: {
    auto_approve: "Auto approve",
    suggest_approve: "Suggest approve",
    manual_review: "Manual review",
    prudent_review: "Prudent review",
    suggest_reject: "Suggest reject",
    auto_reject: "Auto reject",
    open: "Open",
    claimed: "Claimed",
    awaiting_second: "Awaiting second reviewer",
    closed: "Closed",
    in_review: "In review",
    final: "Final",
    decided: "Decided",
    approved: "Approved",
    declined: "Declined",
    "decision.champion": "Automatic decision",
    "decision.shadow": "Shadow decision",
    "review.reopened": "Reopened (appeal)",
    "review.claimed": "Claimed",
    "review.released": "Released",
    "review.decided": "Decided",
    "review.override_requested": "Override of an automatic decline, awaiting a second reviewer",
    "review.second_decision": "Second reviewer's decision",
    days: "{d} d {h} h",
    hours: "{h} h {m} min",
    minutes: "{m} min",
  },
};

/** How long a review has waited, in the largest two units. */
export function age(seconds: number, t: (k: string, v?: Record<string, number>) => string): string {
  const m = Math.floor(seconds / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (d > 0) return t("days", { d, h: h % 24 });
  if (h > 0) return t("hours", { h, m: m % 60 });
  return t("minutes", { m });
}

/** A timestamp in the reader's language (the API's ISO strings carry their offset). */
export function when(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

/** Cents as yuan. */
export function money(cents: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-GB", { style: "currency", currency: "CNY", maximumFractionDigits: 0 }).format(cents / 100);
}

/** Basis points as a yearly rate. */
export function rate(bp: number): string {
  return `${(bp / 100).toFixed(2)}%`;
}
