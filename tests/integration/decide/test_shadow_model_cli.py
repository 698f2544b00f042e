"""``riskloop models shadow --json`` on decisions stored in SQLite, and ``serve --shadow-model`` refusing, before
serving, the model serving, an unknown id, a behaviour model and a bundle changed since it was registered."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.scoring.behaviour import KIND as BEHAVIOUR_KIND
from riskloop.service.intake import request_digest
from riskloop.service.shadow_model import ShadowModel
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider, request
from riskloop.testing.fake_decision_ports import FixedScorer
from riskloop.workspace import Workspace

BUREAU = (790, 760, 720, 690, 660, 630)
APPROVES = {"auto_approve", "suggest_approve"}


def bundle(home: Path, name: str) -> Path:
    """A registrable bundle folder: its manifest (the decisions below are scored by fakes)."""
    folder = home / "models" / name
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"files": {}, "name": name}))
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A workspace with an active champion sme-v1, a candidate sme-v2 run in shadow, and a behaviour model."""
    home = tmp_path / "home"
    clock = SteppingClock(NOW)
    with Workspace.open(load_settings(home), clock=clock) as ws:
        registry = ws.model_registry()
        champion = registry.register(bundle(home, "sme-v1"), "sme", "fused-ensemble", {}, {}, [], registered_by="ann")
        candidate = registry.register(bundle(home, "sme-v2"), "sme", "fused-ensemble", {}, {}, [], registered_by="ann")
        registry.register(bundle(home, "behaviour-v1"), "behaviour", BEHAVIOUR_KIND, {}, {}, [])
        registry.mark_approved(champion, "bob")
        registry.mark_active(champion, "bob")
        version = registry.get(candidate).served_version
        shadow = ShadowModel(candidate, make_decider(clock=clock, scorer=FixedScorer(base=480.0, version=version)))
        intake = ws.intake(make_decider(clock=clock), shadow_model=shadow)
        for i, score in enumerate(BUREAU):
            r = request(application_id=f"APP-{i}", bureau_score=score)
            digest = request_digest(r.to_dict())
            intake.submit(key=f"k{i}", request=r, digest=digest, render=lambda i, d: b"{}", actor="web")
    return home


def run(home: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    out = json.loads(result.stdout) if result.exit_code == 0 and "--json" in args else {}
    return result.exit_code, out, result.stderr


def expected() -> tuple[int, int, int, float]:
    """Same tier, swap in and swap out counts and the PD correlation, from the two pipelines deciding directly."""
    champion, shadow = make_decider(), make_decider(scorer=FixedScorer(base=480.0))
    same = swap_in = swap_out = 0
    pds: list[tuple[float, float]] = []
    for i, score in enumerate(BUREAU):
        r = request(application_id=f"APP-{i}", bureau_score=score)
        one, other = champion.decide(r).decision, shadow.decide(r).decision
        a, b = one.tier.value, other.tier.value
        same += a == b
        swap_in += b in APPROVES and a not in APPROVES
        swap_out += a in APPROVES and b not in APPROVES
        assert one.pd is not None
        assert other.pd is not None
        pds.append((one.pd, other.pd))
    return same, swap_in, swap_out, statistics.correlation([a for a, _ in pds], [b for _, b in pds])


def test_models_shadow_reports_the_stored_pairs(home: Path) -> None:
    code, out, err = run(home, "models", "shadow", "sme-v2", "--json")
    assert code == 0, err
    same, swap_in, swap_out, correlation = expected()
    assert same < len(BUREAU)  # the shadow model moves some applications
    assert (out["pairs"], out["unpaired"], out["agreement"]["same_tier"]) == (len(BUREAU), 0, same)
    assert (out["swap_in"]["count"], out["swap_out"]["count"]) == (swap_in, swap_out)
    assert out["model"] == {"model_id": "sme-v2", "status": "registered", "version": out["shadow"]["model"]}
    assert out["champion"]["models"] == {"fixed-scorer:1": len(BUREAU)}
    assert out["pd"]["shadow_mean"] > out["pd"]["champion_mean"]  # fewer points: riskier everywhere
    assert out["pd"]["correlation"] == pytest.approx(correlation)
    assert out["outcomes"]["matured_pairs"] == 0  # no loan drawn yet
    code, _, err = run(home, "models", "shadow", "sme-v2", "--since", "2026-07-02")  # for people
    assert code == 0, err
    code, nothing, _ = run(home, "models", "shadow", "sme-v2", "--since", "2026-07-02", "--json")
    assert (code, nothing["pairs"]) == (0, 0)
    assert run(home, "models", "shadow", "sme-v9", "--json")[0] == 3
    code, _, err = run(home, "models", "shadow", "sme-v2", "--until", "July", "--json")
    assert code == 2
    assert "--until" in err


def test_serve_refuses_a_shadow_model_it_cannot_run_before_serving(home: Path) -> None:
    code, _, err = run(home, "serve", "--shadow-model", "sme-v1", "--json")  # the active model
    assert code == 2
    assert "shadow_model" in err
    assert "serving" in err
    code, _, err = run(home, "serve", "--model", "sme-v2", "--shadow-model", "sme-v2")  # pinned as the champion
    assert (code, "serving" in err) == (2, True)
    code, _, err = run(home, "serve", "--shadow-model", "behaviour-v1", "--json")
    assert (code, "behaviour" in err) == (2, True)
    code, _, err = run(home, "serve", "--shadow-model", "sme-v9", "--json")
    assert (code, "sme-v9" in err) == (3, True)
    # a candidate passes this check; serving then stops at the first missing step, here the ingested data
    code, _, err = run(home, "serve", "--shadow-model", "sme-v2", "--json")
    assert code == 3
    assert "not ready to serve" in err
    assert "shadow" not in err
    manifest = home / "models" / "sme-v2" / "manifest.json"
    manifest.write_text(manifest.read_text() + "\n")  # changed after registration
    code, _, err = run(home, "serve", "--shadow-model", "sme-v2", "--json")
    assert code == 1
    assert "does not match the registered" in err
    assert not (home / "run" / "metrics").exists()  # refused before anything of a run was written
