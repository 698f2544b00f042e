// Collection's vocabulary in both languages (domain/collection.py): actions, channels, windows, plan statuses, QA
// issue types and dimensions; arms are `action@window`.
import type { Dict } from "../../i18n";

export const PLAN_STATUSES = ["open", "acted", "superseded"] as const;

export const collectionDict: Dict = {
  zh: {
    "action.sms": "短信提醒",
    "action.ivr": "智能语音外呼",
    "action.agent_call": "人工电话",
    "action.wechat": "企业微信消息",
    "action.field_visit": "上门催收",
    "action.legal_letter": "律师函",
    "action.restructure_offer": "展期/重组方案",
    "channel.sms": "短信",
    "channel.phone": "电话",
    "channel.wechat": "微信",
    "channel.visit": "上门",
    "channel.post": "邮寄",
    "window.morning": "上午 8-12 时",
    "window.afternoon": "下午 12-18 时",
    "window.evening": "晚间 18-21 时",
    "plan.open": "待执行",
    "plan.acted": "已执行",
    "plan.superseded": "已被新计划取代",
    "issue.threat": "威胁恐吓",
    "issue.insult": "辱骂",
    "issue.third_party_disclosure": "向第三方透露债务",
    "issue.off_hours": "非许可时段联系",
    "issue.false_legal": "虚假法律后果",
    "issue.missing_disclosure": "未按话术表明身份/录音",
    "dim.compliance": "合规",
    "dim.courtesy": "礼貌",
    "dim.script": "话术",
    "dim.disclosure": "信息保密",
    "resolution.confirmed": "确认违规",
    "resolution.dismissed": "误报驳回",
    "fact.dpd": "逾期天数",
    "fact.dpd_at_open": "入催时逾期天数",
    "fact.remaining": "剩余逾期金额",
    "fact.remaining_share": "剩余逾期占比",
    "fact.overdue": "逾期金额",
    "fact.outstanding": "贷款余额",
    "fact.principal": "贷款本金",
    "fact.term_months": "期限（月）",
    "fact.rate_bp": "利率（基点）",
    "fact.loan_age_days": "放款至今天数",
    "fact.capital": "注册资本",
    "fact.firm_age_years": "成立年限",
    "fact.promises_so_far": "累计承诺还款次数",
    "fact.broken_promises": "未兑现承诺次数",
    "fact.paid_so_far": "累计回款",
    "fact.complaints_so_far": "累计投诉次数",
    "fact.days_since_last": "距上次联系天数",
    "fact.abnormal_count": "经营异常次数",
    "fact.revenue_growth": "营收增长率",
    "fact.debt_ratio": "资产负债率",
    "fact.kind": "企业类型",
    "fact.industry": "行业",
    "fact.province": "省份",
    "fact.last_action": "上次行动",
    "fact.abnormal_listed": "经营异常名录",
    "reason.expectedNet": "{arm}：预期净回收 {amount}",
    "reason.favouredBy": "主要依据：{facts}",
    "reason.exploration": "探索率 {rate}（按小概率尝试其他行动，用于持续评估策略）",
  },
  en: {
    "action.sms": "SMS reminder",
    "action.ivr": "IVR call",
    "action.agent_call": "Agent call",
    "action.wechat": "WeChat message",
    "action.field_visit": "Field visit",
    "action.legal_letter": "Lawyer's letter",
    "action.restructure_offer": "Restructuring offer",
    "channel.sms": "SMS",
    "channel.phone": "Phone",
    "channel.wechat": "WeChat",
    "channel.visit": "Visit",
    "channel.post": "Post",
    "window.morning": "Morning 8-12",
    "window.afternoon": "Afternoon 12-18",
    "window.evening": "Evening 18-21",
    "plan.open": "To do",
    "plan.acted": "Acted",
    "plan.superseded": "Superseded",
    "issue.threat": "Threat",
    "issue.insult": "Insult",
    "issue.third_party_disclosure": "Debt told to a third party",
    "issue.off_hours": "Contact outside permitted hours",
    "issue.false_legal": "False legal consequences",
    "issue.missing_disclosure": "Mandatory statements missing",
    "dim.compliance": "Compliance",
    "dim.courtesy": "Courtesy",
    "dim.script": "Script",
    "dim.disclosure": "Disclosure",
    "resolution.confirmed": "Confirmed",
    "resolution.dismissed": "Dismissed",
    "fact.dpd": "days past due",
    "fact.dpd_at_open": "days past due at opening",
    "fact.remaining": "overdue still unpaid",
    "fact.remaining_share": "share still unpaid",
    "fact.overdue": "overdue amount",
    "fact.outstanding": "outstanding balance",
    "fact.principal": "principal",
    "fact.term_months": "term (months)",
    "fact.rate_bp": "rate (bp)",
    "fact.loan_age_days": "days since disbursal",
    "fact.capital": "registered capital",
    "fact.firm_age_years": "firm age (years)",
    "fact.promises_so_far": "promises so far",
    "fact.broken_promises": "broken promises",
    "fact.paid_so_far": "paid so far",
    "fact.complaints_so_far": "complaints so far",
    "fact.days_since_last": "days since last contact",
    "fact.abnormal_count": "abnormal-operation listings",
    "fact.revenue_growth": "revenue growth",
    "fact.debt_ratio": "debt ratio",
    "fact.kind": "enterprise kind",
    "fact.industry": "industry",
    "fact.province": "province",
    "fact.last_action": "last action",
    "fact.abnormal_listed": "abnormal-operation list",
    "reason.expectedNet": "{arm}: expected net recovery {amount}",
    "reason.favouredBy": "Favoured by {facts}",
    "reason.exploration": "Exploration rate {rate} (other actions tried now and then, so the policy can be evaluated)",
  },
};

