"""``riskloop graph``: build, expand, path and gangs on an ingested workspace, with --json and clear errors."""

import datetime as dt
import json
from collections import defaultdict

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.domain.clock import FixedClock, SystemClock
from riskloop.domain.decision import Tier
from riskloop.graph.tokens import masked_label
from riskloop.testing.decider import CODE, make_decider, request
from riskloop.workspace import Workspace


@pytest.fixture(scope="module")
def home(graph_universe, tmp_path_factory):
    ws = tmp_path_factory.mktemp("graph-ws") / "home"
    result = CliRunner().invoke(app, ["--home", str(ws), "ingest", str(graph_universe), "--json"])
    assert result.exit_code == 0, result.output
    return ws


def run(home, *args):
    return CliRunner().invoke(app, ["--home", str(home), "graph", *args])


@pytest.fixture(scope="module")
def built(home):
    result = run(home, "build", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_no_graph_yet_is_a_clear_error(tmp_path):
    result = run(tmp_path / "empty", "expand", "91420100000000001X")
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_build_reports_counts_per_kind(built):
    assert built["nodes"] > 10_000
    assert built["counts"]["nodes"]["enterprise"] == 5_000
    assert built["counts"]["edges"]["uses_device"] > 0


def test_expand_and_path_json(home, built, graph_universe):
    codes = pq.read_table(graph_universe / "truth" / "ring_members.parquet")["credit_code"].to_pylist()
    result = run(home, "expand", codes[0], "--hops", "2", "--max-degree", "50", "--json")
    assert result.exit_code == 0, result.output
    sub = json.loads(result.stdout)
    assert sub["nodes"][0]["id"] == f"enterprise:{codes[0]}"
    assert {"nodes", "edges", "paths", "capped"} <= set(sub)
    assert len(sub["paths"]) == len(sub["nodes"]) - 1
    other = next(n["id"].split(":", 1)[1] for n in sub["nodes"][1:] if n["kind"] == "enterprise")
    path = json.loads(run(home, "path", codes[0], other, "--json").stdout)
    assert path["hops"] >= 1
    assert 0 < path["closeness"] <= 1
    readable = run(home, "path", codes[0], other)
    assert readable.exit_code == 0
    assert "closeness" in readable.stdout


def test_gangs_json_lists_members_label_and_features(home, built):
    result = run(home, "gangs", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert len(out["gangs"]) >= 10
    gang = out["gangs"][0]
    assert {"gang_id", "label", "application_ids", "credit_codes", "features"} <= set(gang)
    assert {"size", "density", "recent_share", "bad_share", "burst_share"} <= set(gang["features"])
    assert "gangs among" in run(home, "gangs").stdout


def test_a_reviewer_confirms_a_detected_gang_and_its_members_are_black_listed(home, built):
    gang = json.loads(run(home, "gangs", "--json").stdout)["gangs"][0]
    cli = CliRunner()
    made = cli.invoke(
        app, ["--home", str(home), "keys", "create", "--principal", "rita", "--role", "reviewer", "--json"]
    )
    env = {"RISKLOOP_API_KEY": json.loads(made.stdout)["secret"]}
    args = ["--home", str(home), "lists", "confirm-gang", "--evidence", "case://1", "--detect", "--json"]
    missing = cli.invoke(app, [*args, "Gnone"], env=env)
    assert missing.exit_code != 0
    assert "not among" in missing.stderr
    result = cli.invoke(app, [*args, gang["gang_id"]], env=env)
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["entries"]
    assert sorted(e["label"] for e in entries if e["identifier_kind"] == "credit_code") == gang["credit_codes"]
    assert {e["provenance"]["gang_id"] for e in entries} == {gang["gang_id"]}


def _shared_by_enterprises(graph_universe, gang):
    """A raw device or phone two of the gang's enterprises applied with (what a new applicant could present)."""
    apps = pq.read_table(graph_universe / "tables" / "applications").to_pylist()
    mine = [a for a in apps if a["application_id"] in set(gang["application_ids"])]
    for field, link in (("device_id", "uses_device"), ("phone", "uses_phone")):
        firms = defaultdict(set)
        for a in mine:
            if a["channel"] != "branch":  # a kiosk's device is the bank's, never the gang's
                firms[a[field]].add(a["credit_code"])
        shared = sorted(v for v, codes in firms.items() if len(codes) >= 2)
        if shared:
            return field, link, shared[0]
    return None


def _decide(home, **changes):
    with Workspace.open(load_settings(home), create=False) as ws:
        after = FixedClock(SystemClock().now() + dt.timedelta(minutes=1))  # entries are valid from the CLI's now
        decision = make_decider(lists=ws.list_screen(), clock=after).decide(request(**changes)).decision
    return decision.tier, [r.code for r in decision.reasons]


def test_a_confirmed_gangs_shared_device_or_phone_declines_another_enterprise(home, built, graph_universe):
    gangs = json.loads(run(home, "gangs", "--json").stdout)["gangs"]
    later = gangs[1:]  # the first one is confirmed above
    gang, (field, link, raw) = next((g, s) for g in later if (s := _shared_by_enterprises(graph_universe, g)))
    assert CODE not in gang["credit_codes"]  # the new applicant is another enterprise
    assert _decide(home, **{field: raw}) == (Tier.AUTO_APPROVE, [])  # not listed yet
    cli = CliRunner()
    made = cli.invoke(app, ["--home", str(home), "keys", "create", "--principal", "rosa", "--role", "reviewer",
                            "--json"])  # fmt: skip
    env = {"RISKLOOP_API_KEY": json.loads(made.stdout)["secret"]}
    args = ["--home", str(home), "lists", "confirm-gang", gang["gang_id"], "--evidence", "case://2", "--detect"]
    result = cli.invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert raw not in result.stdout  # listed by graph key: the raw value is never needed nor shown
    entries = json.loads(result.stdout)["entries"]
    shared = [e for e in entries if e["provenance"].get("link") == link]
    kind = "device" if field == "device_id" else "phone"
    assert masked_label(kind, raw) in {e["label"] for e in shared}
    for e in shared:
        assert e["value"] is None
        assert e["provenance"]["gang_id"] == gang["gang_id"]
        assert e["provenance"]["reviewer"] == "rosa"
        assert e["identifier_kind"] == field
    assert {e["provenance"]["link"] for e in entries if e["identifier_kind"] != "credit_code"} <= {
        "uses_phone", "uses_device", "logged_in_from", "uses_email", "uses_bank_account", "applied_by"}  # fmt: skip
    tier, codes = _decide(home, **{field: raw})
    assert tier is Tier.AUTO_REJECT
    assert "BLACKLIST" in codes
    assert _decide(home)[0] is Tier.AUTO_APPROVE  # an unrelated enterprise and applicant
    if field == "device_id":  # keyed in on the bank's kiosk, the device is the bank's: it identifies no one
        assert _decide(home, device_id=raw, channel="branch")[0] is Tier.AUTO_APPROVE


@pytest.mark.parametrize(
    ("args", "exit_code", "text"),
    [
        (("expand", "not-a-code"), 2, "TARGET"),
        (("expand", "91420100MA4K12345K"), 3, "not in the graph"),
        (("path", "91420100MA4K12345K", "bad"), 2, "TARGET"),
        (("expand", "91420100MA4K12345K", "--since", "yesterday"), 2, "--since"),
    ],
)
def test_bad_input_names_the_argument(home, built, args, exit_code, text):
    result = run(home, *args)
    assert result.exit_code == exit_code
    assert text in result.stderr
    assert "Traceback" not in result.output
