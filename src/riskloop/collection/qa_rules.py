"""Lexicon rules of transcript QA: versioned data (``data/qa-lexicon-v1.json``) read into compiled rules.

Each rule has an id and an issue type (``ISSUE_TYPES``). Only the agent's utterances can be threats, insults,
false legal statements or disclosures: what the debtor or a third party says is never a finding against the
call. A match is cleared by a negation just before it in the same clause (我们不会让您坐牢) or a denial after it
(说会坐牢是假的). Lawful consequences (征信, 依法起诉, 律师函) are simply not in the lexicon. Third-party
disclosure needs context: a third party is the one on the line and the agent speaks of the debt, unless the agent
is refusing to tell (不方便透露) without naming an amount. Missing disclosure: the agent's first turns lack who
is calling, the institution or the recording notice. Off hours: the call started outside the permitted hours in
China's time (UTC+8 all year: no daylight saving since 1991).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from riskloop.collection.transcript import Call, interlocutors
from riskloop.domain.applicant import CHINA_TIME
from riskloop.domain.collection import (
    AGENT,
    DIMENSION_OF,
    ISSUE_TYPES,
    MISSING_DISCLOSURE,
    OFF_HOURS,
    THIRD_PARTY,
    THIRD_PARTY_SPEAKER,
    permitted,
)
from riskloop.errors import ValidationError

LEXICON_V1 = "qa-lexicon-v1.json"
_CLAUSE_END = re.compile(r"[，,。.！!？?；;：:\n]")


@dataclass(frozen=True)
class Finding:
    """One QA finding: the issue, its dimension, what found it, where (turn and utterance; None for the whole call).

    ``source`` is ``rule:<id>`` or ``model:<name>@<version>``; ``score`` in [0, 1] is how sure it is; ``detail``
    says what a whole-call finding saw (the statements missing, the local start time).
    """

    issue_type: str
    dimension: str
    source: str
    turn_no: int | None
    utterance: str | None
    score: float
    detail: str = ""


@dataclass(frozen=True)
class LexiconRule:
    """A rule of the lexicon: any of its patterns in an agent utterance, not negated, is a finding."""

    rule_id: str
    issue_type: str
    score: float
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon: phrase rules, negation, third-party context, mandatory statements, off hours."""

    version: str
    rules: tuple[LexiconRule, ...]
    negation_before: re.Pattern[str]
    negation_window: int
    negation_after: re.Pattern[str]
    third_party: dict[str, Any]
    debt_terms: re.Pattern[str]
    refusals: re.Pattern[str]
    institution_names: re.Pattern[str]
    amount: re.Pattern[str]
    mandatory: dict[str, Any]
    statements: dict[str, re.Pattern[str]]
    off_hours: dict[str, Any]


def _alternation(terms: list[str], field: str) -> re.Pattern[str]:
    """One regular expression matching any of ``terms``; a bad one is a ValidationError naming ``field``."""
    try:
        return re.compile("|".join(f"(?:{t})" for t in terms))
    except re.error as exc:
        raise ValidationError(field, f"invalid pattern ({exc})") from None


def _issue(raw: dict[str, Any], field: str) -> str:
    issue = str(raw.get("issue_type"))
    if issue not in ISSUE_TYPES:
        raise ValidationError(f"{field}.issue_type", f"unknown issue type {issue!r}; valid: {', '.join(ISSUE_TYPES)}")
    return issue


def parse_lexicon(raw: dict[str, Any]) -> Lexicon:
    """Compile a lexicon read from JSON; a malformed one is a ValidationError naming the field."""
    try:
        rules = tuple(
            LexiconRule(
                r["id"],
                _issue(r, f"rules[{r['id']}]"),
                float(r["score"]),
                tuple(_alternation([p], f"rules[{r['id']}].patterns") for p in r["patterns"]),
            )
            for r in raw["rules"]
        )
        neg, tp, mand = raw["negation"], raw["third_party"], raw["mandatory"]
        return Lexicon(
            version=str(raw["version"]),
            rules=rules,
            negation_before=_alternation(neg["before"], "negation.before"),
            negation_window=int(neg["window"]),
            negation_after=_alternation(neg["after"], "negation.after"),
            third_party=tp,
            debt_terms=_alternation(tp["debt_terms"], "third_party.debt_terms"),
            refusals=_alternation(tp["refusals"], "third_party.refusals"),
            institution_names=_alternation(tp["institution_names"], "third_party.institution_names"),
            amount=_alternation(tp["amount"], "third_party.amount"),
            mandatory=mand,
            statements={k: _alternation(v, f"mandatory.statements.{k}") for k, v in mand["statements"].items()},
            off_hours=raw["off_hours"],
        )
    except (KeyError, TypeError) as exc:
        raise ValidationError("lexicon", f"malformed lexicon: missing or bad {exc}") from None


