"""``riskloop outcomes``: bring each loan's outcome up to a day (incrementally), and summarise the outcomes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.errors import ValidationError

outcomes_app = typer.Typer(no_args_is_help=True, help="Loan outcomes of decisions: update and summarise.")
app.add_typer(outcomes_app, name="outcomes")
HORIZON_KEYS = ("3m", "6m", "12m")


@contextmanager
def _as_option() -> Iterator[None]:
    """The use case's ``as_of`` field named as the command line's option."""
    try:
        yield
    except ValidationError as exc:
        if exc.field != "as_of":
            raise
        raise ValidationError("--as-of", exc.problem) from None


def _render_update(result: dict[str, Any]) -> None:
    console.print(
        f"outcomes as of {result['as_of']} ({'full' if result['full'] else 'incremental'}): "
        f"{result['loans']:,} loans; recomputed {result['recomputed']:,}, changed {result['changed']:,}, "
        f"removed {result['removed']:,} in {result['seconds']:.1f} s",
        highlight=False,
    )


@outcomes_app.command("update")
def update_command(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Outcomes as of this day (YYYY-MM-DD)")] = None,
    full: Annotated[bool, typer.Option("--full", help="Recompute every loan (also to go back in time)")] = False,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Mark each drawn loan's outcome as of a day: only loans with new rows or whose state can have moved."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day = parse_date(as_of, "--as-of")
        if day is None:
            raise ValidationError("--as-of", "give the day to update the outcomes to (YYYY-MM-DD)")
        started = time.perf_counter()
        with Workspace.open(settings, create=False) as ws:
            ws.require_ingested("loans", "repayment_schedules")
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with progress_bars(*columns, json_mode=json_mode) as bar:
                task = bar.add_task("outcomes", total=None)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=max(total, 1))

                with _as_option():
                    run = ws.outcomes().update(day, full=full, progress=progress)
        payload = run.to_dict() | {"seconds": round(time.perf_counter() - started, 3)}
    emit(payload, json_mode, _render_update)


def _render_summary(result: dict[str, Any]) -> None:
    console.print(
        f"outcomes as of {result['as_of']} (updated to {result['updated_to']}): {result['loans']:,} loans, "
        f"{result['with_decision']:,} with a stored decision; {result['definition']}",
        highlight=False,
    )
    for group in ("overall", "by_tier", "by_strategy", "by_model", "by_channel", "by_vintage"):
        rows = {"all": result["overall"]} if group == "overall" else result[group]
        table = Table(title=group.replace("_", " "), title_justify="left")
        table.add_column("group")
        table.add_column("loans", justify="right")
        for h in HORIZON_KEYS:
            table.add_column(f"bad {h} (matured)", justify="right")
        for name, figures in rows.items():
            cells = [_cell(figures[h]) for h in HORIZON_KEYS]
            table.add_row(name, f"{figures['loans']:,}", *cells)
        console.print(table)


def _cell(h: dict[str, Any]) -> str:
    rate = "—" if h["bad_rate"] is None else f"{h['bad_rate']:.1%}"
    return f"{rate} ({h['matured']:,})"


@outcomes_app.command("summary")
def summary_command(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this day (default: the last update's)")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Matured loans and bad rates at 3/6/12 months on book: overall, by tier, strategy, model, channel, vintage."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day = parse_date(as_of, "--as-of")
        with Workspace.open(settings, create=False) as ws, _as_option():
            result = ws.outcomes().summary(day)
    emit(result, json_mode, _render_summary)
