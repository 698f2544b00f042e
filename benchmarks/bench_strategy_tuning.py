"""Tier cut-offs chosen on the backtest, and every rule's effect: the reference strategy tuned, not set by hand.

Run: ``.venv/bin/python -m benchmarks.bench_strategy_tuning --universe DIR --home DIR [--decide-days 180]
[--graph-step-days 30] [--candidate-file FILE ...]``

The workspace (``--home``) is the one ``benchmarks.bench_fraud_shapes`` leaves (ingested universe, model active);
the applications of the last ``--decide-days`` are gathered once, as of each one's time (point-in-time features,
graph checks of the records before each step), then decided by every strategy: the active reference and each
``--candidate-file`` (JDM JSON). Outcomes come from the universe's truth, read only here.

1. **Cut-off sweep** on the reference's decisions: for every auto-approve score cut ``A`` (the bureau floor kept),
   the applications the rules leave at rank 0 with points >= A (and the bureau floor) are auto-approved. Per cut:
   straight-through rate, auto-approved bad rate, the marginal bad rate (the 10 points above the cut), expected
   loss rate (sum PD x LGD x limit over their limits). The chosen cut is the lowest (most straight-through) whose
   auto-approved bad rate stays at most half the book's (the issue's goal) and whose marginal applications
   default less than the break-even PD of the auto-approve rate (``rate / (rate + LGD)``: below it a loan earns
   more than it loses); the auto-reject cut ``R`` is the highest score band whose applicants default at the
   break-even PD of the prudent band's rate.
   Chart: ``docs/img/strategy-cutoffs.svg``.
2. **Rule effects** (``service.rule_effects``) for every strategy: per rule, hits, binding applications (those
   whose tier the rule decides), the tiers they would get without it, their bad and fraud rates; and what sends
   the decisions that need a human there.
3. Per strategy: straight-through rate, auto-approved bad rate next to the book's, fraud-ring applications
   approved, honest applications sent to suggest-reject or worse by graph rules.

Prints one JSON object (also ``benchmarks/out/strategy_tuning.json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from benchmarks.bench_fraud_shapes import GRAPH_CODES, GRAPH_FLOOR_REJECT, REJECTING, RELEASERS, read_truth, universe_of
from riskloop.domain.decision import Decision, Tier
from riskloop.service.rule_effects import Judged, blocking_codes, hits, rule_effects

OUT = Path(__file__).parent / "out" / "strategy_tuning.json"
CHART = Path(__file__).parent.parent / "docs" / "img" / "strategy-cutoffs.svg"
LGD = 0.45
PRUDENT_RATE = 0.115  # the reference's prudent-review band rate (1150 bp)
AUTO_RATE = 0.052  # its auto-approve band rate (520 bp)
BUREAU_FLOOR = 550  # the auto-approve band's bureau floor, kept
MIN_BAND = 30  # applications a band needs to be read


def gather(home: Path, universe: Path, args: argparse.Namespace, candidates: list[Path]) -> dict[str, Any]:
    """Gather the period's inputs once; decide them with the reference and every candidate."""
    from riskloop.config import load_settings
    from riskloop.jobs.demo_serving import release_strategy
    from riskloop.rules.engine import Strategy
    from riskloop.rules.loaders import ChainStrategyLoader, MemoryStrategyLoader
    from riskloop.service.backtest import GraphTimeline, historical_inputs
    from riskloop.service.runtime import Runtime
    from riskloop.workspace import Workspace

    meta = json.loads((universe / "manifest.json").read_text(encoding="utf-8"))
    cutoff = dt.date.fromisoformat(meta["parameters"]["as_of"]) - dt.timedelta(days=args.decide_days)
    memory = MemoryStrategyLoader()
    keys: list[str] = []
    for i, path in enumerate(candidates):
        memory.add(Strategy.of(f"candidate{i}", 0, path.read_text(encoding="utf-8")))
        keys.append(f"candidate{i}@0")
    with Workspace.open(load_settings(home)) as ws:
        release_strategy(ws.strategies(), ws.strategy_repository(), *RELEASERS)
        reference = ws.strategy_key("reference")
        loader = ChainStrategyLoader(ws.strategy_loader(), memory)
        decider = ws.decider(Runtime(strategy=reference), loader=loader)
        started = time.perf_counter()
        timeline = GraphTimeline(ws.graph_checks_before, cutoff, args.graph_step_days)
        opener = ws.vault().opener(actor="bench:strategy-tuning", purpose="benchmark decisions", at=ws.clock.now())
        gathered = list(
            historical_inputs(decider, ws.settings.warehouse, cutoff, None, opener=opener, timeline=timeline)
        )
        seconds = round(time.perf_counter() - started, 1)
        keys.insert(0, reference)
        decided, bureau = {}, {}
        for key in keys:
            outcomes = [decider.decide_inputs(i, at, key) for i, at in gathered]
            decided[key] = [(o.inputs.request.credit_code, o.decision) for o in outcomes]
            bureau.update({o.decision.application_id: o.context["score"]["bureau_score"] for o in outcomes})
    return {"cutoff": cutoff.isoformat(), "decided": decided, "bureau": bureau, "gather_seconds": seconds, "keys": keys}


