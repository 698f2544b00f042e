"""Fraud detection per ring shape and decoy kind on a hard universe: the batch gang detector and the decisions.

Run: ``.venv/bin/python -m benchmarks.bench_fraud_shapes [--enterprises 100000] [--seed 5] [--universe DIR]
[--home DIR] [--decide-days 180] [--graph-step-days 30] [--no-decisions]``

1. A ``--fraud hard`` universe is generated (or ``--universe`` reused: it must be a hard one).
2. Batch: the gang detector (``graph.gangs.detect_gangs``, default settings) on every application of the
   universe's tables. Per ring shape: rings, rings found (one gang holds >= 50 % of the ring's members and
   >= 50 % of the gang's members are the ring's), member recall (ring applications in any gang). Per decoy kind:
   the honest firms sharing a decoy, those that applied, and those with an application in any gang (goal 0).
   Per address writing variant (``synth/address_writing.py``): the share of ring addresses whose key (the
   graph's, ``graph.normalize``) equals the canonical writing's.
3. Decisions (skipped with ``--no-decisions``): the universe is ingested into a workspace (``--home``: kept and
   reused), a model trained on the loans matured before the cutoff (``--decide-days`` before as-of) and the
   shipped reference strategy released with four eyes; every application from the cutoff on is decided as of
   its time (``service.backtest.historical_inputs``: point-in-time features, the profile then in force, graph
   checks of the records before each ``--graph-step-days`` boundary recording every application as it comes).
   Per shape: ring applications decided, the share referred or rejected with a graph reason (``group: graph``
   of ``rules/reason_catalog.json``: the FRAUD_* and GRAPH_* codes; the same for honest applications beside it),
   the same with a FRAUD_* code, and the applications approved. Overall and per
   decoy kind: honest applications the graph rules alone send to suggest-reject or auto-reject (a graph
   rule's floor >= 4 and the decision at or below it); the straight-through rate; the bad rate of
   auto-approved applications next to the book's (the bank's historical loans of the period) and of every
   applicant.

Truth (``truth/``) is read only here, after detection and decisions. Prints one JSON object (also written to
``benchmarks/out/fraud_shapes.json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from riskloop.domain.access import ANALYST, APPROVER
from riskloop.domain.decision import Decision, Tier
from riskloop.graph.evaluation import evaluate
from riskloop.graph.gangs import GangSettings, detect_gangs
from riskloop.graph.normalize import normalize_one
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.io.warehouse import Warehouse
from riskloop.rules.reasons import CATALOG_FILE
from riskloop.service.rule_effects import hits
from riskloop.synth.decoys import DECOY_KINDS
from riskloop.synth.params import HARD, UniverseParams
from riskloop.synth.rings import SHAPES
from riskloop.synth.universe import generate_universe
from riskloop.testing.principals import person

OUT = Path(__file__).parent / "out" / "fraud_shapes.json"
RELEASERS = (person("bench-analyst", ANALYST), person("bench-approver", APPROVER))  # four eyes
GRAPH_FLOOR_REJECT = 4  # suggest-reject
REJECTING = (Tier.SUGGEST_REJECT, Tier.AUTO_REJECT)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _seconds(started: float) -> float:
    return round(time.perf_counter() - started, 1)


def universe_of(args: argparse.Namespace) -> tuple[Path, UniverseParams, dict[str, float]]:
    """The hard universe to measure: generated unless it exists."""
    universe = args.universe or Path(f"/tmp/riskloop-bench-fraud-{args.enterprises}-{args.seed}")
    manifest = universe / "manifest.json"
    timings: dict[str, float] = {}
    if not manifest.exists():
        params = UniverseParams(enterprises=args.enterprises, seed=args.seed, fraud=HARD)
        started = time.perf_counter()
        generate_universe(params, universe, workers=2)
        timings["generate"] = _seconds(started)
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    if meta.get("fraud") != HARD:
        raise SystemExit(f"{universe}: not a hard universe (riskloop generate --fraud hard)")
    p = meta["parameters"]
    params = UniverseParams(
        enterprises=p["enterprises"],
        seed=p["seed"],
        as_of=dt.date.fromisoformat(p["as_of"]),
        chunk_size=p["chunk_size"],
        fraud=HARD,
    )
    return universe, params, timings


def read_truth(truth: Path) -> dict[str, Any]:
    """Rings, ring members, decoy members, ring identifiers and application outcomes."""
    rings = pq.read_table(truth / "rings.parquet").to_pylist()
    members = pq.read_table(truth / "ring_members.parquet").to_pylist()
    decoys = pq.read_table(truth / "decoys.parquet").to_pylist()
    decoy_members = pq.read_table(truth / "decoy_members.parquet").to_pylist()
    kind_of = {d["decoy_id"]: d["decoy_kind"] for d in decoys}
    firms_of_kind: dict[str, set[str]] = defaultdict(set)
    for m in decoy_members:
        firms_of_kind[kind_of[m["decoy_id"]]].add(m["credit_code"])
    apps = pq.read_table(truth / "applications.parquet", columns=["application_id", "defaulted"]).to_pylist()
    return {
        "shape_of": {r["ring_id"]: r["shape"] for r in rings},
        "ring_of": {m["application_id"]: m["ring_id"] for m in members},
        "decoys": Counter(d["decoy_kind"] for d in decoys),
        "decoy_firms": firms_of_kind,
        "identifiers": pq.read_table(truth / "ring_identifiers.parquet").to_pylist(),
        "bad": {a["application_id"]: bool(a["defaulted"]) for a in apps},
    }


def batch_figures(universe: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """The gang detector on every application, per shape and decoy kind, and the address variants' keys."""
    started = time.perf_counter()
    con = Warehouse(universe / "tables").connect()
    usage = read_usage(con, Tokenizer(b"bench-fraud-shapes-key-32-bytes!"))
    status = read_status(con)
    con.close()
    gangs = detect_gangs(usage, GangSettings(), status=status)
    seconds = _seconds(started)
    report = evaluate(gangs, truth["ring_of"], truth["shape_of"], usage.application_id)
    shapes = {
        shape: {
            "rings": f["rings"],
            "members": f["members"],
            "rings_found": f["rings_found"],
            "ring_recall": f["ring_recall"],
            "member_recall": f["member_recall"],
        }
        for shape, f in report["shapes"].items()
    }
    applied = set(usage.credit_code)
    in_gang = {c for g in gangs for c in g.credit_codes}
    decoys = {}
    for kind in DECOY_KINDS:
        firms = truth["decoy_firms"].get(kind, set())
        applying = firms & applied
        decoys[kind] = {
            "decoys": truth["decoys"].get(kind, 0),
            "firms": len(firms),
            "firms_applied": len(applying),
            "firms_in_gangs": len(applying & in_gang),
            "share_in_gangs": _ratio(len(applying & in_gang), len(applying)),
        }
    return {
        "applications": usage.n_apps,
        "gangs": len(gangs),
        "seconds": seconds,
        "shapes": shapes,
        "decoys": decoys,
        "false_positive_rate": report["false_positive_rate"],
        "address_variants": address_variants(truth["identifiers"]),
    }


