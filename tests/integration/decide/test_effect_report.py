"""Effect tracking on the demo workspace with decisions posted through the API on the days the applications came.

The demo recorded its held-out decisions; the oldest applications are posted on top. The vintage curves agree
with ``riskloop outcomes summary`` at 3/6/12 months; the funnel counts what was recorded or posted, decided and
drawn by the day and nothing after it; the API answers the CLI's report to the roles
that read it; the HTML report has its charts and no script.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from riskloop.api.app import create_app
from riskloop.api.schemas import ApplicationIn
from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.domain.clock import ReplayClock
from riskloop.domain.decision_request import DecisionRequest
from riskloop.testing.fake_decision_ports import MemoryGraphChecks
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace

POSTED = 400  # the oldest applications, posted by the channel on the day each came


def _cli(home: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.exit_code == 0 else {}, result.stderr


@pytest.fixture(scope="module")
def posted(decision_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A copy of the workspace whose oldest applications were posted through the API, outcomes relinked.

    ``applied``: the day of every decided application (the demo's recorded ones and the posted ones); ``tiers``,
    ``channels`` and ``models`` of them all.
    """
    import shutil

    home = tmp_path_factory.mktemp("effect") / "home"
    home.mkdir()
    shutil.copy(decision_workspace / "riskloop.db", home / "riskloop.db")
    for name in ("models", "warehouse", "universes", "secrets"):
        (home / name).symlink_to(decision_workspace / name)
    keys = json.loads((decision_workspace / "demo-keys.json").read_text())
    requests = workspace_requests(home, limit=POSTED)
    clock = ReplayClock(requests[0][1])
    with Workspace.open(load_settings(home), migrate=False) as ws:
        recorded = ws.decision_store().all()  # the demo's held-out decisions
    assert recorded
    applied = {s.decision.application_id: s.decision.decided_at.date() for s in recorded}
    tiers = {s.decision.application_id: s.decision.tier.value for s in recorded}
    models = {s.decision.versions.model for s in recorded}
    channels = Counter(s.inputs["request"]["channel"] for s in recorded)
    with TestClient(create_app(load_settings(home), graph=MemoryGraphChecks(), clock=clock)) as client:
        channel = {"Authorization": f"Bearer {keys['channel']['secret']}"}
        for request, at in requests:
            clock.move_to(at)
            headers = channel | {"Idempotency-Key": request.application_id}
            answer = client.post("/v1/applications", json=_body(request), headers=headers)
            assert answer.status_code == 201, answer.text
            tiers[request.application_id] = answer.json()["tier"]
            models.add(answer.json()["versions"]["model"])
    updated_to = json.loads((decision_workspace / "demo.json").read_text())["outcomes"]["as_of"]
    code, _, err = _cli(home, "outcomes", "update", "--as-of", updated_to, "--full")  # link the new decisions
    assert code == 0, err
    applied |= {r.application_id: at.date() for r, at in requests}
    return {
        "home": home,
        "keys": keys,
        "applied": applied,
        "tiers": tiers,
        "channels": channels + Counter(r.channel for r, _ in requests),
        "models": models,
        "updated_to": dt.date.fromisoformat(updated_to),
    }


def _body(request: DecisionRequest) -> dict[str, Any]:
    return ApplicationIn.from_request(request).model_dump(mode="json", exclude_none=True)


def _loans(home: Path) -> list[dict[str, Any]]:
    return pq.read_table(
        home / "warehouse" / "loans", columns=["loan_id", "application_id", "disbursed_date"]
    ).to_pylist()


def test_the_funnel_counts_what_was_posted_and_drawn_by_the_day(posted: dict[str, Any]) -> None:
    home, day = posted["home"], posted["updated_to"]
    code, report, err = _cli(home, "effect", "--as-of", day.isoformat())
    assert code == 0, err
    overall = report["funnel"]["overall"]
    assert overall["decided"] == len(posted["applied"]) > POSTED
    approving = {a for a, t in posted["tiers"].items() if t == "auto_approve"}  # suggest_approve: a reviewer decides
    assert overall["approved"] == len(approving)  # no review was closed: the referred are still in review
    assert overall["in_review"] == sum(t not in ("auto_approve", "auto_reject") for t in posted["tiers"].values())
    loans = [r for r in _loans(home) if r["disbursed_date"] <= day]
    on_posted = {r["application_id"] for r in loans if r["application_id"] in posted["applied"]}
    assert overall["drawn"] + overall["drawn_not_approved"] == len(on_posted) > 0
    assert overall["drawn"] == len(on_posted & approving)
    assert report["loans"] == len(loans)
    assert report["loans_without_decision"] == len(loans) - sum(r["application_id"] in posted["applied"] for r in loans)
    assert f"no stored decision for {report['loans_without_decision']:,}" in report["note"]
    by_channel, by_model = report["funnel"]["by_channel"], report["funnel"]["by_model"]
    assert {k: g["decided"] for k, g in by_channel.items() if g["decided"]} == posted["channels"]  # the request's
    assert {k for k, g in by_model.items() if g["decided"]} == {next(iter(posted["models"]))}
    assert by_model["(none)"]["decided"] == 0
    assert report["loss"]["overall"]["loans"] == len(on_posted)
    by_decision = report["loss"]["by_decision"]
    assert by_decision["approved"]["loans"] == overall["drawn"]  # the rest were lent on a declined or referred one
    assert sum(g["loans"] for g in by_decision.values()) == len(on_posted)