def judged(decided: list[tuple[str, Decision]], truth: dict[str, Any]) -> list[Judged]:
    """Each decision with its applicant's outcome and whether it belongs to a fraud ring."""
    return [Judged(d, truth["bad"].get(d.application_id), d.application_id in truth["ring_of"]) for _, d in decided]


def sweep(cases: list[Judged], bureau: dict[str, float | None], book_bad: float) -> dict[str, Any]:
    """Auto-approve and auto-reject score cuts, with the rules' floors as decided and the bureau floor kept.

    Auto-approve at cut ``A``: rules leave rank 0, points >= A and the bureau score >= ``BUREAU_FLOOR``. The
    chosen ``A`` is the lowest whose auto-approved bad rate stays within half the book's and whose marginal
    applications (the 10 points above it) stay under the break-even PD of the auto-approve rate. Auto-reject
    below ``R``: the highest 10-point band whose applicants default at the break-even PD of the prudent rate.
    """
    score = np.array([c.decision.score if c.decision.score is not None else math.nan for c in cases])
    worst = np.array([max((f for _, f in hits(c.decision)), default=0) for c in cases])
    bad = np.array([bool(c.bad) for c in cases])
    pd_ = np.array([c.decision.pd or 0.0 for c in cases])
    limit = np.array([c.decision.limit_cents for c in cases], dtype=float)
    bureau_ok = np.array([(bureau.get(c.decision.application_id) or 0) >= BUREAU_FLOOR for c in cases])
    clean = (worst == 0) & bureau_ok
    approve_breakeven = AUTO_RATE / (AUTO_RATE + LGD)
    reject_breakeven = PRUDENT_RATE / (PRUDENT_RATE + LGD)
    bands = []
    for lo in range(380, 700, 10):
        band = (score >= lo) & (score < lo + 10)
        if band.sum() >= MIN_BAND:
            bands.append({"from": lo, "applications": int(band.sum()), "bad_rate": round(float(bad[band].mean()), 4)})
    reject_below = max((b["from"] + 10 for b in bands if b["bad_rate"] >= reject_breakeven), default=None)
    rejected = score < (reject_below or -math.inf)
    n = len(cases)
    curve: list[dict[str, Any]] = []
    for cut in range(480, 701, 5):
        auto = clean & (score >= cut)
        margin = clean & (score >= cut) & (score < cut + 10)
        exposure = limit[auto].sum()
        curve.append(
            {
                "cut": cut,
                "straight_through": round(float((auto | (rejected & (worst < 5))).sum() + (worst == 5).sum()) / n, 4),
                "auto_approved": int(auto.sum()),
                "bad_rate": round(float(bad[auto].mean()), 4) if auto.any() else None,
                "marginal_bad_rate": round(float(bad[margin].mean()), 4) if margin.sum() >= MIN_BAND else None,
                "expected_loss_rate": round(float((pd_[auto] * LGD * limit[auto]).sum() / exposure), 4)
                if exposure
                else None,
            }
        )
    allowed = [
        p
        for p in curve
        if p["bad_rate"] is not None
        and p["bad_rate"] <= book_bad / 2
        and p["marginal_bad_rate"] is not None
        and p["marginal_bad_rate"] <= approve_breakeven
    ]
    chosen = min(allowed, key=lambda p: p["cut"]) if allowed else None
    return {
        "curve": curve,
        "chosen": chosen,
        "bureau_floor": BUREAU_FLOOR,
        "approve_breakeven_pd": round(approve_breakeven, 4),
        "reject_breakeven_pd": round(reject_breakeven, 4),
        "bands": bands,
        "reject_below": reject_below,
    }


