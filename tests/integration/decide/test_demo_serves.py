"""``riskloop demo`` leaves a workspace that serves at once, deployed with four eyes, judged against ground truth."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import stat
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
from serve_process import serving
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.domain.clock import ReplayClock
from riskloop.domain.decision import Tier
from riskloop.domain.tables import table
from riskloop.errors import ValidationError
from riskloop.features.spine import application_spine
from riskloop.graph.arrivals import Cursor
from riskloop.io.warehouse import record_date
from riskloop.jobs.demo import decide_held_out
from riskloop.service.model_monitoring import MIN_ROWS
from riskloop.service.monitor import NO_BEHAVIOUR
from riskloop.storage.audit import audit_trail
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace


@pytest.fixture(scope="module")
def demo(decision_workspace: Path) -> dict[str, Any]:
    """The demo's ``--json`` summary."""
    out: dict[str, Any] = json.loads((decision_workspace / "demo.json").read_text())
    return out


def test_serve_answers_the_printed_curl(demo: dict[str, Any], workspace_copy: Path) -> None:
    serve, curl = demo["serve"], demo["next"]["curl"]
    keys = json.loads(Path(serve["keys_file"]).read_text())
    body = json.loads(Path(serve["application_file"]).read_text())
    command, rest = demo["next"]["serve"].split(" ", 1)
    assert Path(command).name == "riskloop"  # on PATH, else the script beside the interpreter (.venv/bin/riskloop)
    assert rest == f"--home {Path(serve['keys_file']).parent} serve --strategy reference"
    assert f"open('{serve['keys_file']}'))['channel']['secret']" in curl[0]  # the channel key's secret, from the file
    assert f"{serve['url']}/v1/applications" in curl[1]
    assert f'-H "Idempotency-Key: {serve["idempotency_key"]}"' in curl[1]
    assert curl[1].endswith(f"-d @{serve['application_file']}")
    headers = {"Authorization": f"Bearer {keys['channel']['secret']}", "Idempotency-Key": serve["idempotency_key"]}
    with (
        serving(["--home", str(workspace_copy)], workspace_copy / "serve.log", ("--strategy", "reference")) as base,
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        posted = client.post("/v1/applications", json=body, headers=headers)
        assert posted.status_code == 201, posted.text
        assert serve["console"]["url"] == f"{serve['url']}/console"
        assert set(serve["console"]["principals"]) == set(keys)  # a sign-in for every demo role
        page = client.get("/console/reviews")  # a route of the app: its index page, assets local
        assert page.status_code == 200, page.text
        assert '<div id="root">' in page.text
        assert "/console/assets/" in page.text
        out = posted.json()
        assert out["application_id"] == body["application_id"]
        assert Tier(out["tier"])
        assert out["versions"]["model"].startswith(f"{demo['model']['model_id']}:")
        assert out["versions"]["strategy"].startswith(f"{demo['strategy']['key']}:")
        # the demo recorded this application's decision under the printed key: the post replays it
        assert posted.headers["Idempotent-Replayed"] == "true"
        assert demo["cutoff"] <= out["decided_at"][:10] < demo["outcomes"]["as_of"]  # when it applied, not now
        auditor = {"Authorization": f"Bearer {keys['auditor']['secret']}"}
        got = client.get(f"/v1/decisions/{out['decision_id']}", headers=auditor)
        assert got.status_code == 200, got.text
        assert (got.json()["tier"], got.json()["limit_cents"]) == (out["tier"], out["limit_cents"])
        assert client.post("/v1/applications", json=body, headers=headers).content == posted.content


def test_the_held_out_decisions_are_recorded_for_the_channel_and_linked_to_outcomes(
    demo: dict[str, Any], decision_workspace: Path
) -> None:
    d, start = demo["decision"], dt.datetime.combine(dt.date.fromisoformat(demo["cutoff"]), dt.time(), dt.UTC)
    referred = sum(n for tier, n in d["tiers"].items() if Tier(tier).needs_human)
    assert demo["recorded"] == {"owner": "demo-channel", "decided": d["decided"], "stored": d["decided"],
                                "queued": referred, "replayed": 0, "kept": 0}  # fmt: skip
    held_out = {r.application_id: at for r, at in workspace_requests(decision_workspace) if at >= start}
    with Workspace.open(load_settings(decision_workspace), migrate=False) as ws:
        stored = ws.decision_store().all()
        queue = ws.review_queue().list(tier=None, queued_by=None, include_closed=True)
        links = ws.outcomes().summary()
    assert {s.decision.application_id: s.decision.decided_at for s in stored} == held_out  # dated when applied
    assert {(s.role, s.owner, s.strategy) for s in stored} == {("champion", "demo-channel", demo["strategy"]["key"])}
    referrals = {s.decision_id: s.decision for s in stored if s.status == "in_review"}
    assert len(referrals) == referred
    assert {(q.decision_id, q.status, q.queued_at) for q in queue} == {
        (i, "open", x.decided_at) for i, x in referrals.items()
    }  # queued for review when they were decided, as the live path queues them
    loans = pq.read_table(
        decision_workspace / "warehouse" / "loans", columns=["application_id", "disbursed_date"]
    ).to_pylist()
    as_of = dt.date.fromisoformat(demo["outcomes"]["as_of"])
    drawn = sum(r["application_id"] in held_out and r["disbursed_date"] <= as_of for r in loans)
    assert links["with_decision"] == demo["outcomes"]["with_decision"] == drawn > 0  # every held-out loan linked
    assert set(links["by_strategy"]) == {demo["strategy"]["key"], "(none)"}  # the training months' loans: none


def test_model_monitoring_reads_the_recorded_decisions(demo: dict[str, Any], workspace_copy: Path) -> None:
    m = demo["model_monitoring"]
    assert m["model"] == demo["model"]["model_id"]
    assert m["decisions"] > 0
    assert m["score_psi"] is not None
    assert m["score_psi"] >= 0
    graded = m["decisions"] >= MIN_ROWS  # fewer: reported, not graded against the thresholds
    assert m["metrics"]["score_psi"] == (m["score_psi"] if graded else None)
    args = ["--home", str(workspace_copy), "monitor", "models", "--as-of", m["as_of"],
            "--window-days", str(m["window"]["days"]), "--dry-run", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["stability"]["decisions"] == m["decisions"]
    assert report["stability"]["score"]["psi"] == pytest.approx(m["score_psi"])
    ranked = sorted(report["stability"]["inputs"].items(), key=lambda kv: (-kv[1], kv[0]))  # most shifted first
    top = ranked[: len(m["top_input_psi"])]
    assert [(x["input"], x["psi"]) for x in m["top_input_psi"]] == [(k, pytest.approx(v)) for k, v in top] != []
    e = demo["effect"]
    assert e["funnel"]["decided"] == demo["decision"]["decided"]
    assert e["loans"] - e["loans_without_decision"] == demo["outcomes"]["with_decision"]


def test_keys_are_private_and_never_printed(demo: dict[str, Any], decision_workspace: Path) -> None:
    path = Path(demo["serve"]["keys_file"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = json.loads(path.read_text())
    assert set(keys) == {
        "channel",
        "reviewer",
        "analyst",
        "approver",
        "auditor",
        "collector",
        "collection_lead",
        "post_loan_officer",
    }
    printed = (decision_workspace / "demo.json").read_text()
    assert all(k["secret"] not in printed for k in keys.values())
    with Workspace.open(load_settings(decision_workspace), migrate=False) as ws:
        live = {k.key_id: k for k in ws.api_keys().list() if k.revoked_at is None}
    assert {(live[k["key_id"]].principal, live[k["key_id"]].roles) for k in keys.values()} == {
        (k["principal"], (role,)) for role, k in keys.items()
    }


def test_model_and_strategy_are_active_and_approved_by_someone_else(
    demo: dict[str, Any], decision_workspace: Path
) -> None:
    with Workspace.open(load_settings(decision_workspace), migrate=False) as ws:
        model = ws.model_registry().get(demo["model"]["model_id"])
        strategy = ws.strategy_repository().active("reference")
        assert ws.model_folder() == Path(model.path)
        log = ws.arrival_log()
        assert log.since(Cursor())[0] == []  # the recorded decisions' applications are in the graph: not logged
        log.close()
        model_trail = {r["action"]: r["actor"] for r in audit_trail(ws.engine, model.model_id)}
        assert strategy is not None
        strategy_trail = {r["action"]: r["actor"] for r in audit_trail(ws.engine, strategy.key)}
    assert model.status == "active"
    assert model_trail["model.registered"] == model.registered_by == "demo-analyst"
    assert model_trail["model.approved"] == model_trail["model.activated"] == model.approved_by == "demo-approver"
    assert strategy.key == demo["strategy"]["key"]
    assert strategy_trail["strategy.created"] == strategy_trail["strategy.submitted"] == strategy.author
    assert strategy_trail["strategy.activation_requested"] == strategy.author == "demo-analyst"
    assert strategy_trail["strategy.approved"] == strategy_trail["strategy.activated"] == "demo-approver"


def test_summary_figures_agree_with_the_decisions_and_ground_truth(demo: dict[str, Any], workspace_copy: Path) -> None:
    d, cutoff = demo["decision"], dt.date.fromisoformat(demo["cutoff"])
    truth = pq.read_table(next((workspace_copy / "universes").glob("*/truth")) / "applications.parquet").to_pandas()
    fraud = set(truth.loc[truth["is_fraud"].astype(bool), "application_id"])
    held_out = set(application_spine(workspace_copy / "warehouse", since=cutoff).column("application_id").to_pylist())
    with Workspace.open(load_settings(workspace_copy), migrate=False) as ws:
        decided = [p.decision for p in decide_held_out(ws, cutoff)]  # the same pipeline, run again
        stored = {s.decision.application_id: s.decision for s in ws.decision_store().all()}
    assert stored == {x.application_id: x for x in decided}  # what the demo recorded is what the pipeline decides
    assert {x.application_id for x in decided} == held_out
    assert len(decided) == d["decided"] == sum(d["tiers"].values())
    assert {t.value: sum(x.tier is t for x in decided) for t in Tier} == d["tiers"]  # deterministic
    assert d["fraud_applications"] == len(held_out & fraud) > 0
    assert d["fraud_approved"] == sum(x.tier.approves and x.application_id in fraud for x in decided)
    automatic = sum(x.tier in (Tier.AUTO_APPROVE, Tier.AUTO_REJECT) for x in decided)
    assert d["straight_through_rate"] == pytest.approx(automatic / len(decided))
    approved = sorted(x.limit_cents for x in decided if x.tier.approves)
    assert d["approved_terms"]["applications"] == len(approved)
    assert d["approved_terms"]["total_limit_yuan"] == sum(approved) // 100
    assert all(x.limit_cents > 0 and x.rate_bp > 0 for x in decided if x.tier.approves)
    assert d["auc_vs_truth"] == pytest.approx(d["models_vs_truth"]["ensemble"]["auc"], abs=0.01)  # served = batch


def test_held_out_applications_are_decided_without_hindsight(demo: dict[str, Any], decision_workspace: Path) -> None:
    cutoff = dt.date.fromisoformat(demo["cutoff"])
    start = dt.datetime.combine(cutoff, dt.time(), dt.UTC)
    with Workspace.open(load_settings(decision_workspace), migrate=False) as ws:
        con = ws.warehouse.connect(before=cutoff)
        con.execute("SET TimeZone = 'UTC'")
        try:  # the tables as they stood: nothing dated on or after the cutoff
            for name in ws.warehouse.tables():
                column = record_date(table(name))
                if column is not None:
                    late = con.execute(f"SELECT count(*) FROM {name} WHERE {column} >= ?", [start]).fetchone()
                    assert late == (0,), name
        finally:
            con.close()
        clock = ReplayClock(start)
        checks = ws.graph_checks_before(cutoff, clock)
        later = [(r, at) for r, at in workspace_requests(decision_workspace) if at >= start][:25]
        assert later
        for request, at in later:
            assert checks.checks.index.position(request.application_id) is None  # unknown until it applies
            clock.move_to(at)
            checks.check(request)
            assert checks.checks.index.position(request.application_id) is not None  # recorded when it applied
    with pytest.raises(ValidationError, match="time order"):
        clock.move_to(start)


def test_a_rerun_is_idempotent_and_reproducible(demo: dict[str, Any], decision_workspace: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(decision_workspace, home, symlinks=True)
    built = json.loads((decision_workspace / "ready.json").read_text())  # the fixture's demo options
    args = ["--home", str(home), "demo", "--enterprises", str(built["enterprises"]), "--seed", str(built["seed"])]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert again["ingest"]["loaded"] == 0
    assert again["ingest"]["already_present"] == demo["rows_generated"]
    assert again["decision"] == demo["decision"]
    recorded = demo["recorded"]  # each held-out application is claimed once: the re-run stores nothing
    assert again["recorded"] == {**recorded, "stored": 0, "queued": 0, "replayed": recorded["decided"]}
    # a new model version replaces the first; the same strategy content stays active; the keys are new
    assert (demo["model"]["model_id"], again["model"]["model_id"]) == ("demo-v1", "demo-v2")
    assert again["strategy"]["key"] == demo["strategy"]["key"]
    with Workspace.open(load_settings(home), migrate=False) as ws:
        assert len(ws.decision_store().all()) == recorded["stored"]
        assert [m.status for m in ws.model_registry().list("demo")] == ["retired", "active"]
        live = [k.principal for k in ws.api_keys().list() if k.revoked_at is None]
    assert sorted(live) == sorted(again["serve"]["principals"].values())
    old = json.loads((decision_workspace / "demo-keys.json").read_text())
    assert all(k["secret"] not in (home / "demo-keys.json").read_text() for k in old.values())


def test_the_book_is_monitored_and_warnings_lead_defaults(demo: dict[str, Any], decision_workspace: Path) -> None:
    m = demo["monitoring"]
    truth = pq.read_table(
        next((decision_workspace / "universes").glob("*/truth")) / "loans.parquet",
        columns=["loan_id", "defaulted", "default_date"],
    ).to_pylist()
    first, last = dt.date.fromisoformat(m["runs"][0]), dt.date.fromisoformat(m["runs"][-1])
    defaults = [r for r in truth if r["defaulted"] and first <= r["default_date"] <= last]
    assert m["lead_time"]["defaults_in_period"] == len(defaults) > 0
    days = [dt.date.fromisoformat(d) for d in m["runs"]]
    assert all((d + dt.timedelta(days=1)).day == 1 for d in days)  # month ends,
    assert 6 <= len(days) <= 7  # of the last half year
    shares = [m["lead_time"][lvl][f"warned_{x}d"] for lvl in ("warning", "attention", "notice") for x in (30, 60, 90)]
    assert all(0 <= s <= 1 for s in shares)
    lead = m["lead_time"]
    assert lead["warning"]["warned_30d"] <= lead["attention"]["warned_30d"] <= lead["notice"]["warned_30d"]
    assert m["alerts"]["direct"]  # the reference policy warns on the book
    example = m["propagated_example"]
    assert example is not None
    assert example["path"][0]["from"] == example["source"]
    assert example["path"][-1]["to"] == example["credit_code"]
    with Workspace.open(load_settings(decision_workspace), migrate=False) as ws:
        policy = ws.strategy_repository().active("warning-reference")
        assert policy is not None
        trail = {r["action"]: r["actor"] for r in audit_trail(ws.engine, policy.key)}
    assert policy.key == m["policy"]
    assert trail["strategy.created"] == "demo-analyst"
    assert trail["strategy.approved"] == trail["strategy.activated"] == "demo-approver"


def test_a_book_too_small_for_a_behaviour_score_is_monitored_without_it_and_says_why(demo: dict[str, Any]) -> None:
    # 3,000 enterprises: five bad loan-months have matured before the monitored half year, too few to train on
    # (a 30,000-enterprise demo trains one and releases it with four eyes; riskloop behaviour CLI test for the steps).
    b = demo["monitoring"]["behaviour"]
    assert b["skipped"].startswith("labels: ")
    assert "too few to train" in b["skipped"]
    assert b["scored"] == NO_BEHAVIOUR
