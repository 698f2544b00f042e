"""Malformed transcripts are refused whole, naming the turn and the field."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from riskloop.collection.qa import rules_only
from riskloop.collection.transcript import Call, Turn
from riskloop.errors import ValidationError

from .transcripts import OPENING, make_call

QA = rules_only()


def _with_turn(index: int, **change: object) -> Call:
    call = make_call("bad", OPENING)
    turns = list(call.turns)
    turns[index] = dataclasses.replace(turns[index], **change)
    return dataclasses.replace(call, turns=tuple(turns))


@pytest.mark.parametrize(
    ("call", "field", "turn"),
    [
        (_with_turn(1, speaker="robot"), "speaker", 2),
        (_with_turn(2, text="  "), "text", 3),
        (_with_turn(2, turn_no=2), "turn_no", 2),  # a duplicate
        (_with_turn(2, turn_no=5), "turn_no", 5),  # a gap
        (_with_turn(0, turn_no=0), "turn_no", 0),
    ],
)
def test_malformed_turns_refused_naming_turn_and_field(call, field, turn):
    with pytest.raises(ValidationError) as err:
        QA.check(call)
    assert err.value.field == field
    assert f"call bad turn {turn}:" in err.value.problem


def test_naive_start_refused():
    call = Call("n", dt.datetime(2024, 5, 14, 10, 0), (Turn(1, "agent", "您好"),))
    with pytest.raises(ValidationError) as err:
        QA.check(call)
    assert err.value.field == "started_at"
