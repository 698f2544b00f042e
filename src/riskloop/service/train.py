"""Train use cases: the ensemble on the workspace (time splits) or on any table (stratified k-fold CV).

Both fit the per-source scorecard + GBDT sub-models and their fusion, save the bundle under
``<home>/models/<name>-v<version>/``, register it, and write the validation report (``report.json`` and
``report.html``) in the same folder.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from riskloop.errors import DataSourceError, ValidationError
from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.catalog import GROUPS, GROUPS_BY_NAME
from riskloop.features.labels import funded_applications, matured_outcomes, observed_outcomes
from riskloop.features.spine import application_spine
from riskloop.modeling.bundle import KIND
from riskloop.modeling.ensemble import CVResult, Ensemble, EnsembleConfig, cross_validate, fit_ensemble
from riskloop.modeling.evaluation import discrimination
from riskloop.modeling.metrics import bootstrap_auc
from riskloop.modeling.prepared_table import PreparedTable, prepare
from riskloop.modeling.reject_inference import METHODS, Augmented, fuzzy_augment, parcel
from riskloop.modeling.report import ScoredSplit, build_report, write_report
from riskloop.modeling.sources import TEXT_TAGS, SourceSpec, cross_source, default_sources, text_source
from riskloop.modeling.splits import time_split
from riskloop.modeling.tabular import Categorical, read_table
from riskloop.monitoring.model_figures import REFERENCE_FILE, bootstrap_auc_gain, build_reference
from riskloop.scoring.registry import UNKNOWN_AUTHOR, model_id
from riskloop.service.graph_features import graph_source, workspace_graph_features
from riskloop.service.ports import ModelHome, Progress, no_progress
from riskloop.service.train_budget import (
    TABLE_BUDGET_MINUTES,
    TABLE_KINDS,
    BudgetPlan,
    FixedPlan,
    budget_plan,
    budgeted,
    default_jobs,
    search_note,
    table_weights,
)

BUREAU = "app_bureau_score"
# The application's own fields (bureau score, amount, term, verification results) enter the fusion directly.
APPLICATION_FIELDS: tuple[str, ...] = GROUPS_BY_NAME["application"].feature_names
CROSS_SOURCE = True
MIN_BADS_PER_FOLD = 2
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")


@dataclass(frozen=True)
class WorkspaceTraining:
    """Options of training on the workspace's applications and observed outcomes."""

    name: str = "riskloop"
    as_of: dt.date | None = None  # outcomes observed on; default: the latest application date
    folds: int = 5
    seed: int = 0
    truth: Path | None = None  # ground truth of a synthetic universe, for an AUC against it
    cross_source: bool = CROSS_SOURCE  # add the cross-source GBDT ("all") beside the per-source sub-models
    # Add the graph source (point-in-time graph features; the decision path's graph checks compute the same
    # per application). Opt-in for its cost: the graph features take longer than fitting the whole ensemble.
    graph: bool = False
    config: Mapping[str, Any] = field(default_factory=dict)  # further EnsembleConfig fields (direct_inputs ...)
    author: str = UNKNOWN_AUTHOR  # who trains it: recorded in the registry, never its approver
    # Reject inference (modeling/reject_inference.py): "fuzzy" or "parcel" add the training window's
    # applications that never became a loan, labelled by the known-good-bad model; "none" trains on loans only.
    reject_inference: str = "none"
    # The label: None, bad when an instalment is 90+ days unpaid on ``as_of`` (loans whose first instalment is
    # that old); a number of months, bad by that many months on book, for loans that have had them (matured).
    label_months: int | None = None
    # Wall-time budget of the tree sub-models' settings search (service/train_budget.py); None: no search.
    budget_minutes: float | None = None


@dataclass(frozen=True)
class TableTraining:
    """Options of training on one CSV / Parquet table."""

    path: Path
    target: str
    name: str | None = None
    drop: tuple[str, ...] = ()
    folds: int = 5
    seed: int = 0
    categorical: Categorical = "onehot"
    config: Mapping[str, Any] = field(default_factory=dict)
    author: str = UNKNOWN_AUTHOR
    # Wall-time budget of the whole run; it sets how long the tree sub-models' settings are searched
    # (service/train_budget.py). None: no search, the untuned settings.
    budget_minutes: float | None = TABLE_BUDGET_MINUTES


