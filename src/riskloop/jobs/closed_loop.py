"""The closed loop wired on a workspace: the use cases ``ClosedLoop`` runs, including retraining.

It lives among the jobs, not in the composition root, because retraining needs the training stack, which the
composition root (imported by the serving API) must not import.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from riskloop.scoring.registry import REGISTERED, RegisteredModel
from riskloop.service.loop import LOOP_AUTHOR, ClosedLoop
from riskloop.service.model_backtest import GRAPH_STEP_DAYS, ModelBacktestOptions
from riskloop.workspace import Workspace

DEFAULT_STRATEGY = "reference"


def closed_loop(
    ws: Workspace,
    owner: str,
    *,
    truth: Path | None = None,
    strategy: str = DEFAULT_STRATEGY,
    graph_step_days: int = GRAPH_STEP_DAYS,
) -> ClosedLoop:
    """The loop's unattended part on ``ws``; ``owner`` names the runner holding a day's claim."""
    actions = WorkspaceLoopActions(ws, truth, strategy, graph_step_days)
    return ClosedLoop(ws.loop_steps(), actions, ws.clock, owner)


class WorkspaceLoopActions:
    """The use cases ``ClosedLoop`` runs, on one workspace (``truth``: figures against a synthetic universe's)."""

    def __init__(self, ws: Workspace, truth: Path | None, strategy: str, graph_step_days: int) -> None:
        self.ws, self.truth, self.strategy, self.graph_step_days = ws, truth, strategy, graph_step_days

    def update_outcomes(self, as_of: dt.date) -> dict[str, Any]:
        """The book's outcomes brought to ``as_of`` (incrementally)."""
        return self.ws.outcomes().update(as_of).to_dict()

    def monitor_model(self, as_of: dt.date) -> dict[str, Any]:
        """Model monitoring of the active model as of ``as_of``, alerts raised."""
        return self.ws.model_monitor().run(as_of)

    def champion(self) -> RegisteredModel:
        """The active application model."""
        return self.ws.active_model()

    def retrain(
        self, champion: RegisteredModel, as_of: dt.date, author: str, label_months: int | None
    ) -> dict[str, Any]:
        """The challenger of ``champion`` on outcomes observed ``as_of`` (found when already trained)."""
        from riskloop.service.retrain import retrain

        home = self.ws.model_home()
        return retrain(home, champion, as_of, author=author, truth=self.truth, label_months=label_months)

    def collection_policy(self, as_of: dt.date, author: str) -> dict[str, Any]:
        """A candidate collection policy on the rounds logged by ``as_of``, when due (``retrain_in_loop``)."""
        from riskloop.service.collection_policy import retrain_in_loop

        return retrain_in_loop(self.ws.model_home(), self.ws.collections().history(), as_of, author)

    def pending(self, champion: RegisteredModel, author: str) -> list[str]:
        """Candidates ``author`` trained after ``champion``, not approved nor retired yet."""
        later = self.ws.model_registry().list(champion.name)
        return [m.model_id for m in later if m.registered_by == author and m.status == REGISTERED
                and m.version > champion.version]  # fmt: skip

    def backtest(self, champion: str, challenger: str, since: dt.date, until: dt.date) -> dict[str, Any]:
        """Both models on the applications of ``[since, until)``; outcomes observed the day before ``until``."""
        observed = until - dt.timedelta(days=1)
        options = ModelBacktestOptions(
            champion,
            challenger,
            self.strategy,
            since,
            until,
            truth=self.truth,
            observed_on=observed,
            graph_step_days=self.graph_step_days,
        )
        built = self.ws.graph_store().latest_build() is not None
        return self.ws.model_backtest(options, graph=built, actor=LOOP_AUTHOR)
