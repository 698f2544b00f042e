"""Risk tags read from documents (判决书, 执行通知, 行政处罚决定书, 新闻/公告): names, codes, document types."""

from __future__ import annotations

# Each tag: its Chinese name (what bank staff read, stored in tables) and an ASCII code (feature and reason names).
TAG_CODES: dict[str, str] = {
    "借贷纠纷": "loan_dispute",
    "买卖合同纠纷": "sales_dispute",
    "劳动争议": "labour_dispute",
    "股权冻结": "equity_freeze",
    "被执行": "enforced",
    "失信": "dishonest",
    "环保处罚": "env_penalty",
    "欠税": "tax_arrears",
    "经营异常": "abnormal_operation",
    "实控人变更": "control_change",
}
TAGS: tuple[str, ...] = tuple(TAG_CODES)
JUDGMENT, ENFORCEMENT, PENALTY, NEWS = "judgment", "enforcement", "penalty", "news"
DOC_TYPES: tuple[str, ...] = (JUDGMENT, ENFORCEMENT, PENALTY, NEWS)
NO_TAG = "none"  # a reviewed document the analyst found no tag in
TEXT_TAGS_KIND = "text-tags"  # the learned tagger's kind in the model registry
# Families of tags, for features and reason codes: disputes in court, enforcement, regulators' records, control.
TAG_FAMILIES: dict[str, tuple[str, ...]] = {
    "litigation": ("借贷纠纷", "买卖合同纠纷", "劳动争议"),
    "enforcement": ("被执行", "失信", "股权冻结"),
    "regulatory": ("环保处罚", "欠税", "经营异常"),
    "control": ("实控人变更",),
}