def train_workspace(home: ModelHome, options: WorkspaceTraining, progress: Progress = no_progress) -> dict[str, Any]:
    """Point-in-time features, observed labels, time splits, fit, save, register, report.

    Parameters
    ----------
    home : ModelHome
        The workspace's warehouse (read), models folder (the bundle goes there) and model registry.
    options : WorkspaceTraining
        Model name, observation date, folds, seed, optional ground truth and extra EnsembleConfig fields.
    progress : Progress
        Receives the stages (features, train, evaluate, save).

    Returns
    -------
    dict
        JSON-ready: ``model_id``, ``version``, ``bundle``, ``report_json``, ``report_html``, ``meta``,
        ``summary`` (fused figures and ensemble gain per split), ``psi`` and, with ``truth``, ``truth``.

    """
    started = time.perf_counter()
    _check_name(options.name)
    if options.reject_inference not in METHODS:
        raise ValidationError("reject_inference", f"{options.reject_inference!r}: use one of {', '.join(METHODS)}")
    tables = home.warehouse
    progress("features", 0, 5)
    frame, as_of = _workspace_frame(tables, options.as_of)
    if options.graph:
        frame = with_graph_features(frame, workspace_graph_features(tables, home.graph_key()))
    progress("features", 1, 5)
    if options.label_months is None:
        outcomes = observed_outcomes(tables, as_of).to_pandas()[["application_id", "bad"]]
    else:
        outcomes = matured_outcomes(tables, as_of, options.label_months).to_pandas()[["application_id", "bad"]]
    labelled = frame.merge(outcomes, on="application_id", how="inner", validate="one_to_one").reset_index(drop=True)
    y = labelled["bad"].to_numpy(dtype=np.int64)
    _check_labels(y, options.folds, f"loans with outcomes observed on {as_of}")
    split = time_split(labelled["as_of"], y, seed=options.seed)
    sources, direct = workspace_inputs(frame.columns, cross=options.cross_source, tagged=tags_written(frame))
    bads = int(y[split.train].sum())
    config, plan = _workspace_config(options, direct, bads, started)
    direct = config.direct_inputs  # an override in ``options.config`` wins
    train = labelled.iloc[split.train].reset_index(drop=True)
    progress("train", 2, 5)
    ensemble = fit_ensemble(train, y[split.train], sources, plan.before(0))
    plan.after(0, ensemble)
    inferred: dict[str, Any] = {"method": "none"}
    unknown_ids: set[str] = set()
    if options.reject_inference != "none":
        unknown = unknown_applications(frame, funded_applications(tables), train["as_of"].min(), split.oot_from)
        ensemble, inferred = with_reject_inference(
            options.reject_inference, train, y[split.train], unknown, ensemble, sources=sources, config=plan.before(1)
        )
        plan.after(1, ensemble)
        unknown_ids = set(unknown["application_id"])
    progress("evaluate", 3, 5)
    columns = [f for s in sources for f in s.features] + list(direct)
    scored = [
        scored_split(name, ensemble, labelled.iloc[rows].reset_index(drop=True), y[rows], columns)
        for name, rows in split.parts().items()
    ]
    meta = {
        "name": options.name,
        "kind": "ensemble",
        "trained_on": "workspace",
        "observed_on": as_of.isoformat(),
        "oot_from": split.oot_from,
        "rows": {k: len(v) for k, v in split.parts().items()},
        "folds": options.folds,
        "seed": options.seed,
        "sources": [s.name for s in sources],
        "direct_inputs": list(direct),
        "graph": options.graph,
        "reject_inference": inferred,
        "label_months": options.label_months,
        "search": search_note(config, options.budget_minutes, bads),
    }
    report = build_report(scored, meta)
    report["budget"] = plan.note(time.perf_counter() - started)
    if options.truth is not None:
        report["truth"] = truth_figures(
            options.truth, frame, labelled, split.train, ensemble, seed=options.seed, also_trained=unknown_ids
        )
    progress("save", 4, 5)
    applicants = frame[frame["as_of"] < pd.Timestamp(split.oot_from)].reset_index(drop=True)  # through the door
    population = scored_split("applicants", ensemble, applicants, np.zeros(len(applicants), np.int64), columns)
    reference = monitoring_reference(
        population, report["summary"], bad_rate=float(y[split.train].mean()) if len(split.train) else None
    )
    paths = save_model(home, options.name, ensemble, meta, report, author=options.author, reference=reference)
    progress("done", 5, 5)
    return {**paths, "meta": meta, "summary": report["summary"], "truth": report.get("truth"), "psi": _psi(report)}


