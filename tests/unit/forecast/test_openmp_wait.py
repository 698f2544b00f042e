"""How OpenMP threads wait: a brief spin unless the environment says otherwise, set by the command itself."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from riskloop.openmp import SPIN_COUNT, bounded_spin


def test_threads_spin_briefly_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    bounded_spin()
    assert os.environ["GOMP_SPINCOUNT"] == SPIN_COUNT == "1000"


@pytest.mark.parametrize(("name", "value"), [("OMP_WAIT_POLICY", "ACTIVE"), ("GOMP_SPINCOUNT", "50")])
def test_a_setting_of_the_deployment_is_kept(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    monkeypatch.setenv(name, value)
    bounded_spin()
    assert os.environ[name] == value
    assert os.environ.get("GOMP_SPINCOUNT") == (value if name == "GOMP_SPINCOUNT" else None)


def test_the_command_sets_it_before_lightgbm_loads() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    probe = "import os, sys, riskloop.cli.main; print(os.environ.get('GOMP_SPINCOUNT'), 'lightgbm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1000", "False"]
