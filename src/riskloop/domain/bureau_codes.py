"""How the credit bureau's (PBOC) enterprise report spells institutions, loan kinds, classes and inquiry reasons."""

from __future__ import annotations

INSTITUTION_ZH = {
    "bank": "商业银行",
    "microlender": "小额贷款公司",
    "consumer_finance": "消费金融公司",
    "guarantee": "融资担保公司",
    "leasing": "融资租赁公司",
    "other": "其他机构",
}
LOAN_TYPE_ZH = {
    "working_capital": "流动资金贷款",
    "fixed_asset": "固定资产贷款",
    "trade_finance": "贸易融资",
    "bill_discount": "票据贴现",
    "acceptance": "银行承兑汇票",
    "other": "其他贷款",
}
FIVE_CLASS_ZH = {"normal": "正常", "special_mention": "关注", "substandard": "次级", "doubtful": "可疑", "loss": "损失"}
REASON_ZH = {"loan_approval": "贷款审批", "guarantee_review": "担保资格审查", "post_loan": "贷后管理"}


def from_zh(spellings: dict[str, str]) -> dict[str, str]:
    """The bureau's spelling -> the contract's value (the contract's own values are accepted as well)."""
    return {zh: code for code, zh in spellings.items()} | {code: code for code in spellings}
