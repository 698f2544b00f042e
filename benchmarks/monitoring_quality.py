"""The behaviour score's part of the monitoring benchmark: train on the training period, calibrate, rank every month.

For the month ends from ``start`` to ``end`` it recomputes every loan's signals and repayment history (the
same SQL as a monitoring run), then, using only what a bank knows on the split day:

- trains the behaviour score on the snapshots before ``split`` labelled from the repayments observed up to
  ``split`` (90+ days past due within ``horizon`` months; immature windows excluded), saves its bundle and
  scores through the served model (``scoring.behaviour``), as monitoring does;
- chooses the cut-offs of the behaviour rules on those training snapshots within the false-alarm budgets
  (``service.behaviour_policy.calibrate``);
- ranks every loan-month with the reviewed policy (v2) without the score (``v2_rank``) and with it at the
  calibrated cut-offs (``behaviour_rank``).

Truth is not read here: ``bench_monitoring`` scores the ranks against it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.modeling.behaviour import fit_behaviour, save_behaviour
from riskloop.monitoring.behaviour import FEATURES, HISTORY_TABLES, SCORE, first_bad_sql, label_rows
from riskloop.monitoring.calibration import DEFAULT_BUDGETS
from riskloop.monitoring.engine import DuckDBRunner
from riskloop.monitoring.policy import POLICY_NAME, POLICY_V2, build_policy, reviewed_rules
from riskloop.rules.engine import Strategy, strategy_key
from riskloop.rules.loaders import ChainStrategyLoader, MemoryStrategyLoader, PackageStrategyLoader
from riskloop.rules.zen import ZenRuleEngine
from riskloop.scoring.behaviour import BehaviourModel
from riskloop.service.behaviour import snapshots
from riskloop.service.behaviour_policy import calibrate, policy_ranks

V2 = strategy_key(POLICY_NAME, POLICY_V2)
CALIBRATED = strategy_key(POLICY_NAME, 99)  # the calibrated v2, held in memory


def behaviour_ranks(
    tables: Path, months: tuple[dt.date, dt.date], split: dt.date, horizon: int, seed: int = 0
) -> tuple[dict[tuple[str, dt.date], dict[str, int]], dict[str, Any]]:
    """Ranks per (loan, month end) under v2 without and with the behaviour score, and the model's figures."""
    runner = DuckDBRunner(tables)
    rows = snapshots(runner, *months)
    before = rows.filter(pc.less(rows["as_of"], pa.scalar(split)))
    train = label_rows(before, runner.run(first_bad_sql(split), HISTORY_TABLES, {}), split, horizon)
    trained = fit_behaviour(train, FEATURES, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        save_behaviour(trained, Path(tmp) / "behaviour-v1", {"observed_on": split.isoformat()})
        model = BehaviourModel.load(Path(tmp) / "behaviour-v1")
    zen = ZenRuleEngine(PackageStrategyLoader())
    cal = calibrate(train, model, zen, V2, DEFAULT_BUDGETS)
    kept = {k: v for k, v in cal.cutoffs.items() if v is not None}
    content = build_policy(rules=reviewed_rules(kept))
    loader = ChainStrategyLoader(MemoryStrategyLoader([Strategy.of(POLICY_NAME, 99, content)]), PackageStrategyLoader())
    engine = ZenRuleEngine(loader)
    plain = rows.to_pylist()
    scored = [r | {SCORE: float(p)} for r, p in zip(plain, model.score(rows).pd, strict=True)]
    without, with_score = policy_ranks(engine, V2, plain), policy_ranks(engine, CALIBRATED, scored)
    ranks = {
        (r["loan_id"], r["as_of"]): {"v2_rank": int(a), "behaviour_rank": int(b)}
        for r, a, b in zip(plain, without, with_score, strict=True)
    }
    figures = {
        "training_snapshots": trained.rows,
        "training_bad": trained.bads,
        "horizon_months": horizon,
        "labels_observed_on": split.isoformat(),
        "cv_auc": round(trained.cv_auc, 4),
        "rounds": trained.rounds,
        "cutoffs": cal.cutoffs,
        "calibration": cal.figures,
        "mean_pd_evaluation": round(float(np.mean([s[SCORE] for s in scored if s["as_of"] >= split] or [0])), 4),
    }
    return ranks, figures