def test_vintage_curves_agree_with_the_outcome_summary(posted: dict[str, Any]) -> None:
    home = posted["home"]
    for day in (posted["updated_to"], posted["updated_to"] - dt.timedelta(days=200)):
        code, report, err = _cli(home, "effect", "--as-of", day.isoformat())
        assert code == 0, err
        code, summary, err = _cli(home, "outcomes", "summary", "--as-of", day.isoformat())
        assert code == 0, err
        assert report["loans"] == summary["loans"]
        assert report["loans"] - report["loans_without_decision"] == summary["with_decision"]
        compared = 0
        for vintage, figures in summary["by_vintage"].items():
            at = {p["months_on_book"]: p for p in report["vintages"][vintage]}
            for months in (3, 6, 12):
                h = figures[f"{months}m"]
                if h["matured"]:
                    assert (at[months]["matured"], at[months]["bad"]) == (h["matured"], h["bad"]), (vintage, months)
                    compared += 1
                else:
                    assert months not in at
        assert compared > 0


def test_an_earlier_day_reads_nothing_after_it(posted: dict[str, Any]) -> None:
    home, applied = posted["home"], posted["applied"]
    days = sorted(applied.values())
    early = days[len(days) // 2]
    code, report, err = _cli(home, "effect", "--as-of", early.isoformat())
    assert code == 0, err
    assert report["funnel"]["overall"]["decided"] == sum(d <= early for d in applied.values())
    assert report["loans"] == sum(r["disbursed_date"] <= early for r in _loans(home))
    assert all(v <= early.strftime("%Y-%m") for v in report["vintages"])
    code, _, err = _cli(home, "effect", "--as-of", (posted["updated_to"] + dt.timedelta(days=1)).isoformat())
    assert code == 2
    assert "--as-of" in err
    assert "riskloop outcomes update" in err


def test_the_api_answers_the_cli_report_to_its_roles(posted: dict[str, Any]) -> None:
    home, keys, day = posted["home"], posted["keys"], posted["updated_to"].isoformat()
    _, report, _ = _cli(home, "effect", "--as-of", day)
    with TestClient(create_app(load_settings(home), graph=MemoryGraphChecks())) as client:
        for role in ("analyst", "approver", "auditor"):
            answer = client.get(f"/v1/effect?as_of={day}", headers={"Authorization": f"Bearer {keys[role]['secret']}"})
            assert answer.status_code == 200, answer.text
            assert answer.json() == report
        analyst = {"Authorization": f"Bearer {keys['analyst']['secret']}"}
        for role in ("channel", "reviewer"):
            denied = client.get(f"/v1/effect?as_of={day}", headers={"Authorization": f"Bearer {keys[role]['secret']}"})
            assert denied.status_code == 403
        bad = client.get("/v1/effect?as_of=2025-13-01", headers=analyst)
        assert bad.status_code == 422
        assert "as_of" in bad.text
        later = client.get(f"/v1/effect?as_of={posted['updated_to'] + dt.timedelta(days=1)}", headers=analyst)
        assert later.status_code == 422
        assert "as_of" in later.text
        assert client.get(f"/v1/effect?as_of={day}").status_code == 401


def test_the_html_report_has_its_charts_and_no_script(posted: dict[str, Any], tmp_path: Path) -> None:
    page = tmp_path / "out" / "effect.html"
    code, report, err = _cli(
        posted["home"], "effect", "--as-of", posted["updated_to"].isoformat(), "--report", str(page)
    )
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert report["report"] == str(page)
    assert html.count("<svg") == 3  # funnel, vintage curves, losses
    assert "漏斗 Funnel" in html
    assert "账龄曲线 Vintage curves" in html
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )
