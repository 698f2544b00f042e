"""POST /v1/strategies/{name}/versions/{version}/backtest on the demo workspace: a stricter draft vs the champion."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import load_settings
from riskloop.rules.loaders import reference_strategy

SAMPLE = 200


def _bearer(keys: dict[str, dict[str, str]], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys[role]['secret']}"}


def _count(home: Path, sql: str) -> int:
    with sqlite3.connect(home / "riskloop.db") as db:
        return int(db.execute(sql).fetchone()[0])


def test_a_stricter_draft_approves_a_subset_of_a_seeded_sample(decision_workspace: Path, workspace_copy: Path) -> None:
    keys = json.loads((decision_workspace / "demo-keys.json").read_text())
    shipped = reference_strategy().content
    stricter = shipped.replace('"score_i0": ">= 525"', '"score_i0": ">= 640"')  # a higher auto-approve cut
    assert stricter != shipped
    with TestClient(create_app(load_settings(workspace_copy), graph_name="workspace")) as client:
        draft = client.post("/v1/strategies/reference/versions", json={"content": stricter},
                            headers=_bearer(keys, "analyst"))  # fmt: skip
        assert draft.status_code == 201, draft.text
        version = draft.json()["version"]
        decisions = _count(workspace_copy, "SELECT count(*) FROM decisions")
        url = f"/v1/strategies/reference/versions/{version}/backtest"
        result = client.post(url, json={"sample": SAMPLE}, headers=_bearer(keys, "approver"))
        assert result.status_code == 200, result.text
        again = client.post(url, json={"sample": SAMPLE}, headers=_bearer(keys, "analyst"))
        assert client.post(url, json={}, headers=_bearer(keys, "reviewer")).status_code == 403
    out = result.json()
    assert again.json() == out  # the same seeded sample, the same answer
    assert out["applications"] == SAMPLE
    assert 0 < out["with_outcome"] <= SAMPLE
    assert out["outcomes"].startswith("observed on")
    assert out["graph"].startswith("stored graph")
    champion, candidate = out["champion"], out["candidate"]
    assert (champion["strategy"], candidate["strategy"]) == ("reference@1", f"reference@{version}")
    for side in ("champion", "candidate"):
        assert sum(t[side] for t in out["series"]["by_tier"]) == SAMPLE
        assert sum(o[side] for o in out["series"]["by_outcome"]) == SAMPLE
        assert sum(t["count"] for t in out[side]["by_tier"].values()) == SAMPLE
    assert candidate["by_tier"]["auto_approve"]["count"] < champion["by_tier"]["auto_approve"]["count"]
    assert candidate["approval_rate"] <= champion["approval_rate"]
    swap = out["swap"]
    assert swap["swap_in"]["count"] == 0  # a higher cut never approves what the champion did not
    assert len(swap["examples"]["out"]) == min(5, swap["swap_out"]["count"])
    assert all(e["champion_tier"] != e["candidate_tier"] for e in swap["examples"]["out"])
    assert out["writes"] == 0
    assert _count(workspace_copy, "SELECT count(*) FROM decisions") == decisions  # nothing decided is stored
    opened = "SELECT count(*) FROM audit_log WHERE actor = 'api:demo-approver' AND action = 'pii.reveal'"
    assert _count(workspace_copy, opened) > 0  # the identifiers opened to decide as posted: audited
