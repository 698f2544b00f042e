"""Retraining: a challenger with the champion's recipe on the outcomes matured by a date.

The recipe is what the champion's bundle records: its name, folds, seed, ensemble configuration (sub-model
kinds, calibration, GBDT settings, direct inputs), whether it has the cross-source and graph sources, and its
reject-inference method. The challenger is trained on the applications up to ``as_of`` labelled by the outcomes
observed that day, registered as a candidate of the same name by ``author`` (so that person can never approve
it), and is never served until someone else approves and activates it.

Retraining is idempotent per day: a candidate of the champion's name that ``author`` already trained on outcomes
observed on ``as_of`` is returned instead of training a second one (a resumed loop does not duplicate models).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from riskloop.errors import ValidationError
from riskloop.scoring.bundle import load_serving
from riskloop.scoring.registry import RegisteredModel
from riskloop.service.ports import ModelHome, Progress, no_progress

CROSS_SOURCE_NAME = "all"
GRAPH_SOURCE_NAME = "graph"
_SET_BY_TRAINING = frozenset({"folds", "seed"})  # WorkspaceTraining carries these itself


def recipe(champion: RegisteredModel) -> dict[str, Any]:
    """The training options of ``champion`` read from its bundle (verified against the registry's digest)."""
    bundle = load_serving(Path(champion.path), champion.manifest_sha256)
    meta = bundle.meta
    if meta.get("trained_on") != "workspace":
        raise ValidationError(
            "champion", f"{champion.model_id} was trained on {meta.get('trained_on', 'a table')}, not the workspace"
        )
    sources = {s.name for s in bundle.sources}
    config = {k: v for k, v in bundle.config.items() if k not in _SET_BY_TRAINING}
    method = meta.get("reject_inference", {})
    return {
        "name": champion.name,
        "folds": int(meta.get("folds", bundle.config.get("folds", 5))),
        "seed": int(meta.get("seed", bundle.config.get("seed", 0))),
        "cross_source": CROSS_SOURCE_NAME in sources,
        "graph": bool(meta.get("graph", GRAPH_SOURCE_NAME in sources)),
        "reject_inference": method.get("method", "none") if isinstance(method, Mapping) else str(method),
        "label_months": meta.get("label_months"),
        "config": {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()},
    }


def retrained(registry_models: list[RegisteredModel], name: str, as_of: dt.date, author: str) -> RegisteredModel | None:
    """The candidate of ``name`` that ``author`` trained on outcomes observed on ``as_of``, if there is one."""
    found = [
        m
        for m in registry_models
        if m.name == name and m.registered_by == author and m.training_window.get("observed_on") == as_of.isoformat()
    ]
    return max(found, key=lambda m: m.version) if found else None


def retrain(
    home: ModelHome,
    champion: RegisteredModel,
    as_of: dt.date,
    *,
    author: str,
    truth: Path | None = None,
    label_months: int | None = None,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    """Train (or find, when already trained that day) the challenger of ``champion`` on outcomes observed ``as_of``.

    ``label_months`` (bad by that many months on book, matured loans only) overrides the champion's label rule.
    Returns the training result (``model_id``, ``summary``, ``truth`` ...) with ``reused`` saying whether an
    earlier identical retraining was found, and the ``recipe`` followed.
    """
    from riskloop.service.train import WorkspaceTraining, train_workspace  # the training stack: only when needed

    if not author.strip():
        raise ValidationError("author", "name who retrains (never the approver)")
    steps = recipe(champion)
    if label_months is not None:
        steps["label_months"] = label_months
    earlier = retrained(home.registry.list(champion.name), champion.name, as_of, author)
    shown = {**steps, "config": {k: list(v) if isinstance(v, tuple) else v for k, v in steps["config"].items()}}
    if earlier is not None:
        return {"model_id": earlier.model_id, "reused": True, "champion": champion.model_id, "recipe": shown}
    options = WorkspaceTraining(
        name=steps["name"],
        as_of=as_of,
        folds=steps["folds"],
        seed=steps["seed"],
        truth=truth,
        cross_source=steps["cross_source"],
        graph=steps["graph"],
        config=steps["config"],
        author=author,
        reject_inference=steps["reject_inference"],
        label_months=steps["label_months"],
    )
    result = train_workspace(home, options, progress)
    return {**result, "reused": False, "champion": champion.model_id, "recipe": shown}
