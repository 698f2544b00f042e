"""A collection call's transcript as QA reads it: the call, its numbered turns, and the check that they are sound.

A transcript is refused whole (``ValidationError`` naming the turn and the field) when a turn has an unknown
speaker or empty text, or the turn numbers are not exactly 1..n in order: a finding's position must mean
something, so QA never guesses around a gap or a duplicate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.domain.collection import AGENT, SPEAKERS
from riskloop.errors import ValidationError


@dataclass(frozen=True)
class Turn:
    """One utterance: its position (1..n), who spoke (``SPEAKERS``) and what was said."""

    turn_no: int
    speaker: str
    text: str


@dataclass(frozen=True)
class Call:
    """A collection call: its id, when it started (aware, any zone; stored as UTC) and its turns in order."""

    call_id: str
    started_at: dt.datetime
    turns: tuple[Turn, ...]


def validate_call(call: Call) -> None:
    """Refuse a malformed transcript: a ``ValidationError`` naming the call, the turn and the field."""
    if call.started_at.tzinfo is None or call.started_at.utcoffset() is None:
        raise ValidationError("started_at", f"call {call.call_id}: start time must be timezone-aware")
    for expected, turn in enumerate(call.turns, start=1):
        where = f"call {call.call_id} turn {turn.turn_no}"
        if turn.turn_no != expected:
            problem = "duplicate" if turn.turn_no < expected else "gap before it"
            raise ValidationError(
                "turn_no", f"{where}: expected turn {expected} ({problem}); turns must be numbered 1..n in order"
            )
        if turn.speaker not in SPEAKERS:
            raise ValidationError("speaker", f"{where}: unknown speaker {turn.speaker!r}; valid: {', '.join(SPEAKERS)}")
        if not turn.text.strip():
            raise ValidationError("text", f"{where}: empty text")


def interlocutors(call: Call) -> tuple[str | None, ...]:
    """For each turn, who the agent is talking to: the latest non-agent speaker before or at it (None at first).

    Examples
    --------
    >>> t = (Turn(1, "agent", "喂"), Turn(2, "third_party", "他不在"), Turn(3, "agent", "好的"))
    >>> interlocutors(Call("c1", dt.datetime(2024, 1, 1, tzinfo=dt.UTC), t))
    (None, 'third_party', 'third_party')

    """
    current: str | None = None
    out = []
    for turn in call.turns:
        if turn.speaker != AGENT:
            current = turn.speaker
        out.append(current)
    return tuple(out)
