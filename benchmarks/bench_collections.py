"""The learned collection policy against the historical one, the best fixed arm and random, on exact counterfactuals.

Run: ``.venv/bin/python -m benchmarks.bench_collections [--universe /work/data/coll100k] [--train-share 0.6]
[--epsilon 0.05] [--seed 7] [--json]``

Cases are split by time: the policy trains on the rounds of cases opened before the cut date that were acted
before it (what the bank knew at the cut); it is evaluated on every logged round of the cases opened from the
cut on. On those SAME rounds, the universe's truth (``truth/collection_responses``: every arm's potential
outcome, drawn with common random numbers) gives each policy's exact value: recovered amount net of action cost
and gross per 100 overdue cases, and the cure rate per round. A round's state follows the logged path (the
one-step counterfactual of a contextual bandit: what a different action would have changed in later rounds is
out of scope). Policies: the learned policy greedy and with its exploration, the historical policy (logged),
the best single fixed arm (chosen in hindsight on the evaluation truth: the strongest fixed baseline), a
uniform random policy. The learner is chosen by off-policy evaluation on a later fold of the training rounds
(``learner_train.select_learner``: the VW bandit at three importance-weight clips, the LightGBM direct
method); the row ``learned (selected: <learner>)`` is that choice, and each learner's own row (VW at its best
clip, LightGBM), trained on the whole training period, is shown beside it. Then IPS, SNIPS and DR estimates
of each from the logged evaluation rows, next to its true value. Truth is read only here, after training.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from riskloop.collection.context import case_context
from riskloop.collection.evaluation import best_fixed_arm, read_truth, true_figures
from riskloop.collection.learner_train import LearnerConfig, candidates, select_learner, train_learner
from riskloop.collection.ope import Logged, evaluate
from riskloop.collection.ope_model import crossfit_q
from riskloop.collection.policy import Policy, greedy_pmf, load_policy
from riskloop.collection.policy_train import TrainConfig, arm_index, net_reward_cents
from riskloop.domain.collection import ARM_KEYS

TABLES = (
    "collection_actions",
    "collection_cases",
    "loans",
    "enterprises",
    "abnormal_operations",
    "financial_statements",
)
LOGGED = ["case_id", "round_no", "action", "time_window", "propensity", "amount_paid_cents", "cured"]


def read_logged(universe: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every logged round with its context and logged outcome; and the cases."""
    tables = {t: pq.read_table(universe / "tables" / t).to_pandas() for t in TABLES}
    actions = tables["collection_actions"]
    ctx = case_context(actions, tables)
    logged = ctx.merge(actions[LOGGED], on=["case_id", "round_no"], validate="one_to_one")
    return logged, tables["collection_cases"]


