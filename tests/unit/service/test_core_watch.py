"""WatchedCore: every call reaches the core unchanged, and ``/readyz``'s line says how the answers went."""

from __future__ import annotations

import datetime as dt

from riskloop.domain.disbursal import CoreStatus, Instruction
from riskloop.service.core_watch import NOT_CONFIGURED, WatchedCore, core_state
from riskloop.testing.clock import SteppingClock
from riskloop.testing.fake_core import FakeCore

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _instruction(n: int) -> Instruction:
    return Instruction(f"drw_{n}", f"loan_{n}", "91310000MA1K0000X1", "6222021234567890123", 100_000)


def test_calls_pass_through_and_a_run_without_answers_is_counted_from_its_start() -> None:
    clock, core = SteppingClock(T0), FakeCore()
    watched = WatchedCore(core, clock)
    assert core_state(watched) == "configured; not called since the process started"
    assert watched.disburse(_instruction(1)).status is CoreStatus.CONFIRMED
    assert core_state(watched) == "configured; last answered at 2026-03-02T09:00:00Z"
    core.mode = "unreceived"  # the core cannot be reached: nothing is paid, nothing is known
    clock.advance(minutes=5)
    assert watched.disburse(_instruction(2)).status is CoreStatus.UNANSWERED
    clock.advance(minutes=1)
    assert watched.status("drw_2").status is CoreStatus.UNKNOWN  # an answer: the core is back
    core.mode = "unreceived"
    watched.disburse(_instruction(3))
    clock.advance(minutes=2)
    watched.disburse(_instruction(4))
    state = core_state(watched)
    assert state.startswith("no answer 2 time(s) in a row since 2026-03-02T09:06:00Z (timeout)")
    assert "until reconciled" in state
    assert watched.health().answered_at == T0 + dt.timedelta(minutes=6)
    assert core.payments == {"drw_1": 1}  # the watcher never sends anything of its own
    assert [i.instruction_id for i in core.sent] == ["drw_1"]


def test_a_refusal_is_an_answer() -> None:
    clock = SteppingClock(T0)
    watched = WatchedCore(FakeCore(mode="reject"), clock)
    assert watched.disburse(_instruction(1)).status is CoreStatus.REJECTED
    assert core_state(watched).startswith("configured; last answered at")


def test_without_a_core_the_line_says_drawdowns_are_refused_and_how_to_configure_one() -> None:
    assert core_state(None) == NOT_CONFIGURED
    assert "RISKLOOP_CORE_URL" in NOT_CONFIGURED
