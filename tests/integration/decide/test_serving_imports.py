"""Serving imports no training stack: checked in a fresh interpreter, after import and after deciding applications."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from riskloop.api.schemas import ApplicationIn
from riskloop.testing.recorded import workspace_requests

PYTHON = Path(sys.executable)
# The training stack, Spark and the lightgbm package (``lightgbm/compat.py`` imports scikit-learn).
FORBIDDEN = ("riskloop.modeling", "sklearn", "optbinning", "cvxpy", "ortools", "matplotlib", "pyspark", "lightgbm")

# The app and the Scorer adapter (the composition root imports it only when it builds the pipeline).
IMPORT_ONLY = (
    "import json, sys; import riskloop.api.serve_app, riskloop.service.scorer; print(json.dumps(sorted(sys.modules)))"
)

# The app ``riskloop serve`` runs, on the workspace in RISKLOOP_HOME: its lifespan builds the live pipeline
# (model, graph, features); the applications on stdin are decided through the HTTP API.
SERVE_AND_DECIDE = """
import json, os, sys
import warnings
warnings.simplefilter("ignore")
from riskloop.api.serve_app import app
from fastapi.testclient import TestClient
auth = {"Authorization": "Bearer " + os.environ["KEY"]}
models = []
with TestClient(app()) as client:
    for body in json.load(sys.stdin):
        r = client.post("/v1/applications", json=body, headers={**auth, "Idempotency-Key": body["application_id"]})
        assert r.status_code == 201, r.text
        models.append(r.json()["versions"]["model"])
print(json.dumps({"models": models, "modules": sorted(sys.modules)}))
"""


def _loaded(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]


def test_importing_the_serving_app_imports_no_training_stack() -> None:
    done = subprocess.run([PYTHON, "-c", IMPORT_ONLY], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout)
    assert {"riskloop.api.app", "riskloop.scoring.bundle", "riskloop.scoring.booster"} <= set(modules)
    assert _loaded(modules) == []


def test_deciding_through_the_served_app_imports_no_training_stack(workspace_copy: Path) -> None:
    env = {**os.environ, "RISKLOOP_HOME": str(workspace_copy)}
    env.pop("RISKLOOP_DATABASE_URL", None)
    cli = [str(PYTHON.parent / "riskloop"), "--home", str(workspace_copy)]
    key = subprocess.run(
        [*cli, "keys", "create", "--principal", "web-channel", "--role", "channel", "--json"],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert key.returncode == 0, key.stderr
    env["KEY"] = json.loads(key.stdout)["secret"]
    requests = workspace_requests(workspace_copy, limit=20)
    bodies = [ApplicationIn.from_request(r).model_dump(mode="json", exclude_none=True) for r, _ in requests]
    done = subprocess.run(
        [PYTHON, "-c", SERVE_AND_DECIDE], input=json.dumps(bodies), capture_output=True, text=True, check=False, env=env
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert len(out["models"]) == 20
    assert all(m.startswith("demo-v1:") for m in out["models"])  # the active model scored every one
    assert "riskloop.scoring.bundle" in out["modules"]
    assert _loaded(out["modules"]) == []
