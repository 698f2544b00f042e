"""Chinese word segmentation of call transcripts: jieba (``riskloop.nlp``) with the collection terms.

The user dictionary ``data/collection-terms.txt`` keeps terms such as 征信记录, 失信被执行人 or 律师函 one word.
"""

from __future__ import annotations

from typing import Any

from riskloop.nlp import segment

USER_DICTIONARY = "collection-terms.txt"
_PACKAGE = "riskloop.collection"


def tokenizer() -> Any:
    """The process's jieba tokenizer with the collection terms, built on first use (thread-safe)."""
    return segment.tokenizer(_PACKAGE, USER_DICTIONARY)


def words(text: str) -> list[str]:
    """The words of ``text``, punctuation and whitespace dropped.

    Examples
    --------
    >>> words("您的征信记录会受到影响。")
    ['您', '的', '征信记录', '会', '受到', '影响']

    """
    return segment.words(_PACKAGE, USER_DICTIONARY, text)
