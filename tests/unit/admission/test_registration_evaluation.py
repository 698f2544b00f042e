"""Screening a generated registration log against its planted truth: attacks of every shape are intercepted, honest
sign-ups (offices, carrier pools, kiosks, families, re-registrations, campaign days) are rarely blocked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from riskloop.admission.evaluation import HONEST, figures
from riskloop.admission.policy import shipped_policy
from riskloop.domain.clock import FixedClock
from riskloop.graph.infrastructure import shipped_infrastructure
from riskloop.service.registrations import RegistrationScreen, replay
from riskloop.synth.firms import make_firms
from riskloop.synth.params import UniverseParams
from riskloop.synth.platform_registrations import registration_log
from riskloop.synth.registration import firm_text
from riskloop.testing.memory_registrations import MemoryVelocityStore

HONEST_BLOCK_GOAL = 0.005
# blocked, blocked or stepped up: rotating identities linked by one weak attribute get a second factor, not a
# block (ADR 0031); the 100k benchmark blocks 15 % of them and intercepts 82 %
FLOORS = {"burst": (0.7, 0.85), "drip": (0.6, 0.8), "rotating": (0.1, 0.6)}


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    params = UniverseParams(enterprises=12_000, seed=31, chunk_size=12_000)
    firms = make_firms(params, 0)
    log, truth = registration_log(params, 0, firms, firm_text(params, 0, firms))
    subnets = frozenset(shipped_infrastructure().subnets())
    screen = RegistrationScreen(
        MemoryVelocityStore(), FixedClock(dt.datetime(2026, 7, 1, tzinfo=dt.UTC)), shipped_policy(),
        lambda _, v: v, infrastructure=subnets,
    )  # fmt: skip
    outcomes = {}
    for _, verdict in replay(screen, log.to_pylist()):
        assert not isinstance(verdict, Exception), verdict
        outcomes[verdict.registration_id] = verdict.outcome
    attacks = zip(truth["registration_id"].to_pylist(), truth["shape"].to_pylist(), strict=True)
    return figures(outcomes, attacks)


@pytest.mark.parametrize("shape", sorted(FLOORS))
def test_every_attack_shape_is_intercepted(result: dict[str, Any], shape: str) -> None:
    blocked, intercepted = FLOORS[shape]
    assert result[shape]["registrations"] >= 30
    assert result[shape]["blocked_share"] >= blocked, result[shape]
    assert result[shape]["intercepted_share"] >= intercepted, result[shape]


def test_honest_registrations_are_rarely_blocked(result: dict[str, Any]) -> None:
    honest = result[HONEST]
    assert honest["registrations"] > 6_000
    assert honest["blocked_share"] <= HONEST_BLOCK_GOAL, honest
    assert honest["intercepted_share"] <= 0.15, honest  # a second factor for families, campaign venues ...
