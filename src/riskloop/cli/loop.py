"""``riskloop retrain``, ``riskloop models backtest`` and ``riskloop loop``: the challenger side of the closed loop.

``retrain`` trains a challenger with the active model's recipe on the outcomes matured by a day; ``models
backtest`` compares two models on past applications as of each one's day, writing nothing; ``loop`` runs the
unattended part (outcomes, model monitoring, retraining when triggered, backtest, proposal) and stops at the
approval. Each is safe to run again: ``loop`` returns what it recorded and resumes where it stopped.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.models import models_app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.errors import ValidationError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
LabelOpt = Annotated[
    int | None,
    typer.Option(help="Label: bad by this many months on book, matured loans only (default: the champion's rule)"),
]
TruthOpt = Annotated[Path | None, typer.Option(help="A synthetic universe's truth/ directory: figures against it")]


def _required_day(value: str | None, flag: str) -> Any:
    day = parse_date(value, flag)
    if day is None:
        raise ValidationError(flag, "give a day, YYYY-MM-DD")
    return day


@app.command("retrain")
def retrain_command(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Outcomes observed on this day, YYYY-MM-DD")] = None,
    truth: TruthOpt = None,
    label_months: LabelOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Train a challenger with the active model's recipe on the outcomes matured by --as-of (a candidate)."""
    from riskloop.cli.keys import operator
    from riskloop.service.prerequisites import TRAIN_TABLES
    from riskloop.service.retrain import retrain
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day = _required_day(as_of, "--as-of")
        with Workspace.open(settings, create=False) as ws:
            ws.require_ingested(*TRAIN_TABLES)
            champion = ws.active_model()
            with progress_bars(json_mode=json_mode) as bar:
                task = bar.add_task("retrain", total=None)
                result = retrain(
                    ws.model_home(),
                    champion,
                    day,
                    author=operator(),
                    truth=truth,
                    label_months=label_months,
                    progress=lambda stage, done, total: bar.update(
                        task, description=stage, completed=done, total=total
                    ),
                )
    shown = {k: v for k, v in result.items() if k not in ("meta",)}
    emit(shown, json_mode, _render_retrain)


def _render_retrain(result: dict[str, Any]) -> None:
    again = " (already trained that day: reused)" if result["reused"] else ""
    console.print(f"challenger [bold]{result['model_id']}[/] of {result['champion']}{again}")
    console.print(f"next: riskloop models backtest {result['model_id']} --since DAY --until DAY", highlight=False)


@models_app.command("backtest")
def backtest_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    challenger: Annotated[str, typer.Argument(help="The challenger: a registered model id or a bundle folder")],
    champion: Annotated[str | None, typer.Option(help="The champion (default: the active model)")] = None,
    since: Annotated[str | None, typer.Option(help="Applications from this day, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Applications before this day")] = None,
    strategy: Annotated[
        str, typer.Option(help="Strategy both decide with: name (active) or name@version")
    ] = "reference",
    truth: TruthOpt = None,
    observed_on: Annotated[str | None, typer.Option(help="Else: loan outcomes observed on this day")] = None,
    graph: Annotated[bool, typer.Option(help="Graph checks as of each day (--no-graph: none, all referred)")] = True,
    graph_step_days: Annotated[int, typer.Option(help="Rebuild the graph every this many days")] = 7,
    detail: Annotated[bool, typer.Option(help="Also list each application's two decisions")] = False,
    json_mode: JsonOpt = False,
) -> None:
    """Challenger against champion on past applications as of each one's day; nothing is written."""
    from riskloop.service.model_backtest import ModelBacktestOptions
    from riskloop.service.prerequisites import BACKTEST_TABLES, OUTCOME_TABLES
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        first, end = _required_day(since, "--since"), _required_day(until, "--until")
        observed = parse_date(observed_on, "--observed-on")
        if (truth is None) == (observed is None):
            raise ValidationError("--truth", "give exactly one of --truth and --observed-on")
        with Workspace.open(settings, migrate=False, create=False) as ws:  # read only
            ws.require_ingested(*BACKTEST_TABLES, *(() if truth is not None else OUTCOME_TABLES))
            if graph:
                ws.require_graph()  # its key tokenises the rebuilt graphs as the stored one
            old = champion or ws.active_model().model_id
            options = ModelBacktestOptions(
                old,
                challenger,
                strategy,
                first,
                end,
                truth=truth,
                observed_on=observed,
                graph_step_days=graph_step_days,
                detail=detail,
            )
            with progress_bars(json_mode=json_mode) as bar:
                task = bar.add_task("backtest", total=None)
                result = ws.model_backtest(
                    options,
                    graph=graph,
                    progress=lambda stage, done, total: bar.update(
                        task, description=stage, completed=done, total=total
                    ),
                )
    emit(result, json_mode, _render_backtest)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.2%}"


