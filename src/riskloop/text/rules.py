"""Lexicon rules of the text tagger: versioned data (``data/tag-lexicon-v2.json``) read into compiled rules.

A rule's pattern matching in a sentence is evidence of its tag for the subject unless: a negation stands just
before it in the same clause or inside the match (无欠税记录, 实际控制人未发生变更); a cancelling word is in the
sentence (解除 a freeze, 移出 a list) or in the document (撤诉); the match is about another company (the company
named right after a party label such as 被执行人, else the company mentioned last before the match's end, is not
the subject); or, with no company in the sentence, the subject's role in the document is excluded (a plaintiff's
or creditor's documents speak of the other side's debts).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from riskloop.domain.text_tags import TAGS
from riskloop.errors import ValidationError
from riskloop.text.document import Document, Mention, mentions, sentences, subject_role

LEXICON = "tag-lexicon-v2.json"
_CLAUSE_END = re.compile(r"[，,。.！!？?；;：:\n]")
_FOLLOW = re.compile(r"^[：:\s]{0,2}")
_ASSERTION = re.compile(r"[\^$]|\\[bBAZz]|\(\?<?[=!]")  # in a pattern's source: it may depend on the context
# A form's heading or preamble (决定书, 欠缴税款的纳税人予以公告 ...): evidence only when no decision sentence is.
_FORM_TEXT = re.compile(r"(?:书|公告|通告|公示|名单|通知)[)）]?\s*$|予以公告|公告如下")


@dataclass(frozen=True)
class TagRule:
    """The rule of one tag: patterns in order of strength and what clears a match."""

    tag: str
    score: float
    patterns: tuple[re.Pattern[str], ...]
    actor: bool
    excluded_roles: frozenset[str]
    cancel_doc: re.Pattern[str] | None
    cancel_sentence: re.Pattern[str] | None

    @functools.cached_property
    def context_free(self) -> tuple[bool, ...]:
        """Per pattern, whether it asserts nothing about the text around a match (no anchor, boundary or lookaround).

        A match of such a pattern in a sentence is a match in the whole body, so a body it does not match holds
        no sentence it matches.
        """
        return tuple(not _ASSERTION.search(p.pattern) for p in self.patterns)


@dataclass(frozen=True)
class TagLexicon:
    """The compiled lexicon: a rule per tag and the negation cues."""

    version: str
    rules: tuple[TagRule, ...]
    negation_before: re.Pattern[str]
    negation_window: int
    negation_inside: re.Pattern[str]


@dataclass(frozen=True)
class RuleHit:
    """A rule's evidence of ``tag``: where in the body, the rule's score and which pattern."""

    tag: str
    start: int
    end: int
    score: float
    pattern: int


def _alternation(terms: list[str], field: str) -> re.Pattern[str] | None:
    if not terms:
        return None
    try:
        return re.compile("|".join(f"(?:{t})" for t in terms))
    except re.error as exc:
        raise ValidationError(field, f"invalid pattern ({exc})") from None


def _required(terms: list[str], field: str) -> re.Pattern[str]:
    pattern = _alternation(terms, field)
    if pattern is None:
        raise ValidationError(field, "must list at least one pattern")
    return pattern


def _rule(raw: dict[str, Any]) -> TagRule:
    tag = str(raw["tag"])
    if tag not in TAGS:
        raise ValidationError("tags.tag", f"unknown tag {tag!r}; valid: {', '.join(TAGS)}")
    return TagRule(
        tag,
        float(raw["score"]),
        tuple(_required([p], f"tags[{tag}].patterns") for p in raw["patterns"]),
        bool(raw["actor"]),
        frozenset(raw["excluded_roles"]),
        _alternation(raw["cancel_doc"], f"tags[{tag}].cancel_doc"),
        _alternation(raw["cancel_sentence"], f"tags[{tag}].cancel_sentence"),
    )


def parse_lexicon(raw: dict[str, Any]) -> TagLexicon:
    """Compile a lexicon read from JSON; a malformed one is a ValidationError naming the field."""
    try:
        neg = raw["negation"]
        return TagLexicon(
            str(raw["version"]),
            tuple(_rule(r) for r in raw["tags"]),
            _required(neg["before"], "negation.before"),
            int(neg["window"]),
            _required(neg["inside"], "negation.inside"),
        )
    except (KeyError, TypeError) as exc:
        raise ValidationError("lexicon", f"malformed tag lexicon: missing or bad {exc}") from None


def load_lexicon(path: Path | None = None) -> TagLexicon:
    """The lexicon at ``path``, or the shipped ``tag-lexicon-v2``."""
    if path is None:
        text = resources.files("riskloop.text").joinpath("data", LEXICON).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return parse_lexicon(json.loads(text))


def negated(lexicon: TagLexicon, text: str, start: int, end: int) -> bool:
    """Whether the match ``text[start:end]`` is negated: a cue just before it in its clause, or inside it."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    window = text[max(left, start - lexicon.negation_window) : start]
    return bool(lexicon.negation_before.search(window) or lexicon.negation_inside.search(text, start, end))


