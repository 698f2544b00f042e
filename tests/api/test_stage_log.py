"""Profiling the decision path (RISKLOOP_PROFILE_STAGES): one line per request with every stage of a decision, whose
stages add up to its time; nothing is written when it is off; the serving process's heap is settled once loaded."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskloop.api import heap
from riskloop.api.app import create_app
from riskloop.api.limits import LimitSettings
from riskloop.api.stage_log import ENV_PROFILE_CPU, ENV_PROFILE_STAGES
from riskloop.cli.main import app as cli
from riskloop.config import Settings
from riskloop.testing.api_keys import authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, application_body, make_decider

DECISION_STAGES = ("auth", "parse", "claim", "profile", "features", "graph", "score", "strategy", "persist", "respond")


def _serve_and_post(tmp_path: Path, posts: int) -> None:
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'riskloop.db'}")
    app = create_app(settings, decider=make_decider(clock=SteppingClock(NOW)), limits=LimitSettings())
    with TestClient(app) as client:
        channel = authenticate(client)["channel"]
        for i in range(posts):
            body = application_body(application_id=f"STAGE-{i}")
            assert channel.post("/v1/applications", json=body, headers={"Idempotency-Key": f"k-{i}"}).status_code == 201
        assert channel.get("/healthz").status_code == 200


def test_each_request_is_written_with_its_stages_adding_up_to_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "stages"
    monkeypatch.setenv(ENV_PROFILE_STAGES, str(folder))
    monkeypatch.setenv(ENV_PROFILE_CPU, "1")
    _serve_and_post(tmp_path, posts=3)
    lines = [json.loads(x) for p in folder.glob("stages-*.jsonl") for x in p.read_text().splitlines()]
    decided = [x for x in lines if x["route"] == "/v1/applications"]
    assert len(decided) == 3
    for line in decided:
        assert line["status"] == 201
        assert set(DECISION_STAGES) <= set(line["stages"])
        assert sum(line["stages"].values()) == line["total_ns"]
        assert line["cpu"]["strategy"] > 0  # decided on the event loop's thread: its CPU time is known
    assert any(x["route"] == "/healthz" and set(x["stages"]) == {"respond"} for x in lines)


def test_without_cpu_time_a_line_holds_wall_times_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "stages"
    monkeypatch.setenv(ENV_PROFILE_STAGES, str(folder))
    monkeypatch.delenv(ENV_PROFILE_CPU, raising=False)
    _serve_and_post(tmp_path, posts=1)
    lines = [json.loads(x) for p in folder.glob("stages-*.jsonl") for x in p.read_text().splitlines()]
    decided = [x for x in lines if x["route"] == "/v1/applications"]
    assert len(decided) == 1
    assert "cpu" not in decided[0]
    assert set(DECISION_STAGES) <= set(decided[0]["stages"])


def test_an_unusable_profiling_folder_is_refused_by_serve_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ENV_PROFILE_STAGES, str(blocker / "stages"))
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "serve", "--port", "1"])
    assert result.exit_code == 2  # a configuration error, before any worker starts
    assert f"{ENV_PROFILE_STAGES}: cannot create {blocker / 'stages'}" in result.output
    assert "Traceback" not in result.output


def test_nothing_is_written_when_profiling_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_PROFILE_STAGES, raising=False)
    _serve_and_post(tmp_path, posts=1)
    assert not list(tmp_path.rglob("stages-*.jsonl"))


def test_settling_the_heap_freezes_what_is_loaded_and_spaces_young_collections() -> None:
    threshold = gc.get_threshold()
    held = [{"loaded": i} for i in range(1000)]
    try:
        frozen = heap.settle()
        assert frozen >= len(held)
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
        walked = {id(o) for o in gc.get_objects()}  # what a full collection walks
        assert not any(id(x) in walked for x in held)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
