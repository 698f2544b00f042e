"""Train, evaluate and release the collection policy (issue 16, ADR 0025): the loop's learning side.

``train_collection_policy`` reads the logged history (the bank's ingested rounds and the actions collectors
recorded on riskloop's plans), holds out its latest rounds, chooses the learner (VW bandit or LightGBM direct
method, ``collection.learner_train``) by doubly robust value on a later fold of the rest, trains it, estimates the
candidate's value on the held-out rounds off-policy (IPS, self-normalised IPS, doubly robust) next to the
logged policy's, and registers it with those figures. Release is the model registry's four eyes
(``riskloop models approve|activate``) plus ``domain.collection_work.check_release``: a candidate goes live
only with an off-policy estimate that does not show it worse than the logged policy. Serving
(``collection_adapters``) never imports this module.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskloop.collection.context import case_context
from riskloop.collection.facts import CATEGORICAL, NUMERIC
from riskloop.collection.learner_train import candidates, select_learner, train_learner
from riskloop.collection.ope import Logged, evaluate
from riskloop.collection.ope_model import crossfit_q
from riskloop.collection.policy import load_policy
from riskloop.collection.policy_train import TrainConfig, arm_index, net_reward_cents
from riskloop.collection.rounds import logged_rounds
from riskloop.domain.collection import POLICY_KIND
from riskloop.domain.collection_work import RecordedAction
from riskloop.errors import ValidationError
from riskloop.io.warehouse import Warehouse
from riskloop.scoring.bundle import MANIFEST, sha256_bytes
from riskloop.scoring.registry import REGISTERED, UNKNOWN_AUTHOR, RegisteredModel, model_id
from riskloop.service.collection_jobs import read_tables, read_tables_named
from riskloop.service.ports import ModelHome, Progress, no_progress

OUTCOME_COLUMNS = ("case_id", "round_no", "action", "time_window", "propensity", "amount_paid_cents", "cured",
                   "acted_at", "policy")  # fmt: skip
MIN_ROUNDS = 200  # fewer logged rounds cannot train 19 arms or estimate anything


@dataclass(frozen=True)
class PolicyTraining:
    """How to train a candidate: the history before a day, the share held out for off-policy evaluation."""

    before: dt.date | None = None
    holdout_share: float = 0.3
    epsilon: float = 0.05
    seed: int = 0
    author: str = UNKNOWN_AUTHOR


def logged_history(tables: Mapping[str, pd.DataFrame], records: Sequence[RecordedAction]) -> pd.DataFrame:
    """Every logged round (ingested, then recorded on plans) with its context and outcome, oldest first."""
    rounds = logged_rounds(records, tables["collection_cases"], tables["collection_actions"])
    every = {**tables, "collection_actions": rounds}
    context = case_context(rounds, every)
    logged = context.merge(rounds[[*OUTCOME_COLUMNS[:-2], "policy"]], on=["case_id", "round_no"],
                           validate="one_to_one")  # fmt: skip
    return logged.sort_values(["acted_at", "case_id", "round_no"], kind="stable").reset_index(drop=True)


def split_by_time(logged: pd.DataFrame, share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The earlier rounds to train on and the latest ``share`` of them to evaluate on (no case in both)."""
    if not 0.05 <= share <= 0.5:
        raise ValidationError("holdout_share", f"{share}: from 0.05 to 0.5")
    cut = logged["acted_at"].iloc[int(len(logged) * (1 - share))]
    late = set(logged.loc[logged["acted_at"] >= cut, "case_id"])
    held = logged["case_id"].isin(late)
    return logged[~held].reset_index(drop=True), logged[held].reset_index(drop=True)


def off_policy(candidate_pmf: np.ndarray, held: pd.DataFrame, seed: int) -> dict[str, Any]:
    """IPS, SNIPS and DR estimates of a candidate's net recovery per round on held-out logged rounds.

    DR's reward model is both learners' (``ope_model.Q_MODELS``, so neither candidate is favoured), cross-fitted
    on folds of the held-out cases: fitted on the earlier rounds instead, it carried their higher recoveries into
    the later period and DR over-corrected (the demo's universe).
    """
    q = crossfit_q(held, np.random.default_rng(seed), folds=2)
    logged = Logged(arm_index(held), held["propensity"].to_numpy(), net_reward_cents(held), q)
    report = evaluate(candidate_pmf, logged).to_dict()
    report["rounds"], report["cases"] = len(held), int(held["case_id"].nunique())
    report["logged_net_per_round_cents"] = float(net_reward_cents(held).mean())
    return report


