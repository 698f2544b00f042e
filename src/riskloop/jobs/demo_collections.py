"""The demo's collection stage (issue 16): train and release the policy and the call QA, plan, check the calls.

The policy trains on the logged history's earlier rounds, is estimated off-policy on the latest ones and goes
live only through four eyes and the release gate; then every case open on the demo's day gets its next best
action. The QA classifier trains on the reviewed sample and checks every call. Next to what a bank sees (the
off-policy estimates), the summary shows what only the synthetic universe knows: the exact value of the
learned policy, the historical one and the best single arm on the held-out rounds (``collection/evaluation``).
A universe too small for either model skips it and says why.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.collection.evaluation import best_fixed_arm, read_truth, true_figures
from riskloop.collection.policy import greedy_pmf, load_policy
from riskloop.collection.policy_train import arm_index
from riskloop.domain.access import Principal
from riskloop.domain.collection import ARM_KEYS
from riskloop.errors import ValidationError
from riskloop.jobs.demo_serving import AUTHOR, release_model
from riskloop.service.collection_jobs import (
    QaTraining,
    check_calls,
    plan_open_cases,
    read_calls,
    read_tables,
    train_transcript_qa,
)
from riskloop.service.collection_policy import PolicyTraining, logged_history, split_by_time, train_collection_policy
from riskloop.service.ports import Progress, no_progress
from riskloop.workspace import Workspace


def run_collections(ws: Workspace, as_of: dt.date, truth_dir: Path, approver: Principal, *, seed: int,
                    progress: Progress = no_progress) -> dict[str, Any]:  # fmt: skip
    """Policy and QA trained, released, used; the figures of each, or why a step was skipped."""
    return {"policy": _policy(ws, as_of, truth_dir, approver, seed=seed, progress=progress),
            "qa": _qa(ws, approver, seed, progress)}  # fmt: skip


def _policy(ws: Workspace, as_of: dt.date, truth_dir: Path, approver: Principal, *, seed: int,
            progress: Progress) -> dict[str, Any]:  # fmt: skip
    options = PolicyTraining(seed=seed, author=AUTHOR)
    try:
        trained = train_collection_policy(ws.model_home(), [], options, lambda s, d, t: progress(f"policy {s}", d, t))
    except ValidationError as exc:  # too few logged rounds on a small universe
        return {"skipped": str(exc)}
    out: dict[str, Any] = {k: trained[k] for k in ("model_id", "train_rounds", "ope")}
    out["vs_truth"] = _vs_truth(ws, trained["bundle"], truth_dir, options)
    try:
        out["release"] = release_model(ws, trained["model_id"], approver)
    except ValidationError as exc:  # the release gate: an estimate below the logged policy's stays out
        out["release"] = {"refused": str(exc)}
        return out
    desk = ws.collections()
    at = dt.datetime.combine(as_of, dt.time(9), tzinfo=dt.UTC)
    out["plan"] = plan_open_cases(desk, ws.collection_chooser(), read_tables(ws.warehouse), [], at=at, seed=seed)
    return out


def _vs_truth(ws: Workspace, bundle: str, truth_dir: Path, options: PolicyTraining) -> dict[str, Any]:
    """The exact net recovery of the learned, historical and best fixed policies on the held-out rounds."""
    _, held = split_by_time(logged_history(read_tables(ws.warehouse), []), options.holdout_share)
    truth = read_truth(truth_dir, held)
    policy = load_policy(Path(bundle))
    net = policy.expected_net(held)
    cases = int(held["case_id"].nunique())
    k = len(ARM_KEYS)
    fixed = best_fixed_arm(truth)
    figures: dict[str, dict[str, Any]] = {
        "learned": true_figures(greedy_pmf(net, 0.0), truth, cases),
        "historical": true_figures(np.eye(k)[arm_index(held)], truth, cases),
        "best_fixed_arm": {**true_figures(np.eye(k)[np.full(len(held), fixed)], truth, cases), "arm": ARM_KEYS[fixed]},
    }
    return {"rounds": len(held), "cases": cases, **figures}


def _qa(ws: Workspace, approver: Principal, seed: int, progress: Progress) -> dict[str, Any]:
    try:
        trained = train_transcript_qa(ws.model_home(), QaTraining(seed=seed, author=AUTHOR),
                                      lambda s, d, t: progress(f"qa {s}", d, t))  # fmt: skip
    except ValidationError as exc:  # too few reviewed calls on a small universe
        return {"skipped": str(exc)}
    release_model(ws, trained["model_id"], approver)
    checker = ws.transcript_checker()()
    if checker is None:  # just activated: cannot happen unless the registry lost it
        return {"model_id": trained["model_id"], "skipped": "the QA model is not active"}
    checked = check_calls(ws.collections(), checker, read_calls(ws.warehouse, None, None),
                          lambda s, d, t: progress(f"qa {s}", d, t))  # fmt: skip
    return {"model_id": trained["model_id"], "reviewed_calls": trained["reviewed_calls"], **checked}