def split(logged: pd.DataFrame, cases: pd.DataFrame, share: float) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Train: rounds of cases opened before the cut, acted before it. Evaluation: cases opened from the cut on."""
    opened = pd.to_datetime(cases["opened_date"])
    cut = opened.sort_values().iloc[int(len(opened) * share)]
    before = set(cases.loc[opened < cut, "case_id"])
    acted = pd.to_datetime(logged["acted_at"]).dt.tz_localize(None)
    train = logged[logged["case_id"].isin(before) & (acted < cut)].reset_index(drop=True)
    test = logged[~logged["case_id"].isin(before)].reset_index(drop=True)
    return train, test, str(cut.date())


def learner_policies(
    train: pd.DataFrame, out: Path, selection: list[dict[str, Any]], configs: list[LearnerConfig], seed: int
) -> dict[str, Policy]:
    """Each learner at its best validation DR lower bound (VW: over its clips), trained on the whole training period."""
    best: dict[str, tuple[float, LearnerConfig]] = {}
    for score, cfg in zip(selection, configs, strict=True):
        if cfg.learner not in best or score["dr_lower"] > best[cfg.learner][0]:
            best[cfg.learner] = (score["dr_lower"], cfg)
    return {
        name: load_policy(train_learner(train, out / name, np.random.default_rng(seed), cfg, version="bench"))
        for name, (_, cfg) in best.items()
    }


def policies(
    test: pd.DataFrame, nets: dict[str, np.ndarray], selected: str, truth: dict[str, np.ndarray], eps: float
) -> dict[str, np.ndarray]:
    """Every compared policy as a pmf over the evaluation rounds."""
    n, k = nets[selected].shape
    logged = np.eye(k)[arm_index(test)]
    fixed = best_fixed_arm(truth)
    return {
        f"learned (selected: {selected})": greedy_pmf(nets[selected], 0.0),
        f"learned_eps{eps:g}": greedy_pmf(nets[selected], eps),
        **{f"{name}_greedy": greedy_pmf(net, 0.0) for name, net in nets.items()},
        "historical": logged,
        f"best_fixed({ARM_KEYS[fixed]})": np.eye(k)[np.full(n, fixed)],
        "uniform_random": np.full((n, k), 1.0 / k),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Train, evaluate against truth, estimate off-policy; the figures as one dict."""
    started = time.perf_counter()
    logged, cases = read_logged(args.universe)
    train, test, cut = split(logged, cases, args.train_share)
    context_s = time.perf_counter() - started
    t0 = time.perf_counter()
    configs = candidates(args.epsilon)
    cfg, selection = select_learner(train, configs, np.random.default_rng(args.seed))
    select_s = time.perf_counter() - t0
    learned = learner_policies(train, args.out, selection, configs, args.seed)
    train_s = time.perf_counter() - t0
    nets = {name: p.expected_net(test) for name, p in learned.items()}
    truth = read_truth(args.universe / "truth", test)
    n_cases = int(test["case_id"].nunique())
    pmfs = policies(test, nets, cfg.learner, truth, args.epsilon)
    q_all = crossfit_q(logged, np.random.default_rng(args.seed + 1), folds=2)  # as in the selection: both learners
    in_test = logged.set_index(["case_id", "round_no"]).index.get_indexer(test.set_index(["case_id", "round_no"]).index)
    lg = Logged(arm_index(test), test["propensity"].to_numpy(), net_reward_cents(test), q_all[in_test])
    rows = {}
    for name, pmf in pmfs.items():
        fig = true_figures(pmf, truth, n_cases)
        # The historical policy is the logging policy: its off-policy estimate is the logged mean (weights 1).
        rep = evaluate(pmf, lg) if name != "historical" else evaluate(pmf, replace(lg, propensity=np.ones(len(pmf))))
        true_v = fig["net_per_round_cents"]
        est = {
            e: {
                "value": getattr(rep, e).value,
                "se": getattr(rep, e).se,
                "error_pct": 100 * (getattr(rep, e).value - true_v) / abs(true_v),
            }
            for e in ("ips", "snips", "dr")
            if getattr(rep, e) is not None
        }
        rows[name] = {**fig, "ope": est, "effective_sample_size": rep.effective_sample_size}
    fixed_name = next(k for k in rows if k.startswith("best_fixed"))
    selected = f"learned (selected: {cfg.learner})"
    lift = rows[selected]["net_per_100_cases_yuan"] / rows[fixed_name]["net_per_100_cases_yuan"] - 1
    return {
        "universe": str(args.universe),
        "cut_date": cut,
        "train_rounds": len(train),
        "train_cases": int(train["case_id"].nunique()),
        "eval_rounds": len(test),
        "eval_cases": n_cases,
        "policies": rows,
        "learned_vs_best_fixed_net_pct": 100 * lift,
        "goal_met": bool(lift >= 0.10),
        "seconds": {"context": context_s, "select": select_s, "train": train_s, "total": time.perf_counter() - started},
        "selection": [
            {
                "learner": c["learner"],
                "clip_p": c["config"].get("clip_p"),
                "dr_value_cents": c["dr_value"],
                "dr_se": c["dr_se"],
                "dr_lower_cents": c["dr_lower"],
            }
            for c in selection
        ],
        "selected_learner": cfg.learner,
        "chosen_clip_p": cfg.clip_p if isinstance(cfg, TrainConfig) else None,
        "training": learned[cfg.learner].training | {"epsilon": learned[cfg.learner].epsilon},
    }


def print_table(out: dict[str, Any]) -> None:
    """The figures as a plain table."""
    print(
        f"cut {out['cut_date']}: train {out['train_rounds']} rounds / {out['train_cases']} cases, "
        f"evaluate {out['eval_rounds']} rounds / {out['eval_cases']} cases"
    )
    head = f"{'policy':38} {'net/100c':>12} {'gross/100c':>12} {'E[net]/100c':>12} {'cure/rd':>8}"
    print(head + f" {'true/rd':>9} {'IPS err%':>9} {'SNIPS err%':>10} {'DR err%':>8} {'ESS':>7}")
    for name, r in out["policies"].items():
        ope = r["ope"]
        print(
            f"{name:38} {r['net_per_100_cases_yuan']:12,.0f} {r['gross_per_100_cases_yuan']:12,.0f} "
            f"{r['expected_net_per_100_cases_yuan']:12,.0f} {r['cure_rate_per_round']:8.3f} "
            f"{r['net_per_round_cents'] / 100:9,.0f} {ope['ips']['error_pct']:9.1f} {ope['snips']['error_pct']:10.1f} "
            f"{ope['dr']['error_pct']:8.1f} {r['effective_sample_size']:7.0f}"
        )
    sel = ", ".join(f"{_candidate(c)}: {c['dr_value_cents'] / 100:,.0f}" for c in out["selection"])
    print(f"selection on the validation fold (DR net per round, yuan): {sel}; selected {out['selected_learner']}")
    print(
        f"learned (selected) vs best fixed arm, net recovered: {out['learned_vs_best_fixed_net_pct']:+.1f}% (goal +10%)"
    )


def _candidate(c: dict[str, Any]) -> str:
    return c["learner"] if c["clip_p"] is None else f"{c['learner']} clip_p {c['clip_p']:g}"


def main() -> None:
    """Parse arguments, run, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--universe", type=Path, default=Path("/work/data/coll100k"))
    parser.add_argument("--train-share", type=float, default=0.6)
    parser.add_argument("--epsilon", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "collection_policy")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = run(args)
    if args.json:
        print(json.dumps(out, indent=2, default=str))
    else:
        print_table(out)


if __name__ == "__main__":
    main()