def _render_backtest(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"model backtest: {result['applications']:,} applications ({result['outcomes']})")
    for column in ("", "model", "AUC", "approval", "bad rate approved", "straight-through", "expected loss"):
        grid.add_column(column)
    ranking = result["discrimination"]
    for side, auc in (("champion", ranking["champion_auc"]), ("candidate", ranking["candidate_auc"])):
        row = result[side]
        grid.add_row(
            side,
            row["model"],
            "—" if auc is None else f"{auc:.4f}",
            _pct(row["approval_rate"]),
            _pct(row["bad_rate_approved"]),
            _pct(row["straight_through_rate"]),
            _pct(row["expected_loss_rate"]),
        )
    console.print(grid)
    gain = ranking.get("gain")
    if gain:
        console.print(f"AUC gain {gain['gain']:+.4f} (95% paired bootstrap {gain['low']:+.4f} to {gain['high']:+.4f})")
    swap = result["swap"]
    console.print(
        f"swap in {swap['swap_in']['count']:,} (bad {_pct(swap['swap_in']['bad_rate'])}), "
        f"swap out {swap['swap_out']['count']:,} (bad {_pct(swap['swap_out']['bad_rate'])}); nothing written"
    )


@app.command("loop")
def loop_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The day the loop runs as of, YYYY-MM-DD")] = None,
    force: Annotated[bool, typer.Option(help="Retrain even when monitoring raised nothing")] = False,
    max_age_days: Annotated[int, typer.Option(help="Retrain a champion trained on older outcomes")] = 365,
    status: Annotated[bool, typer.Option(help="Only show what the day's loop has recorded")] = False,
    graph_step_days: Annotated[int, typer.Option(help="Backtest: rebuild the graph every this many days")] = 7,
    label_months: LabelOpt = None,
    truth: TruthOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Outcomes → model monitoring → retrain if triggered → backtest → propose; stops at the approval."""
    from riskloop.jobs.closed_loop import closed_loop
    from riskloop.service.loop import LOOP_AUTHOR, STEPS, LoopOptions
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day = _required_day(as_of, "--as-of")
        options = LoopOptions(day, force=force, max_age_days=max_age_days, label_months=label_months).check()
        with Workspace.open(settings, create=False) as ws:
            owner = f"{LOOP_AUTHOR}:{socket.gethostname()}:{os.getpid()}"[:80]
            loop = closed_loop(ws, owner, truth=truth, graph_step_days=graph_step_days)
            if status:
                result = loop.status(day)
            else:
                ws.require_ingested("loans", "repayment_schedules")
                ws.active_model()  # a NotFoundError naming what to run, before anything is claimed
                ws.model_monitor().active_policy()
                with progress_bars(json_mode=json_mode) as bar:
                    task = bar.add_task("loop", total=len(STEPS))
                    result = loop.run(
                        options,
                        progress=lambda stage, done, total: bar.update(task, description=stage, completed=done),
                    )
    emit(result, json_mode, _render_loop)


def _render_loop(result: dict[str, Any]) -> None:
    console.print(f"loop as of {result['as_of']}: [bold]{result['state']}[/]")
    for name, step in result["steps"].items():
        mark = "ran now" if name in result["ran"] else "recorded"
        console.print(f"  {name:<9} {step['status']:<7} {mark}" + (f" — {step['error']}" if step["error"] else ""))
    proposal = result["steps"].get("propose")
    if proposal and proposal["status"] == "done":
        console.print(f"{proposal['result']['verdict']}; {proposal['result']['next']}", highlight=False)
