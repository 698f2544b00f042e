"""Readiness: can this process decide now? Every check answers what is ready or says why not.

A probe is a callable that returns a short description of what it found ready, or raises with the reason it is
not. ``readiness`` runs every probe and never raises: a probe that fails in any way is a failed check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from riskloop.errors import DataSourceError, NotFoundError
from riskloop.rules.engine import RuleEngine
from riskloop.service.ports import Scorer

Probe = Callable[[], str]
MAX_REASON = 300  # a driver's message can be long: the first line, cut here


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, whether it passed, and what was found (or why it failed)."""

    name: str
    ok: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return {"name": self.name, "ok": self.ok, "reason": self.reason}


@dataclass(frozen=True)
class Readiness:
    """Every check's result; ready when all passed."""

    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        """True when every check passed."""
        return all(c.ok for c in self.checks)

    def failed(self) -> str:
        """The failed checks as one line: ``graph: not deployed (...); model: ...``."""
        return "; ".join(f"{c.name}: {c.reason}" for c in self.checks if not c.ok)


def readiness(probes: Mapping[str, Probe]) -> Readiness:
    """Run every probe in order; an exception is a failed check with its message as the reason."""
    checks = []
    for name, probe in probes.items():
        try:
            checks.append(Check(name, True, probe()))
        except Exception as exc:  # any failure means not ready, never an error of the probe endpoint
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:MAX_REASON]
            checks.append(Check(name, False, reason))
    return Readiness(tuple(checks))


def model_probe(scorer: Scorer | None) -> Probe:
    """Ready when a model is loaded: its version."""

    def probe() -> str:
        if scorer is None:
            raise NotFoundError("no model loaded (run: riskloop train)")
        return f"loaded {scorer.version}"

    return probe


def strategy_probe(rules: RuleEngine, champion: Callable[[], str]) -> Probe:
    """Ready when the champion strategy loads in the rule engine (a loaded strategy reports its digest).

    The probe evaluates it on an empty context: the outcome may fail (no inputs), but a strategy that could
    not be found or compiled has no digest.
    """

    def probe() -> str:
        key = champion()
        outcome = rules.evaluate(key, {})
        if not outcome.sha256:
            why = outcome.error.message if outcome.error is not None else "no digest"
            raise NotFoundError(f"{key} does not load: {why}")
        return f"{key} loaded (sha256 {outcome.sha256[:12]})"

    return probe


def graph_probe(name: str, deployed: bool) -> Probe:
    """Ready when graph checks are deployed (not the stand-in that refers every application)."""

    def probe() -> str:
        if not deployed:
            raise DataSourceError("not deployed (run: riskloop graph build)")
        return f"{name} deployed"

    return probe