def train_table(home: ModelHome, options: TableTraining, progress: Progress = no_progress) -> dict[str, Any]:
    """Stratified k-fold CV of the whole pipeline on one table, then fit on every row, save, register, report.

    Returns
    -------
    dict
        JSON-ready: ``cv_auc``, ``cv_ks``, ``cv_gini`` of the fused out-of-fold PD, ``cv_fold_auc``,
        ``cv_auc_sd``, ``cv_sub_models``, ``cv_gain``, ``rows``, ``bads``, ``bad_rate`` and the written paths.

    """
    started = time.perf_counter()
    progress("load", 0, 4)
    name = _check_name(options.name or _slug(options.path))
    data, sources, config = table_plan(options)
    plan = budget_plan(config, options.budget_minutes, table_weights(options.folds), started)
    cv, ensemble = cross_validate_and_fit(data, sources, config, plan, progress)
    fitted = scored_split("fit", ensemble, data.frame, data.y, list(data.features))
    oof = ScoredSplit("cv", data.y, np.asarray(cv.oof_pd, dtype=np.float64), cv.oof_sub, None)
    meta = _table_meta(name, options, data, config)
    report = build_report([oof, fitted], meta, reference="none")
    report["cv"] = {"fold_auc": list(cv.fold_auc), "auc": cv.auc, "ks": cv.ks}
    report["tuning"] = ensemble.training.get("tuning", {})
    report["preparation"] = data.prep.summary()
    report["budget"] = plan.note(time.perf_counter() - started)
    progress("save", 3, 4)
    reference = monitoring_reference(fitted, report["summary"], prefer=("cv",))
    paths = save_model(home, name, ensemble, meta, report, author=options.author, reference=reference)
    progress("done", 4, 4)
    subs = report["splits"]["cv"]["models"]
    fused = subs["fused"]
    seconds = time.perf_counter() - started
    return {
        **paths,
        "name": name,
        "rows": len(data.y),
        "bads": int(data.y.sum()),
        "bad_rate": float(data.y.mean()),
        "features": len(data.features),
        "folds": options.folds,
        "cv_auc": float(cv.auc),
        "cv_ks": float(cv.ks),
        "cv_gini": fused["gini"],
        "cv_fold_auc": [float(a) for a in cv.fold_auc],
        "cv_auc_sd": float(np.std(cv.fold_auc)),
        "cv_sub_models": {
            k: {"auc": v["auc"], "ks": v["ks"], "gini": v["gini"]} for k, v in subs.items() if k != "fused"
        },
        "cv_gain": report["splits"]["cv"]["ensemble_gain"],
        "fit_auc": report["splits"]["fit"]["models"]["fused"]["auc"],
        "dropped": list(data.dropped),
        "categorical": data.categorical,
        "types": data.prep.summary()["types"],
        "unparseable": dict(data.unparseable),
        "learners": list(config.kinds),
        "budget_minutes": options.budget_minutes,
        "search": search_note(config, options.budget_minutes, int(data.y.sum())),
        "tuning": _tuning_summary(ensemble.training.get("tuning", {})),
        "seconds": round(seconds, 1),
        "budget": plan.note(seconds),
    }


def cross_validate_and_fit(
    data: PreparedTable,
    sources: Sequence[SourceSpec],
    config: EnsembleConfig,
    plan: BudgetPlan | FixedPlan,
    progress: Progress = no_progress,
) -> tuple[CVResult, Ensemble]:
    """``train --csv``'s fits: the cross-validation, then the final fit on every row, each configured by ``plan``."""
    cv = cross_validate(
        data.frame, data.y, sources, config, lambda done, total: progress("cross-validate", done, total), plan=plan
    )
    progress("fit", 2, 4)
    final = len(cv.fold_auc)
    ensemble = fit_ensemble(data.frame, data.y, sources, plan.before(final))
    plan.after(final, ensemble)
    ensemble.prep = data.prep.to_dict()
    return cv, ensemble


def table_plan(
    options: TableTraining, frame: pd.DataFrame | None = None
) -> tuple[PreparedTable, tuple[SourceSpec, ...], EnsembleConfig]:
    """The prepared table, its one source and the ensemble configuration ``train_table`` fits with.

    ``frame`` is the table when already read (a benchmark's), else ``options.path`` is read. The learners are
    ``TABLE_KINDS`` (an explicit ``kinds`` in ``options.config`` wins) on ``default_jobs()`` threads; the
    budget sets the search over ``folds + 1`` ensemble fits (cross-validation and the final fit), unless the
    table has too few bads to search (``train_budget.SEARCH_MIN_BADS``).
    """
    table = read_table(options.path) if frame is None else frame
    data = prepare(table, options.target, options.drop, options.categorical)
    _check_labels(data.y, options.folds, f"rows of {options.path.name}")
    sources = (SourceSpec("all", data.features),)
    base = _config(options.folds, options.seed, {"kinds": TABLE_KINDS, "n_jobs": default_jobs(), **options.config})
    bads = int(data.y.sum())
    return data, sources, budgeted(base, options.budget_minutes, ensembles=options.folds + 1, bads=bads)


