"""Fakes of the collection desk's Chooser and Checker ports, with outcomes a test knows in advance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from riskloop.domain.collection import DIMENSION_OF, DIMENSIONS, OFF_HOURS, SPEAKERS, permitted
from riskloop.domain.collection_work import Finding
from riskloop.errors import ValidationError
from riskloop.service.collection_ports import CheckedCall, Choice

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class FixedChooser:
    """A policy giving every case the arms of ``pmf`` (the most probable one chosen), whatever its context."""

    def __init__(self, pmf: Mapping[str, float], policy_id: str = "fixed-policy@1") -> None:
        self.pmf, self.policy_id = dict(pmf), policy_id
        self.arm = max(self.pmf, key=lambda a: (self.pmf[a], a))

    def choose_rows(self, contexts: Any, seed: int) -> list[Choice]:
        """One identical Choice per row of ``contexts``."""
        net = {arm: round(1_000 * p) for arm, p in self.pmf.items()}
        return [Choice(self.arm, self.pmf[self.arm], self.pmf, net, ("fixed test policy",)) for _ in contexts]


class PhraseChecker:
    """A checker that flags an agent's turn holding one of ``phrases`` (issue type per phrase) and off-hours calls.

    Scores: 0.9 per phrase found, 1.0 for a call started outside the permitted hours (Asia/Shanghai); the
    threshold is 0.5. Malformed turns (unknown speaker, repeated or unordered numbers) are a ValidationError.
    """

    threshold = 0.5

    def __init__(self, phrases: Mapping[str, str], name: str = "phrases@1") -> None:
        self.phrases, self.name = dict(phrases), name

    def check_call(self, call_id: str, started_at: dt.datetime, turns: Sequence[tuple[int, str, str]]) -> CheckedCall:
        """Findings of one call."""
        _check_turns(turns)
        found = [Finding(call_id, issue, f"rule:{phrase}", no, text, 0.9)
                 for no, speaker, text in turns if speaker == "agent"
                 for phrase, issue in self.phrases.items() if phrase in text]  # fmt: skip
        if not permitted(started_at.astimezone(SHANGHAI).time()):
            found.append(Finding(call_id, OFF_HOURS, "rule:hours", None, "", 1.0))
        scores = dict.fromkeys(DIMENSIONS, 100)
        for f in found:
            scores[DIMENSION_OF[f.issue_type]] -= 30
        return CheckedCall(tuple(found), scores, self.threshold, self.name)


def _check_turns(turns: Sequence[tuple[int, str, str]]) -> None:
    last = -1
    for i, (no, speaker, _) in enumerate(turns):
        if speaker not in SPEAKERS:
            raise ValidationError(f"turns.{i}.speaker", f"one of {', '.join(SPEAKERS)}")
        if no <= last:
            raise ValidationError(f"turns.{i}.turn_no", "turn numbers increase from one turn to the next")
        last = no
