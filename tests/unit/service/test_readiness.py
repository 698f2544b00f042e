"""The readiness use case: every probe runs, a failure of any kind is a failed check with its reason."""

from __future__ import annotations

import pytest

from riskloop.errors import StorageError
from riskloop.rules.loaders import REFERENCE_KEY, PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.readiness import graph_probe, model_probe, readiness, strategy_probe
from riskloop.testing.fake_decision_ports import FixedScorer


def _fails() -> str:
    raise StorageError("does not answer (OperationalError: unable to open database file)\nmore lines")


def test_all_passing_probes_are_ready_with_what_they_found() -> None:
    result = readiness({"model": model_probe(FixedScorer()), "graph": graph_probe("MemoryGraphChecks", True)})
    assert result.ready
    assert [(c.name, c.ok, c.reason) for c in result.checks] == [
        ("model", True, f"loaded {FixedScorer().version}"),
        ("graph", True, "MemoryGraphChecks deployed"),
    ]
    assert result.failed() == ""


def test_a_failing_probe_is_a_failed_check_and_the_others_still_run() -> None:
    result = readiness({"database": _fails, "model": model_probe(None), "graph": graph_probe("NoGraphChecks", False)})
    assert not result.ready
    assert [c.to_dict() for c in result.checks] == [
        {"name": "database", "ok": False, "reason": "does not answer (OperationalError: unable to open database file)"},
        {"name": "model", "ok": False, "reason": "no model loaded (run: riskloop train)"},
        {"name": "graph", "ok": False, "reason": "not deployed (run: riskloop graph build)"},
    ]
    assert result.failed().startswith("database: does not answer")
    assert "graph: not deployed (run: riskloop graph build)" in result.failed()


def test_an_unexpected_exception_without_a_message_names_its_class() -> None:
    def broken() -> str:
        raise KeyError

    (check,) = readiness({"x": broken}).checks
    assert (check.ok, check.reason) == (False, "KeyError")


@pytest.mark.parametrize(("key", "ok"), [(REFERENCE_KEY, True), ("nosuch@1", False)])
def test_the_strategy_probe_passes_only_when_the_champion_loads(key: str, ok: bool) -> None:
    (check,) = readiness({"strategy": strategy_probe(ZenRuleEngine(PackageStrategyLoader()), lambda: key)}).checks
    assert check.ok is ok
    if ok:
        assert check.reason.startswith(f"{key} loaded (sha256 ")
    else:
        assert check.reason.startswith("nosuch@1 does not load: ")
