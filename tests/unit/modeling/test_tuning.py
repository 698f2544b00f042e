"""The nested search of tree settings: untuned first, reproducible, bounded by trials and wall time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from riskloop.modeling.ensemble import EnsembleConfig, cross_validate, fit_ensemble
from riskloop.modeling.gbdt import GBDTClassifier
from riskloop.modeling.sources import SourceSpec
from riskloop.modeling.tuning import gbdt_space, tune
from riskloop.service.train_budget import budgeted

FEATURES = ("f0", "f1", "f2", "f3")
START = {"num_leaves": 7, "min_data_in_leaf": 20, "feature_fraction": 0.5, "bagging_fraction": 0.8, "lambda_l2": 1.0}


def _data(rows: int = 1500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4))
    logit = -1.2 + 1.1 * x[:, 0] * (x[:, 1] > 0) - 0.9 * x[:, 2]  # an interaction deeper trees find
    return x, (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.float64)


def _folds(rows: int, k: int = 3) -> list[tuple[np.ndarray, np.ndarray]]:
    index = np.arange(rows)
    return [(index[index % k != f], index[index % k == f]) for f in range(k)]


def _tune(trials: int, seconds: float | None = None, seed: int = 0) -> object:
    x, y = _data()
    model = GBDTClassifier(FEATURES, rounds=300, learning_rate=0.1)
    return tune(
        model, gbdt_space, START, data=(x, y, _folds(len(y))), patience=20, trials=trials, seconds=seconds, seed=seed
    )


def test_the_untuned_settings_come_first_and_the_best_is_kept() -> None:
    tuned = _tune(6)
    history = tuned.history  # type: ignore[attr-defined]
    assert [t.number for t in history] == list(range(6))
    assert history[0].params == START
    best = max(history, key=lambda t: t.auc)
    assert best.auc >= history[0].auc
    gain = tuned.gain  # type: ignore[attr-defined]
    # The best trial replaces the untuned settings only when its gain survives the paired bootstrap.
    kept = best if best.number == 0 or gain["low"] > 0 else history[0]
    assert tuned.params == dict(kept.params)  # type: ignore[attr-defined]
    assert tuned.rounds == kept.rounds  # type: ignore[attr-defined]
    assert tuned.kept_untuned == (kept is history[0] and best.number != 0)  # type: ignore[attr-defined]
    assert not tuned.stopped_by_budget  # type: ignore[attr-defined]


def test_the_search_is_reproducible_for_a_seed() -> None:
    a, b, c = _tune(5, seed=1), _tune(5, seed=1), _tune(5, seed=2)
    assert [t.params for t in a.history] == [t.params for t in b.history]  # type: ignore[attr-defined]
    assert [t.auc for t in a.history] == [t.auc for t in b.history]  # type: ignore[attr-defined]
    assert [t.params for t in a.history][1:] != [t.params for t in c.history][1:]  # type: ignore[attr-defined]


def test_the_wall_time_cap_stops_after_the_first_trial() -> None:
    tuned = _tune(20, seconds=1e-6)
    assert len(tuned.history) == 1  # type: ignore[attr-defined]
    assert tuned.stopped_by_budget  # type: ignore[attr-defined]
    assert tuned.to_json()["chosen"] == {**START, "rounds": tuned.rounds}  # type: ignore[attr-defined]


class TickingClock:
    """Ten seconds pass at every reading: each trial then takes ten seconds, whatever the machine."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 10.0
        return self.now


@pytest.mark.parametrize(("seconds", "trials"), [(15.0, 1), (25.0, 2), (45.0, 2), (55.0, 3)])
def test_no_trial_starts_that_would_end_past_the_cap(seconds: float, trials: int) -> None:
    # The cap counts from the end of the untuned first trial. Each check reads the clock once more: the first
    # search trial is checked 10 s in and expected to take the mean so far (10 s), so it needs a cap of 20 s;
    # the second is checked 40 s in (two readings per trial, one per check) and needs 50 s.
    x, y = _data(600)
    model = GBDTClassifier(FEATURES, rounds=50, learning_rate=0.1)
    tuned = tune(
        model, gbdt_space, START, data=(x, y, _folds(len(y))), patience=20, trials=10, seconds=seconds, seed=0,
        clock=TickingClock(),
    )  # fmt: skip
    assert [t.seconds for t in tuned.history] == [10.0] * trials
    assert tuned.stopped_by_budget


def test_tuning_inside_the_ensemble_is_recorded_and_nested() -> None:
    x, y = _data(1200)
    frame = pd.DataFrame(x, columns=list(FEATURES))
    sources = (SourceSpec("all", FEATURES),)
    config = EnsembleConfig(folds=3, kinds=("scorecard", "gbdt"), tune_trials=3, gbdt_rounds=300)
    ensemble = fit_ensemble(frame, y, sources, config)
    record = ensemble.training["tuning"]["all:gbdt"]
    assert len(record["trials"]) == 3
    assert record["chosen"]["rounds"] == ensemble.training["gbdt_rounds"]["all:gbdt"]
    assert "all:scorecard" not in ensemble.training["tuning"]
    # Under cross-validation each outer fold searches on its own training rows: the outer AUC is honest.
    cv = cross_validate(frame, y, sources, config)
    assert 0.6 < cv.auc < 0.95


@pytest.mark.parametrize(("minutes", "trials"), [(None, 0), (6.0, 40)])
def test_the_budget_sets_the_search(minutes: float | None, trials: int) -> None:
    config = budgeted(EnsembleConfig(kinds=("scorecard", "gbdt", "catboost"), n_jobs=1), minutes, ensembles=6)
    assert config.tune_trials == trials
    if minutes is not None:
        assert config.tune_seconds == pytest.approx(6.0 * 60 * 0.6 / 6 / 2)  # two trees, one at a time


def test_the_cli_default_budget_is_the_services() -> None:
    from riskloop.cli import train as cli_train
    from riskloop.service import train_budget

    assert cli_train.TABLE_BUDGET_MINUTES == train_budget.TABLE_BUDGET_MINUTES


@pytest.mark.parametrize(("bads", "trials"), [(999, 0), (1000, 40), (None, 40)])
def test_a_table_with_too_few_bads_is_not_searched(bads: int | None, trials: int) -> None:
    from riskloop.service.train_budget import SEARCH_MIN_BADS, search_note

    config = budgeted(EnsembleConfig(kinds=("scorecard", "gbdt"), n_jobs=1), 10.0, ensembles=6, bads=bads)
    assert SEARCH_MIN_BADS == 1000
    assert config.tune_trials == trials
    note = search_note(config, 10.0, 999 if bads is None else bads)
    assert note["searched"] is bool(trials)
    if not trials:
        assert note["why"] == "999 bads, fewer than 1000: settings cannot be told apart on so few"