/** "人工电话 · 晚间 18-21 时" for `agent_call@evening`. */
export function armLabel(arm: string, t: (k: string) => string): string {
  const [action, window] = arm.split("@");
  return `${t(`action.${action}`)} · ${t(`window.${window}`)}`;
}

/** Integer cents as yuan in the UI's locale. */
export function yuan(cents: number, locale: string, digits = 2): string {
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: "CNY",
    currencyDisplay: "narrowSymbol",
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(cents / 100);
}

// The policy's reasons are English text in fixed shapes (collection/policy.py `_reasons`, `_fact`): read them back
// into the UI's language; anything else is shown as it came.
const EXPECTED = /^([a-z_]+@[a-z]+): expected net (-?[\d.]+) yuan$/;
const FAVOURED = /^favoured by (.+)$/;
const FACT = /([a-z_]+)=(.*?)(?=, [a-z_]+=|$)/g;
const EPSILON = /^exploration epsilon ([\d.e-]+)$/;

export function reasonText(reason: string, t: (k: string, v?: Record<string, string | number>) => string, locale: string): string {
  const expected = EXPECTED.exec(reason);
  if (expected) {
    return t("reason.expectedNet", { arm: armLabel(expected[1], t), amount: yuan(Math.round(Number(expected[2]) * 100), locale) });
  }
  const favoured = FAVOURED.exec(reason);
  if (favoured) {
    const facts = [...favoured[1].matchAll(FACT)].map(([, name, value]) => {
      const label = t(`fact.${name}`);
      const shown = value.endsWith(" yuan")
        ? `¥${value.replace(" yuan", "")}`
        : name === "last_action" && t(`action.${value}`) !== `action.${value}`
          ? t(`action.${value}`)
          : value;
      return `${label === `fact.${name}` ? name : label} ${shown}`;
    });
    return t("reason.favouredBy", { facts: facts.join(locale.startsWith("zh") ? "，" : ", ") });
  }
  const epsilon = EPSILON.exec(reason);
  if (epsilon) {
    return t("reason.exploration", { rate: new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(Number(epsilon[1])) });
  }
  return reason;
}
