"""Chinese word segmentation of risk documents: jieba (``riskloop.nlp``) with the risk-document terms.

The user dictionary ``data/text-terms.txt`` keeps terms such as 失信被执行人, 经营异常名录 or 实际控制人 one word,
and the placeholders 甲公司 (the subject) and 乙公司 (another company) that ``document.masked`` writes.
"""

from __future__ import annotations

from riskloop.nlp import segment

USER_DICTIONARY = "text-terms.txt"
_PACKAGE = "riskloop.text"


def words(text: str) -> list[str]:
    """The words of ``text``, punctuation and whitespace dropped.

    Examples
    --------
    >>> words("甲公司被列入失信被执行人名单。")
    ['甲公司', '被', '列入', '失信被执行人', '名单']

    """
    return segment.words(_PACKAGE, USER_DICTIONARY, text)