def actor(found: list[Mention], text: str, start: int, end: int) -> Mention | None:
    """Who a match at ``[start, end)`` of a sentence is about; None when the sentence names no company there.

    The company named right after the match (a party label: 被执行人 XX公司), else the last one mentioned before
    the match's end.
    """
    gap = _FOLLOW.match(text[end:])
    after = end + (gap.end() if gap else 0)
    for m in found:
        if m.start == after:
            return m
    before = [m for m in found if m.start < end]
    return before[-1] if before else None


def _accepted(  # noqa: PLR0917 - a match and what decides whether it counts
    rule: TagRule, role: str, found: list[Mention], text: str, start: int, end: int, named: bool
) -> bool:
    """Whether a match counts; with ``named``, only a match the sentence ties to the subject by name or alias."""
    if rule.actor:
        who = actor(found, text, start, end)
        if who is not None:
            return who.subject
    return not named and role not in rule.excluded_roles


def rule_hits(lexicon: TagLexicon, doc: Document) -> dict[str, RuleHit]:
    """Per tag, the rules' evidence in ``doc`` (the strongest pattern's first accepted match), if any."""
    body, role = doc.body, subject_role(doc.body, doc.subject)
    parts = [_Sentence(a, body[a:b], mentions(body[a:b], doc.subject)) for a, b in sentences(body)]
    out: dict[str, RuleHit] = {}
    for rule in lexicon.rules:
        if rule.cancel_doc is not None and rule.cancel_doc.search(body):
            continue
        free = rule.context_free
        live = [not free[k] or p.search(body) is not None for k, p in enumerate(rule.patterns)]
        hit = _first_hit(lexicon, rule, role, parts, live) if any(live) else None
        if hit is not None:
            out[rule.tag] = hit
    return out


@dataclass
class _Sentence:
    """A sentence of the body: where it starts, its text, the companies it names, whether it is a form's text."""

    start: int
    text: str
    found: list[Mention]
    form: bool = field(init=False)

    def __post_init__(self) -> None:
        self.form = bool(_FORM_TEXT.search(self.text))


def _first_hit(
    lexicon: TagLexicon, rule: TagRule, role: str, sentences: list[_Sentence], live: list[bool]
) -> RuleHit | None:
    # Evidence naming the subject first, then a decision sentence, then a form's heading or preamble. Each
    # pattern's matches in a sentence are found once, for the three passes; a pattern not ``live`` has none.
    kept = [s for s in sentences if rule.cancel_sentence is None or not rule.cancel_sentence.search(s.text)]
    matches: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for named, form in ((True, True), (False, False), (False, True)):
        for k, pattern in enumerate(rule.patterns):
            if not live[k]:
                continue
            for i, sentence in enumerate(kept):
                if not form and sentence.form:
                    continue
                if (k, i) not in matches:
                    matches[k, i] = _unnegated(lexicon, pattern, sentence.text)
                for start, end in matches[k, i]:
                    if _accepted(rule, role, sentence.found, sentence.text, start, end, named):
                        return RuleHit(rule.tag, sentence.start + start, sentence.start + end, rule.score, k)
    return None


def _unnegated(lexicon: TagLexicon, pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Where ``pattern`` matches ``text``, in order, leaving out the negated matches."""
    return [(m.start(), m.end()) for m in pattern.finditer(text) if not negated(lexicon, text, m.start(), m.end())]
