"""What the learned tagger reads from one sentence: words, word pairs and character n-grams of the masked text.

Defined once, used by training (as scikit-learn analyzers) and serving (numpy), so both see the same terms. The
sentence is masked first (the subject 甲公司, other companies 乙公司: ``document.masked``), so 被告甲公司 and
被告乙公司 differ while no firm's name is learnt; the subject's role in the document and the document's type are
added as words (``ROLE:defendant``, ``DOC:judgment``).
"""

from __future__ import annotations

import itertools

from riskloop.text.segment import words

WORD, CHAR = "word", "char"
CHAR_N = (2, 3)
_SEP = "\u241e"  # joins the context words to the sentence in one analyzer input; never in a document


def unit(masked_sentence: str, role: str, doc_type: str) -> str:
    """One analyzer input: the context and the masked sentence.

    Examples
    --------
    >>> word_terms(unit("甲公司被列入经营异常名录", "none", "penalty"))[:4]
    ['ROLE:none', 'DOC:penalty', '甲公司', '被']

    """
    return f"ROLE:{role} DOC:{doc_type}{_SEP}{masked_sentence}"


def _split(text: str) -> tuple[list[str], str]:
    head, _, sentence = text.rpartition(_SEP)
    return head.split(), sentence


def word_terms(text: str) -> list[str]:
    """Context words, jieba words of the sentence and adjacent word pairs (``"拖欠 货款"``)."""
    context, sentence = _split(text)
    ws = words(sentence)
    return context + ws + [f"{a} {b}" for a, b in itertools.pairwise(ws)]


def char_terms(text: str) -> list[str]:
    """Character n-grams (lengths ``CHAR_N``) of the sentence with whitespace removed (extraction noise)."""
    _, sentence = _split(text)
    s = "".join(sentence.split())
    lo, hi = CHAR_N
    return [s[i : i + n] for n in range(lo, hi + 1) for i in range(len(s) - n + 1)]


ANALYZERS = {WORD: word_terms, CHAR: char_terms}
