"""``riskloop monitor``: post-loan signals, the warning policy and direct alerts, as of a day or over a range."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, TextColumn, TimeElapsedColumn

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.errors import ValidationError


def _render(result: dict[str, Any]) -> None:
    for run in result["runs"]:
        levels = ", ".join(f"{k} {v:,}" for k, v in sorted(run["levels"].items()))
        a = run["alerts"]
        console.print(
            f"{run['as_of']}: {run['loans']:,} loans on the book ({levels}); alerts raised {a['raised']:,}, "
            f"upgraded {a['upgraded']:,}, unchanged {a['unchanged']:,} — policy {run['policy']}; "
            f"propagation: {run['propagation']}; "
            f"behaviour score: {run['behaviour']}",
            highlight=False,
        )
    console.print(f"{len(result['runs'])} run(s) in {result['seconds']:.1f} s", highlight=False)


@app.command("monitor")
def monitor_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Monitor as of this day (YYYY-MM-DD)")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Backfill from this day")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Backfill up to this day")] = None,
    every: Annotated[str, typer.Option(help="Backfill every day or every month end: day or month")] = "day",
    engine: Annotated[str, typer.Option(help="SQL engine: duckdb or spark")] = "duckdb",
    policy: Annotated[str, typer.Option(help="Warning policy (a strategy name; its active version runs)")] = (
        "warning-reference"
    ),
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Compute the signals of every loan on the book, run the warning policy and raise the direct alerts."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day, lo, hi = parse_date(as_of, "--as-of"), parse_date(start, "--from"), parse_date(end, "--to")
        if (day is None) == (lo is None and hi is None) or (lo is None) != (hi is None):
            raise ValidationError("--as-of", "give --as-of DATE, or --from DATE --to DATE")
        started = time.perf_counter()
        with Workspace.open(settings, create=False) as ws:
            ws.require_ingested("loans", "repayment_schedules")
            monitor = ws.monitor(engine, policy)
            monitor.active_policy()  # refuse before any work when no version is active
            columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
            with progress_bars(*columns, json_mode=json_mode) as bar:
                task = bar.add_task("starting", total=1)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=max(total, 1))

                if day is not None:
                    runs = [monitor.run(day, progress)]
                else:
                    assert lo is not None
                    assert hi is not None
                    runs = monitor.backfill(lo, hi, every, progress)
        payload = {"runs": [r.to_dict() for r in runs], "seconds": round(time.perf_counter() - started, 3)}
    emit(payload, json_mode, _render)