def _tuning_summary(tuning: Mapping[str, Any]) -> dict[str, Any]:
    """Per tuned sub-model of the final fit: trials run, the best inner AUC, the chosen settings."""
    return {
        name: {
            "trials": len(t["trials"]),
            "best_auc": t["best_auc"],
            "chosen": t["chosen"],
            "stopped_by_budget": t["stopped_by_budget"],
        }
        for name, t in tuning.items()
    }


def tags_written(frame: pd.DataFrame) -> bool:
    """Whether the warehouse holds risk tags (``riskloop text tag`` ran): then they are a model source."""
    flag = f"avail_{TEXT_TAGS}"
    return flag in frame.columns and bool(frame[flag].fillna(0).astype(bool).any())


def workspace_inputs(
    columns: Any, *, cross: bool = CROSS_SOURCE, tagged: bool = False
) -> tuple[tuple[SourceSpec, ...], tuple[str, ...]]:
    """Sources and direct inputs of the workspace model.

    Sources: the registered ones, the graph source when ``columns`` hold ``graph_*`` features, and with
    ``cross`` one cross-source GBDT over all of them and the application fields. Direct inputs: the
    application fields present in ``columns``.

    Examples
    --------
    >>> sources, direct = workspace_inputs(["app_bureau_score"], cross=False)
    >>> direct, sources[0].name
    (('app_bureau_score',), 'registration')

    """
    present = list(columns)
    direct = tuple(f for f in APPLICATION_FIELDS if f in present)
    sources = default_sources()
    if tagged and TEXT_TAGS not in {s.name for s in sources}:
        sources = (*sources, text_source())
    graph = graph_source(present)
    if graph is not None and graph.name not in {s.name for s in sources}:
        sources = (*sources, graph)
    if cross:
        sources = (*sources, cross_source(sources, direct))
    return sources, direct


def unknown_applications(
    frame: pd.DataFrame, funded: set[str], start: pd.Timestamp, oot_from: str | None
) -> pd.DataFrame:
    """Applications of the training window (``start`` up to the out-of-time cut) that never became a loan.

    Those are the rejected and the undrawn: their outcome can never be observed. Funded loans still
    maturing are left out (their outcome will come).
    """
    at = frame["as_of"]
    window = at >= start
    if oot_from is not None:
        window &= at < pd.Timestamp(oot_from)
    return frame[window & ~frame["application_id"].isin(funded)].reset_index(drop=True)


def with_reject_inference(
    method: str,
    train: pd.DataFrame,
    y: np.ndarray,
    unknown: pd.DataFrame,
    known_model: Ensemble,
    *,
    sources: tuple[SourceSpec, ...],
    config: EnsembleConfig,
) -> tuple[Ensemble, dict[str, Any]]:
    """The ensemble refitted on ``train`` plus ``unknown`` labelled by ``known_model`` (fuzzy or parcel)."""
    if unknown.empty:
        raise ValidationError("reject_inference", "no application without a loan in the training window")
    p = np.asarray(known_model.predict(unknown).pd, dtype=np.float64)
    sample: Augmented = (
        fuzzy_augment(y, p)
        if method == "fuzzy"
        else parcel(np.asarray(known_model.predict(train).pd, dtype=np.float64), y, p, seed=config.seed)
    )
    both = pd.concat([train, unknown], ignore_index=True).iloc[sample.row].reset_index(drop=True)
    fitted = fit_ensemble(both, sample.y, sources, config, weight=sample.weight, groups=sample.group)
    return fitted, {
        "method": method,
        "known_applications": len(train),
        "known_bad_rate": float(y.mean()),
        "unknown_applications": len(unknown),
        "unknown_mean_pd": float(p.mean()),
        "augmented_bad_rate": float(np.average(sample.y, weights=sample.weight)),
    }