def train_collection_policy(
    home: ModelHome, records: Sequence[RecordedAction], options: PolicyTraining, progress: Progress = no_progress
) -> dict[str, Any]:
    """Train a candidate on the logged history, estimate it off-policy on the latest rounds, register it."""
    progress("read", 0, 1)
    tables = read_tables(home.warehouse)
    logged = logged_history(tables, records)
    if options.before is not None:
        day = pd.Timestamp(options.before, tz="UTC")
        logged = logged[logged["acted_at"] < day].reset_index(drop=True)
    if len(logged) < MIN_ROUNDS:
        raise ValidationError("history", f"{len(logged)} logged rounds; at least {MIN_ROUNDS} are needed to train")
    train, held = split_by_time(logged, options.holdout_share)
    progress("train", 0, 1)
    rng = np.random.default_rng(options.seed)
    config, selection = select_learner(train, candidates(options.epsilon), rng)
    version = max([m.version for m in home.registry.list(POLICY_KIND)], default=0) + 1
    folder = home.models / model_id(POLICY_KIND, version)
    train_learner(train, folder, rng, config, version=str(version), selection=selection)
    progress("evaluate", 0, 1)
    policy = load_policy(folder)
    ope = off_policy(policy.pmf(held), held, options.seed + 1)
    _write_manifest(folder)
    window = {
        "trained_on": "workspace",
        "rounds_from": str(train["acted_at"].min()),
        "rounds_to": str(train["acted_at"].max()),
        "evaluated_from": str(held["acted_at"].min()),
        "evaluated_to": str(held["acted_at"].max()),
        "recorded_rounds": int((logged["policy"] != "historical").sum()),
        "seed": options.seed,
    }
    chosen = [{"learner": s["learner"], "clip_p": s["config"].get("clip_p"), "dr_value": s["dr_value"],
               "dr_se": s["dr_se"], "dr_lower": s["dr_lower"]} for s in selection]  # fmt: skip
    metrics = {"ope": ope, "train_rounds": len(train), "learner": config.learner,
               "clip_p": config.clip_p if isinstance(config, TrainConfig) else None,
               "epsilon": config.epsilon, "selection": chosen}  # fmt: skip
    registered = home.registry.register(folder, POLICY_KIND, POLICY_KIND, metrics, window, [*CATEGORICAL, *NUMERIC],
                                        registered_by=options.author)  # fmt: skip
    progress("done", 1, 1)
    return {"model_id": registered, "bundle": str(folder), **metrics, **window}


def _write_manifest(folder: Path) -> None:
    """The bundle's manifest: the sha256 of every file, so the registry's digest covers the whole policy."""
    files = {p.name: sha256_bytes(p.read_bytes()) for p in sorted(folder.iterdir()) if p.name != MANIFEST}
    (folder / MANIFEST).write_text(json.dumps({"kind": POLICY_KIND, "files": files}, indent=2, sort_keys=True))


def evaluate_registered(home: ModelHome, model: RegisteredModel, records: Sequence[RecordedAction],
                        since: dt.date | None, seed: int = 0) -> dict[str, Any]:  # fmt: skip
    """Off-policy estimates of a registered policy on the logged rounds since a day (all when None)."""
    if model.kind != POLICY_KIND:
        raise ValidationError("model_id", f"{model.model_id} is a {model.kind} model, not a collection policy")
    logged = logged_history(read_tables(home.warehouse), records)
    if since is not None:
        logged = logged[logged["acted_at"] >= pd.Timestamp(since, tz="UTC")].reset_index(drop=True)
    if len(logged) < MIN_ROUNDS:
        raise ValidationError("since", f"{len(logged)} logged rounds; at least {MIN_ROUNDS} are needed to estimate")
    policy = load_policy(Path(model.path))
    return {"model_id": model.model_id, **off_policy(policy.pmf(logged), logged, seed)}


MIN_NEW_ROUNDS = 500  # logged rounds since the latest policy's that make a retrain worth a reviewer's time


def retrain_in_loop(home: ModelHome, records: Sequence[RecordedAction], as_of: dt.date,
                    author: str) -> dict[str, Any]:  # fmt: skip
    """The loop's collection step: train a candidate when due, else say why not (nothing is ever activated here).

    Due when no policy is registered yet, or when at least ``MIN_NEW_ROUNDS`` rounds were logged after the last
    round the latest policy saw; never while a candidate ``author`` trained earlier awaits its approval (a daily
    loop would otherwise register one a day).
    """
    if "collection_actions" not in Warehouse(home.warehouse).tables():
        return {"trained": False, "reason": "no collection history ingested"}
    policies = home.registry.list(POLICY_KIND)
    waiting = [m.model_id for m in policies if m.registered_by == author and m.status == REGISTERED]
    if waiting:
        return {"trained": False, "awaiting_approval": waiting}
    day = pd.Timestamp(as_of + dt.timedelta(days=1), tz="UTC")
    if policies:
        latest = max(policies, key=lambda m: m.version)
        seen = pd.Timestamp(str(latest.training_window.get("evaluated_to")))
        tables = read_tables_named(Warehouse(home.warehouse), ("collection_actions", "collection_cases"))
        logged = logged_rounds(records, tables["collection_cases"], tables["collection_actions"])["acted_at"]
        new = int(((logged > seen) & (logged < day)).sum())
        if new < MIN_NEW_ROUNDS:
            return {"trained": False, "latest": latest.model_id, "new_rounds": new, "needed": MIN_NEW_ROUNDS}
    options = PolicyTraining(before=as_of + dt.timedelta(days=1), author=author)
    try:
        trained = train_collection_policy(home, records, options)
    except ValidationError as exc:  # too short a history to train on: the loop goes on without a candidate
        if exc.field != "history":
            raise
        return {"trained": False, "reason": exc.problem}
    ope = trained["ope"]
    return {"trained": True, "model_id": trained["model_id"], "learner": trained.get("learner"),
            "dr_net_per_round_cents": ope["dr"]["value"] if ope.get("dr") else None,
            "logged_net_per_round_cents": ope["logged_net_per_round_cents"]}  # fmt: skip
