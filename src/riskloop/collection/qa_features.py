"""What the QA classifier reads from one agent utterance: jieba words and word pairs, and character n-grams.

Defined once, used by training (as scikit-learn analyzers) and by serving (numpy), so both see the same terms.
Words carry meaning (征信记录 vs 坐牢); character n-grams catch paraphrases and words jieba splits differently.
"""

from __future__ import annotations

import itertools

from riskloop.collection.segment import words

WORD, CHAR = "word", "char"
CHAR_N = (2, 3)


def word_terms(text: str) -> list[str]:
    """Jieba words of ``text`` and adjacent word pairs (``"不会 坐牢"``).

    Examples
    --------
    >>> word_terms("不会坐牢")
    ['不会', '坐牢', '不会 坐牢']

    """
    ws = words(text)
    return ws + [f"{a} {b}" for a, b in itertools.pairwise(ws)]


def char_terms(text: str) -> list[str]:
    """Character n-grams (lengths ``CHAR_N``) of ``text`` with whitespace removed.

    Examples
    --------
    >>> char_terms("坐牢吧")
    ['坐牢', '牢吧', '坐牢吧']

    """
    s = "".join(text.split())
    lo, hi = CHAR_N
    return [s[i : i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]


ANALYZERS = {WORD: word_terms, CHAR: char_terms}
