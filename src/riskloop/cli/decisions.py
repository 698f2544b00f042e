"""``riskloop replay`` and ``riskloop backtest``: re-run logged decisions; compare strategies on history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit
from riskloop.config import Settings


def _render_replay(result: dict[str, Any]) -> None:
    console.print(f"replayed {result['replayed']}: {result['identical']} identical", highlight=False)
    for item in result["different"]:
        console.print(f"  {item['decision_id']}: differs in {', '.join(item['differences'])}", highlight=False)


@app.command("replay")
def replay_command(
    ctx: typer.Context,
    decision_ids: Annotated[list[str] | None, typer.Argument(help="Decisions to replay (default: --all)")] = None,
    every: Annotated[bool, typer.Option("--all", help="Replay every stored decision")] = False,
    model: Annotated[str | None, typer.Option(help="Model bundle or registry id (default: deployed)")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Re-run stored decisions from their stored inputs and versions; exit 1 if any differs."""
    from riskloop.errors import ValidationError
    from riskloop.service.replay import replay_all
    from riskloop.service.runtime import Runtime
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        if not decision_ids and not every:
            raise ValidationError("decision_ids", "name decisions to replay or pass --all")
        with Workspace.open(settings, create=False) as ws:
            ws.require_decisions()
            store = ws.decision_store()
            stored = store.all() if every else [store.get(d) for d in decision_ids or []]
            stored = store.revealed(stored, actor="cli:replay", purpose="replay", at=ws.clock.now())
            result = replay_all(stored, ws.decider(Runtime(model=model)))
    emit(result, json_mode, _render_replay)
    if result["different"]:
        raise typer.Exit(1)


def _render_backtest(result: dict[str, Any]) -> None:
    from rich.table import Table

    grid = Table(title=f"backtest: {result['applications']} applications ({result['outcomes']})")
    grid.add_column("")
    for side in ("champion", "candidate"):
        grid.add_column(f"{side} {result[side]['strategy']}", justify="right")

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    for label, key in (
        ("approval rate", "approval_rate"),
        ("bad rate of approvals", "bad_rate_approved"),
        ("bad rate of auto-approvals", "bad_rate_auto_approved"),
        ("straight-through rate", "straight_through_rate"),
        ("expected loss rate", "expected_loss_rate"),
    ):
        grid.add_row(label, pct(result["champion"][key]), pct(result["candidate"][key]))
    for tier in result["champion"]["by_tier"]:
        a, b = result["champion"]["by_tier"][tier], result["candidate"]["by_tier"][tier]
        grid.add_row(
            f"  {tier}", f"{a['count']} ({pct(a['bad_rate'])} bad)", f"{b['count']} ({pct(b['bad_rate'])} bad)"
        )
    console.print(grid)
    swap = result["swap"]
    console.print(
        f"swap in: {swap['swap_in']['count']} (bad {pct(swap['swap_in']['bad_rate'])}), "
        f"swap out: {swap['swap_out']['count']} (bad {pct(swap['swap_out']['bad_rate'])})",
        highlight=False,
    )


@app.command("backtest")
def backtest_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    candidate: Annotated[str | None, typer.Option(help="Candidate strategy name@version (stored or shipped)")] = None,
    candidate_file: Annotated[Path | None, typer.Option(help="Candidate strategy as a JDM JSON file")] = None,
    champion: Annotated[
        str, typer.Option(help="Strategy to compare with: name@version, or a name (active)")
    ] = "reference@1",
    since: Annotated[str | None, typer.Option(help="Applications from this day (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="Applications before this day")] = None,
    truth: Annotated[Path | None, typer.Option(help="Ground truth of a synthetic universe (truth/ directory)")] = None,
    observed_on: Annotated[str | None, typer.Option(help="Else: loan outcomes observed on this day")] = None,
    model: Annotated[str | None, typer.Option(help="Model bundle or registry id (default: deployed)")] = None,
    graph: Annotated[str, typer.Option(help="Graph checks: workspace (the stored graph) or none")] = "workspace",
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Replay historical applications through a candidate and a champion strategy; no live data is written."""
    from riskloop.cli.output import parse_date
    from riskloop.errors import ValidationError
    from riskloop.service.backtest import BacktestOptions, as_mapping, backtest_strategies, run_backtest
    from riskloop.service.prerequisites import BACKTEST_TABLES, OUTCOME_TABLES
    from riskloop.service.runtime import Runtime
    from riskloop.workspace import GRAPH_CHECKS, Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        content = None
        if candidate_file is not None:
            if not candidate_file.is_file():
                raise ValidationError("candidate_file", f"{candidate_file} is not a file")
            content = candidate_file.read_text("utf-8")
        GRAPH_CHECKS.check(graph)
        # Read only: no migration, no writes. Checked in the order the commands that provide it run.
        with Workspace.open(settings, migrate=False, create=False) as ws:
            ws.require_ingested(*BACKTEST_TABLES, *(() if truth is not None else OUTCOME_TABLES))
            ws.require_model(model)
            if graph == "workspace":
                ws.require_graph()
            loader, candidate, champion = backtest_strategies(
                ws.strategy_repository(),
                ws.strategy_loader(),
                candidate=candidate,
                candidate_json=content,
                champion=champion,
            )
            decider = ws.decider(Runtime(model=model, strategy=champion), graph=ws.graph_checks(graph), loader=loader)
            options = BacktestOptions(
                candidate=candidate,
                champion=champion,
                since=parse_date(since, "--since"),
                until=parse_date(until, "--until"),
                truth=truth,
                observed_on=parse_date(observed_on, "--observed-on"),
            )
            opener = ws.vault().opener(actor="cli:backtest", purpose="backtest", at=ws.clock.now())
            result = as_mapping(run_backtest(decider, settings.warehouse, options, opener))
    emit(result, json_mode, _render_backtest)
