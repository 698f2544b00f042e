"""The keyword baseline the taggers are measured against: a tag wherever one of its words appears."""

from __future__ import annotations

import re

from riskloop.text.document import Document

KEYWORDS: dict[str, tuple[str, ...]] = {
    "借贷纠纷": ("借贷纠纷", "借款合同纠纷"),
    "买卖合同纠纷": ("买卖合同",),
    "劳动争议": ("劳动争议", "劳动报酬"),
    "股权冻结": ("冻结",),
    "被执行": ("被执行",),
    "失信": ("失信",),
    "环保处罚": ("环保", "生态环境", "污染"),
    "欠税": ("欠税", "欠缴"),
    "经营异常": ("经营异常",),
    "实控人变更": ("实际控制人", "实控人"),
}
_PATTERNS = {tag: re.compile("|".join(map(re.escape, words))) for tag, words in KEYWORDS.items()}


def keyword_tags(doc: Document) -> dict[str, tuple[int, int]]:
    """Per tag whose keyword occurs in the body, the first occurrence's span."""
    out = {}
    for tag, pattern in _PATTERNS.items():
        m = pattern.search(doc.body)
        if m:
            out[tag] = (m.start(), m.end())
    return out