def load_lexicon(path: Path | None = None) -> Lexicon:
    """The lexicon at ``path``, or the shipped ``qa-lexicon-v1``."""
    if path is None:
        text = resources.files("riskloop.collection").joinpath("data", LEXICON_V1).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return parse_lexicon(json.loads(text))


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    """The clause's text before position ``start`` and after ``end``."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    right = _CLAUSE_END.search(text, end)
    return text[left:start], text[end : right.start() if right else len(text)]


def negated(lexicon: Lexicon, text: str, start: int, end: int) -> bool:
    """Whether the match ``text[start:end]`` is negated: a negation just before it or a denial after, same clause.

    The window before includes the match's first character, so a negation that overlaps it (没有义务 around
    有义务) counts.
    """
    before, after = _clause(text, start, end)
    window = before[-lexicon.negation_window :] + text[start : start + 1]
    return bool(lexicon.negation_before.search(window) or lexicon.negation_after.search(after))


def _rule_hit(lexicon: Lexicon, rule: LexiconRule, text: str) -> bool:
    """Whether any of the rule's patterns matches ``text`` somewhere it is not negated."""
    return any(not negated(lexicon, text, m.start(), m.end()) for p in rule.patterns for m in p.finditer(text))


def phrase_findings(lexicon: Lexicon, call: Call) -> list[Finding]:
    """Findings of the phrase rules (threats, insults, false legal statements) in the agent's turns."""
    out = []
    for turn in call.turns:
        if turn.speaker != AGENT:
            continue
        for rule in lexicon.rules:
            if _rule_hit(lexicon, rule, turn.text):
                out.append(_finding(rule.issue_type, rule.rule_id, turn.turn_no, turn.text, rule.score))
    return out


def discloses(lexicon: Lexicon, text: str) -> bool:
    """Whether an agent utterance to a third party speaks of the debt (a refusal naming no amount does not).

    Institution names are blanked first: naming the lender is the self-identification owed to whoever answers.
    """
    text = lexicon.institution_names.sub(lambda m: "\u3000" * len(m.group()), text)
    if not any(not negated(lexicon, text, m.start(), m.end()) for m in lexicon.debt_terms.finditer(text)):
        return False
    return not lexicon.refusals.search(text) or bool(lexicon.amount.search(text))


def third_party_findings(lexicon: Lexicon, call: Call) -> list[Finding]:
    """Agent turns that speak of the debt while a third party is the one on the line."""
    spec = lexicon.third_party
    return [
        _finding(THIRD_PARTY, spec["id"], turn.turn_no, turn.text, float(spec["score"]))
        for turn, other in zip(call.turns, interlocutors(call), strict=True)
        if turn.speaker == AGENT and other == THIRD_PARTY_SPEAKER and discloses(lexicon, turn.text)
    ]


def missing_statements(lexicon: Lexicon, call: Call) -> tuple[str, ...]:
    """The mandatory statements (identity, institution, recording) absent from the agent's first turns."""
    first = [t.text for t in call.turns if t.speaker == AGENT][: int(lexicon.mandatory["first_agent_turns"])]
    opening = "\n".join(first)
    return tuple(name for name, pattern in lexicon.statements.items() if not pattern.search(opening))


def call_findings(lexicon: Lexicon, call: Call) -> list[Finding]:
    """Whole-call findings: mandatory statements missing, start outside the permitted hours."""
    out = []
    missing = missing_statements(lexicon, call)
    if missing:
        spec = lexicon.mandatory
        detail = "missing: " + ", ".join(missing)
        out.append(_finding(MISSING_DISCLOSURE, spec["id"], None, None, spec["score"], detail))
    local = call.started_at.astimezone(CHINA_TIME)
    if not permitted(local.time()):
        spec = lexicon.off_hours
        detail = f"started {local:%H:%M} China time"
        out.append(_finding(OFF_HOURS, spec["id"], None, None, spec["score"], detail))
    return out


def rule_findings(lexicon: Lexicon, call: Call) -> list[Finding]:
    """Every rule's findings on a (validated) call."""
    return phrase_findings(lexicon, call) + third_party_findings(lexicon, call) + call_findings(lexicon, call)


def _finding(  # noqa: PLR0917 -- private; the Finding's own field order
    issue: str, rule_id: str, turn_no: int | None, utterance: str | None, score: float, detail: str = ""
) -> Finding:
    return Finding(issue, DIMENSION_OF[issue], f"rule:{rule_id}", turn_no, utterance, float(score), detail)