def chart(result: dict[str, Any], book_bad: float) -> None:
    """Straight-through rate against the auto-approved bad rate and expected loss rate, the chosen cut marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = [p for p in result["curve"] if p["bad_rate"] is not None]
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "riskloop", "font.size": 9.0})  # small, stable
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    x = [p["straight_through"] for p in curve]
    ax.plot(x, [p["bad_rate"] for p in curve], marker="o", ms=3, label="auto-approved bad rate (observed)")
    ax.plot(x, [p["expected_loss_rate"] for p in curve], marker="s", ms=3, label="expected loss rate (PD x LGD)")
    marginal = [(p["straight_through"], p["marginal_bad_rate"]) for p in curve if p["marginal_bad_rate"] is not None]
    ax.plot(*zip(*marginal, strict=True), ls=":", label="marginal bad rate (10 points above the cut)")
    ax.axhline(book_bad / 2, color="grey", ls="--", lw=1, label=f"half the book's bad rate ({book_bad / 2:.2%})")
    chosen = result["chosen"]
    if chosen is not None:
        ax.axvline(
            chosen["straight_through"], color="red", lw=1, label=f"chosen auto-approve cut: score >= {chosen['cut']}"
        )
    for p in curve[::4]:
        ax.annotate(
            str(p["cut"]), (p["straight_through"], p["bad_rate"]), fontsize=7, xytext=(2, 4), textcoords="offset points"
        )
    ax.set_xlabel("straight-through rate")
    ax.set_ylabel("rate")
    ax.set_title("Auto-approve score cut: straight-through against loss (reference strategy backtest)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    CHART.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(CHART, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)


def figures(
    cases: list[Judged], truth: dict[str, Any], decided: list[tuple[str, Decision]], book: set[str]
) -> dict[str, Any]:
    """Straight-through, auto-approved bad rate next to the book's, ring applications approved, graph rejects."""
    n = len(cases)
    auto = [c for c in cases if c.decision.tier is Tier.AUTO_APPROVE]
    booked = [c for c in cases if c.decision.application_id in book]
    honest = [c for c in cases if not c.fraud]
    graph_reject = sum(
        1
        for c in honest
        if c.decision.tier in REJECTING
        and max((f for code, f in hits(c.decision) if code in GRAPH_CODES), default=0) >= GRAPH_FLOOR_REJECT
    )
    rings = [c for c in cases if c.fraud]
    return {
        "decided": n,
        "straight_through_rate": round(sum(not c.decision.tier.needs_human for c in cases) / n, 4),
        "auto_approved": len(auto),
        "bad_rate_auto_approved": round(sum(bool(c.bad) for c in auto) / len(auto), 4) if auto else None,
        "bad_rate_book": round(sum(bool(c.bad) for c in booked) / len(booked), 4) if booked else None,
        "tiers": {t.value: sum(c.decision.tier is t for c in cases) for t in Tier},
        "ring_applications": len(rings),
        "ring_approved": sum(c.decision.tier.approves for c in rings),
        "ring_rejected_or_referred_as_fraud": round(
            sum(
                (not c.decision.tier.approves) and any(code.startswith("FRAUD_") for code, _ in hits(c.decision))
                for c in rings
            )
            / max(len(rings), 1),
            4,
        ),
        "honest_graph_reject_share": round(graph_reject / max(len(honest), 1), 4),
        "needs_human_because": blocking_codes(cases, top=12),
    }


def main() -> None:
    """Parse options, measure, print one JSON object."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--universe", type=Path, required=True, help="the hard universe bench_fraud_shapes used")
    parser.add_argument("--home", type=Path, required=True, help="the workspace bench_fraud_shapes left")
    parser.add_argument("--decide-days", type=int, default=180)
    parser.add_argument("--graph-step-days", type=int, default=30)
    parser.add_argument("--candidate-file", type=Path, action="append", default=[], help="a strategy to compare")
    args = parser.parse_args()
    args.enterprises, args.seed = 0, 0
    universe, _, _ = universe_of(args)
    truth = read_truth(universe / "truth")
    run = gather(args.home, universe, args, args.candidate_file)
    loans = pq.read_table(universe / "tables" / "loans", columns=["application_id"])
    book = set(loans.column("application_id").to_pylist())
    report: dict[str, Any] = {"cutoff": run["cutoff"], "gather_seconds": run["gather_seconds"], "strategies": {}}
    for i, key in enumerate(run["keys"]):
        cases = judged(run["decided"][key], truth)
        entry = figures(cases, truth, run["decided"][key], book)
        entry["rule_effects"] = rule_effects(cases)
        label = key if i == 0 else f"{key} ({args.candidate_file[i - 1].name})"
        if i == 0:
            entry["sweep"] = sweep(cases, run["bureau"], entry["bad_rate_book"] or 0.0)
            chart(entry["sweep"], entry["bad_rate_book"] or 0.0)
        report["strategies"][label] = entry
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