def address_variants(identifiers: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Per writing variant of ring addresses: how many, and the share whose graph key is the canonical writing's."""
    seen: Counter[str] = Counter()
    folded: Counter[str] = Counter()
    hard: dict[str, bool] = {}
    for row in identifiers:
        if row["identifier_kind"] != "address":
            continue
        seen[row["variant"]] += 1
        hard[row["variant"]] = bool(row["hard_variant"])
        key = normalize_one("address", row["value"])
        folded[row["variant"]] += key is not None and key == normalize_one("address", row["canonical"])
    return {v: {"written": n, "hard_variant": hard[v], "folded": _ratio(folded[v], n)} for v, n in sorted(seen.items())}


def decision_figures(
    home: Path, universe: Path, params: UniverseParams, truth: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """Ingest, train, release, decide every application from the cutoff on; figures against truth."""
    from riskloop.config import load_settings
    from riskloop.jobs.demo_serving import release_model, release_strategy
    from riskloop.service.backtest import GraphTimeline, historical_inputs
    from riskloop.service.demo_models import DemoTraining, train_demo_models
    from riskloop.service.runtime import Runtime
    from riskloop.workspace import Workspace

    cutoff = params.as_of - dt.timedelta(days=args.decide_days)
    timings: dict[str, float] = {}
    with Workspace.open(load_settings(home)) as ws:
        if not ws.warehouse.tables():
            started = time.perf_counter()
            ws.ingest(universe)
            timings["ingest"] = _seconds(started)
        release_strategy(ws.strategies(), ws.strategy_repository(), *RELEASERS)
        if not [m for m in ws.model_registry().list("fraud-bench") if m.status == "active"]:
            started = time.perf_counter()
            options = DemoTraining(
                params.as_of, cutoff, universe / "truth", name="fraud-bench", author=RELEASERS[0].name
            )
            trained = train_demo_models(ws.model_home(), options)
            release_model(ws, trained.saved["model_id"], RELEASERS[1])
            timings["train"] = _seconds(started)
        strategy = ws.strategy_key("reference")
        started = time.perf_counter()
        decider = ws.decider(Runtime(strategy=strategy))
        timeline = GraphTimeline(ws.graph_checks_before, cutoff, args.graph_step_days)
        opener = ws.vault().opener(actor="bench:fraud-shapes", purpose="benchmark decisions", at=ws.clock.now())
        gathered = historical_inputs(decider, ws.settings.warehouse, cutoff, None, opener=opener, timeline=timeline)
        decided = [(i.request.credit_code, decider.decide_inputs(i, at).decision) for i, at in gathered]
        timings["decide"] = _seconds(started)
    loans = pq.read_table(universe / "tables" / "loans", columns=["application_id"])
    figures = judge(decided, truth, set(loans.column("application_id").to_pylist()))
    return {"cutoff": cutoff.isoformat(), "strategy": strategy, "graph_builds": timeline.builds,
            "seconds": timings, **figures}  # fmt: skip


def graph_hits(decision: Decision) -> list[tuple[str, int]]:
    """The strategy's rule hits of the graph group (code, floor), from the decision's trace."""
    return [(code, floor) for code, floor in hits(decision) if code in GRAPH_CODES]


def _graph_codes() -> frozenset[str]:
    catalog = json.loads(resources.files("riskloop.rules").joinpath(CATALOG_FILE).read_text("utf-8"))
    return frozenset(c["code"] for c in catalog["codes"] if c["group"] == "graph")


GRAPH_CODES = _graph_codes()


def judge(decided: list[tuple[str, Decision]], truth: dict[str, Any], book: set[str]) -> dict[str, Any]:
    """Per shape and decoy kind, and overall: what the decisions (with their credit codes) did, against truth."""
    ring_of, shape_of, bad = truth["ring_of"], truth["shape_of"], truth["bad"]
    firm_kinds: dict[str, list[str]] = defaultdict(list)
    for kind, firms in truth["decoy_firms"].items():
        for code in firms:
            firm_kinds[code].append(kind)
    per_shape: dict[str, Counter[str]] = defaultdict(Counter)
    per_decoy: dict[str, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    graph_codes: Counter[str] = Counter()
    for credit_code, d in decided:
        hits = graph_hits(d)
        graph_reject = d.tier in REJECTING and max((f for _, f in hits), default=0) >= GRAPH_FLOOR_REJECT
        caught = (not d.tier.approves) and bool(hits)
        caught_fraud = (not d.tier.approves) and any(code.startswith("FRAUD_") for code, _ in hits)
        ring = ring_of.get(d.application_id)
        if ring is not None:
            counts = per_shape[shape_of[ring]]
            counts["applications"] += 1
            counts["caught"] += caught
            counts["caught_fraud"] += caught_fraud
            counts["approved"] += d.tier.approves
            counts["auto_approved"] += d.tier is Tier.AUTO_APPROVE
        else:
            overall["honest"] += 1
            overall["honest_caught"] += caught
            overall["honest_caught_fraud"] += caught_fraud
            overall["honest_graph_reject"] += graph_reject
            graph_codes.update(code for code, floor in hits if d.tier in REJECTING and floor >= GRAPH_FLOOR_REJECT)
            for kind in firm_kinds.get(credit_code, []):
                per_decoy[kind]["applications"] += 1
                per_decoy[kind]["graph_reject"] += graph_reject
        overall["decided"] += 1
        overall["straight_through"] += not d.tier.needs_human
        overall["auto"] += d.tier is Tier.AUTO_APPROVE
        overall["auto_bad"] += d.tier is Tier.AUTO_APPROVE and bad[d.application_id]
        overall["bad"] += bad[d.application_id]
        overall["book"] += d.application_id in book
        overall["book_bad"] += d.application_id in book and bad[d.application_id]
    return {
        "shapes": {
            shape: {
                "applications": c["applications"],
                "caught_share": _ratio(c["caught"], c["applications"]),
                "caught_fraud_code_share": _ratio(c["caught_fraud"], c["applications"]),
                "approved": c["approved"],
                "auto_approved": c["auto_approved"],
            }
            for shape, c in sorted(per_shape.items())
        },
        "decoys": {
            kind: {
                "applications": c["applications"],
                "graph_reject": c["graph_reject"],
                "graph_reject_share": _ratio(c["graph_reject"], c["applications"]),
            }
            for kind, c in sorted(per_decoy.items())
        },
        "decided": overall["decided"],
        "honest_applications": overall["honest"],
        "honest_referred_or_rejected_graph_reason": _ratio(overall["honest_caught"], overall["honest"]),
        "honest_referred_or_rejected_fraud_code": _ratio(overall["honest_caught_fraud"], overall["honest"]),
        "honest_graph_reject": overall["honest_graph_reject"],
        "honest_graph_reject_share": _ratio(overall["honest_graph_reject"], overall["honest"]),
        "honest_graph_reject_codes": dict(graph_codes.most_common()),
        "straight_through_rate": _ratio(overall["straight_through"], overall["decided"]),
        "auto_approved": overall["auto"],
        "bad_rate_auto_approved": _ratio(overall["auto_bad"], overall["auto"]),
        "bad_rate_book": _ratio(overall["book_bad"], overall["book"]),
        "book_loans": overall["book"],
        "bad_rate_applicants": _ratio(overall["bad"], overall["decided"]),
    }


def side_by_side(batch: dict[str, Any], decisions: dict[str, Any] | None) -> dict[str, Any]:
    """Per shape and per decoy kind, the batch and decision figures next to each other."""
    shapes = {}
    for shape in SHAPES:
        row: dict[str, Any] = {"batch": batch["shapes"].get(shape)}
        if decisions is not None:
            row["decisions"] = decisions["shapes"].get(shape)
        shapes[shape] = row
    decoys = {}
    for kind in DECOY_KINDS:
        row = {"batch": batch["decoys"].get(kind)}
        if decisions is not None:
            row["decisions"] = decisions["decoys"].get(kind)
        decoys[kind] = row
    return {"shapes": shapes, "decoys": decoys}


def main() -> None:
    """Parse options, measure, print one JSON object."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--universe", type=Path, help="a hard universe to reuse (default: generate one under /tmp)")
    parser.add_argument("--home", type=Path, help="keep (or reuse) the decisions' workspace here")
    parser.add_argument("--decide-days", type=int, default=180, help="decide the applications of the last N days")
    parser.add_argument("--graph-step-days", type=int, default=30, help="rebuild the checks' graph every N days")
    parser.add_argument("--no-decisions", action="store_true", help="batch detection only")
    args = parser.parse_args()
    universe, params, timings = universe_of(args)
    truth = read_truth(universe / "truth")
    batch = batch_figures(universe, truth)
    decisions = None
    if not args.no_decisions:
        with tempfile.TemporaryDirectory() as tmp:
            decisions = decision_figures(args.home or Path(tmp) / "home", universe, params, truth, args)
    report = {
        "universe": str(universe),
        "enterprises": params.enterprises,
        "seed": params.seed,
        "fraud": params.fraud,
        "gang_settings": GangSettings().__dict__,
        "seconds": {**timings, "batch": batch["seconds"], **(decisions or {}).get("seconds", {})},
        "batch": {k: v for k, v in batch.items() if k not in ("shapes", "decoys", "seconds")},
        "decisions": None
        if decisions is None
        else {k: v for k, v in decisions.items() if k not in ("shapes", "decoys", "seconds")},
        **side_by_side(batch, decisions),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