def with_graph_features(frame: pd.DataFrame, graph: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the graph features of its applications (an application the graph lacks gets NaN)."""
    return frame.merge(graph, on="application_id", how="left", validate="one_to_one")


def _workspace_frame(tables: Path, as_of: dt.date | None) -> tuple[pd.DataFrame, dt.date]:
    until = None if as_of is None else as_of + dt.timedelta(days=1)
    spine = application_spine(tables, until=until)
    if spine.num_rows == 0:
        raise DataSourceError(f"{tables}: no applications{'' if as_of is None else f' up to {as_of}'}")
    frame = DuckDBFeatureEngine(tables).compute(spine, GROUPS).to_pandas()
    frame["as_of"] = pd.to_datetime(spine.column("as_of").to_pandas())
    observed = as_of if as_of is not None else frame["as_of"].max().date()
    return frame, observed


def scored_split(name: str, ensemble: Ensemble, frame: pd.DataFrame, y: np.ndarray, columns: list[str]) -> ScoredSplit:
    """``frame``'s rows scored by ``ensemble``, with their labels ``y`` and the values of ``columns`` (for PSI)."""
    scores = ensemble.predict(frame)
    features = frame.loc[:, list(dict.fromkeys(c for c in columns if c in frame.columns))]  # each column once
    return ScoredSplit(name, y.astype(np.int64), np.asarray(scores.pd, dtype=np.float64), scores.sub_scores, features)


def truth_figures(
    truth: Path,
    frame: pd.DataFrame,
    labelled: pd.DataFrame,
    train_rows: np.ndarray,
    ensemble: Ensemble,
    *,
    seed: int,
    also_trained: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Fused and best-sub-model AUC against ground truth on every application of ``frame`` not trained on.

    ``train_rows`` are positions in ``labelled``, the applications with an observed outcome;
    ``also_trained`` the application IDs reject inference added to training.
    """
    path = truth / "applications.parquet"
    if not path.is_file():
        raise DataSourceError(f"{path}: ground truth not found (only synthetic universes have it)")
    known = pq.read_table(path, columns=["application_id", "defaulted"]).to_pandas()
    trained = set(labelled["application_id"].iloc[train_rows]) | set(also_trained)
    held = frame[~frame["application_id"].isin(trained)].merge(known, on="application_id").reset_index(drop=True)
    y = held["defaulted"].astype(np.int64).to_numpy()
    if held.empty or y.min() == y.max():
        raise ValidationError("truth", f"{path}: held-out applications lack both outcomes")
    scores = ensemble.predict(held)
    fused = np.asarray(scores.pd, dtype=np.float64)
    subs = {str(c): discrimination(y, scores.sub_scores[c].to_numpy(np.float64))["auc"] for c in scores.sub_scores}
    best = max(sorted(subs), key=subs.__getitem__)
    low, high = bootstrap_auc(y, fused, seed=seed)
    gain = bootstrap_auc_gain(y, fused, scores.sub_scores[best].to_numpy(np.float64), seed=seed)
    return {
        "applications": len(held),
        "default_rate": float(y.mean()),
        "fused": {**discrimination(y, fused), "auc_ci95": [low, high]},
        "best_sub_model": best,
        "best_sub_auc": subs[best],
        "auc_gain": gain["gain"],
        "auc_gain_ci95": [gain["low"], gain["high"]],
        "sub_models": subs,
    }


def save_model(
    home: ModelHome,
    name: str,
    ensemble: Ensemble,
    meta: Mapping[str, Any],
    report: dict[str, Any],
    *,
    author: str = UNKNOWN_AUTHOR,
    reference: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the bundle and report under ``<models>/<name>-v<version>/`` and register the bundle by ``author``.

    ``report`` is ``modeling.report.build_report``'s (its ``summary`` becomes the registered metrics);
    ``reference`` (``monitoring_reference``) is written beside them for model monitoring.
    """
    registry, root = home.registry, home.models
    taken = [m.version for m in registry.list(name)]
    version = max([*taken, _last_folder_version(root, name)], default=0) + 1
    folder = root / model_id(name, version)
    manifest = ensemble.save(folder, {**meta, "version": version})
    report["meta"]["version"] = version
    json_path, html_path = write_report(report, folder)
    if reference is not None:
        (folder / REFERENCE_FILE).write_text(json.dumps(reference, indent=1, sort_keys=True, allow_nan=False) + "\n")
    window = {k: meta[k] for k in ("observed_on", "oot_from", "rows", "trained_on") if k in meta}
    registered = registry.register(
        folder, name, KIND, report["summary"], window, ensemble.features, registered_by=author
    )
    return {
        "model_id": registered,
        "version": version,
        "bundle": str(folder),
        "manifest": str(manifest),
        "report_json": str(json_path),
        "report_html": str(html_path),
    }


def monitoring_reference(
    split: ScoredSplit,
    summary: Mapping[str, Any],
    prefer: tuple[str, ...] = ("oot", "test"),
    *,
    bad_rate: float | None = None,
) -> dict[str, Any]:
    """The reference of model monitoring: bins and band means of ``split``'s PD and inputs.

    ``split`` should be the population monitoring will compare: every applicant of the training window, as live
    decisions score every applicant (funded loans alone are a selected, safer population, and their PSI against
    live traffic is high from the first day). The baseline AUC/KS monitoring compares matured vintages with is
    that of the first held-out split of ``prefer`` the summary has (the sample's own in-sample figures are
    optimistic), else ``split``'s; ``bad_rate`` that of the labelled training loans (default: ``split``'s).
    """
    inputs = {} if split.features is None else {str(c): split.features[c].to_numpy(np.float64, na_value=np.nan)
                                                  for c in split.features.columns}  # fmt: skip
    held = next((name for name in prefer if summary.get(name, {}).get("fused_auc") is not None), split.name)
    figures = summary.get(held, {})
    baseline = {"split": held, "auc": figures.get("fused_auc"), "ks": figures.get("fused_ks"),
                "bad_rate": bad_rate if bad_rate is not None else float(split.y.mean()) if split.y.size else None,
                "population": split.name, "population_rows": int(split.y.size)}  # fmt: skip
    return build_reference(split.fused_pd, inputs, baseline)


def _last_folder_version(root: Path, name: str) -> int:
    taken = [p.name.removeprefix(f"{name}-v") for p in root.glob(f"{name}-v*")] if root.is_dir() else []
    return max([int(t) for t in taken if t.isdigit()], default=0)


def _workspace_config(
    options: WorkspaceTraining, direct: tuple[str, ...], bads: int, started: float
) -> tuple[EnsembleConfig, BudgetPlan | FixedPlan]:
    """The workspace run's configuration and the plan of its fits (a second one with reject inference)."""
    config = _config(options.folds, options.seed, options.config, direct_inputs=direct)
    refits = 2 if options.reject_inference != "none" else 1
    config = budgeted(config, options.budget_minutes, ensembles=refits, bads=bads)
    return config, budget_plan(config, options.budget_minutes, [1.0] * refits, started)


def _config(folds: int, seed: int, extra: Mapping[str, Any], **fixed: Any) -> EnsembleConfig:
    if folds < 2:
        raise ValidationError("folds", f"{folds}: needs at least 2")
    try:
        return replace(EnsembleConfig(folds=folds, seed=seed, **fixed), **dict(extra))
    except TypeError as exc:
        raise ValidationError("config", str(exc)) from None


def _check_labels(y: np.ndarray, folds: int, what: str) -> None:
    bads, goods = int(y.sum()), int(len(y) - y.sum())
    if min(bads, goods) < folds * MIN_BADS_PER_FOLD:
        raise ValidationError(
            "labels", f"{len(y):,} {what} hold {bads:,} bad and {goods:,} good: too few to train with {folds} folds"
        )


def _table_meta(name: str, options: TableTraining, data: PreparedTable, config: EnsembleConfig) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "ensemble",
        "trained_on": str(options.path),
        "target": options.target,
        "rows": len(data.y),
        "bad_rate": float(data.y.mean()),
        "features": list(data.features),
        "dropped": list(data.dropped),
        "categorical": data.categorical,
        "renamed": {raw: safe for raw, safe in zip(data.prep.raw_features, data.features, strict=True) if raw != safe},
        "learners": list(config.kinds),
        "budget_minutes": options.budget_minutes,
        "search": search_note(config, options.budget_minutes, int(data.y.sum())),
        "folds": options.folds,
        "seed": options.seed,
        "sources": ["all"],
    }


def _psi(report: Mapping[str, Any]) -> dict[str, Any]:
    psi = report.get("psi", {})
    top = {k: dict(list(v.items())[:5]) for k, v in psi.get("features", {}).items()}
    return {"score": psi.get("score", {}), "top_features": top}


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValidationError("name", f"{name!r}: use letters, digits, '.', '_' or '-' (at most 60)")
    return name


def _slug(path: Path) -> str:
    stem = path.name.split(".")[0]
    slug = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in stem).lstrip("-_")[:60]
    return slug or "table"
