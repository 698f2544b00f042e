"""Clocks: a replay clock moves forward to each replayed event's time, never back."""

from __future__ import annotations

import datetime as dt

import pytest

from riskloop.domain.clock import ReplayClock
from riskloop.errors import ValidationError

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_a_replay_clock_follows_the_events_in_time_order() -> None:
    clock = ReplayClock(T0)
    assert clock.now() == T0
    clock.move_to(T0 + dt.timedelta(hours=5))
    clock.move_to(T0 + dt.timedelta(hours=5))  # two events at the same instant
    assert clock.now() == T0 + dt.timedelta(hours=5)
    with pytest.raises(ValidationError, match="time order"):
        clock.move_to(T0)
    assert clock.now() == T0 + dt.timedelta(hours=5)
