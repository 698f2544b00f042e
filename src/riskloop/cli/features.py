"""``riskloop features publish|show``: publish enterprise features for online lookup, and read them back."""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import Annotated, Any

import typer
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.domain.clock import SystemClock

features_app = typer.Typer(no_args_is_help=True, help="Publish features for online lookup and read them back.")
app.add_typer(features_app, name="features")


def _render_publish(result: dict[str, Any]) -> None:
    console.print(
        f"published {result['enterprises']:,} enterprises as of {result['as_of']} "
        f"under feature set {result['feature_set']} in {result['seconds']:.1f} s",
        highlight=False,
    )


def _render_show(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{result['credit_code']} as of {result['as_of']} (feature set {result['feature_set']})")
    grid.add_column("feature")
    grid.add_column("value", justify="right")
    for name, value in result["values"].items():
        grid.add_row(name, "—" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value))
    console.print(grid)
    console.print(f"published at {result['published_at']}", highlight=False)


@features_app.command("publish")
def publish_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Use records before this day (default: today, UTC)")
    ] = None,
    engine: Annotated[str, typer.Option(help="Feature engine: duckdb or spark")] = "duckdb",
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Compute the enterprise-level features of every enterprise in the warehouse and publish them."""
    from riskloop.service.prerequisites import PUBLISH_TABLES
    from riskloop.service.publish_features import publish_features
    from riskloop.workspace import FEATURE_ENGINES, Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), ExitStack() as stack:
        clock = SystemClock()
        day = parse_date(as_of, "--as-of") or clock.now().date()
        # An unknown name or a missing extra is a settings error: said before what the workspace lacks.
        compute = FEATURE_ENGINES.create(engine, settings.warehouse)
        ws = stack.enter_context(Workspace.open(settings, clock=clock, create=False))
        ws.require_ingested(*PUBLISH_TABLES)
        store = ws.feature_store()
        started = time.perf_counter()
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with progress_bars(*columns, json_mode=json_mode) as bar:
            task = bar.add_task("starting")

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(task, description=f"{stage}: {done:,} of {total:,}")

            result = publish_features(compute, store, settings.warehouse, day, progress=progress)
        payload = {**result.to_dict(), "seconds": round(time.perf_counter() - started, 3)}
    emit(payload, json_mode, _render_publish)


@features_app.command("show")
def show_command(
    ctx: typer.Context,
    credit_code: Annotated[str, typer.Argument(help="Unified social credit code of the enterprise")],
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Print the features last published for one enterprise under the current feature set."""
    from riskloop.errors import NotFoundError
    from riskloop.features.publish import ENTERPRISE_FEATURE_SET
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        ws.require_published_features()
        found = ws.feature_store().lookup(ENTERPRISE_FEATURE_SET, credit_code)
        if found is None:
            raise NotFoundError(
                f"no features published for {credit_code} under feature set {ENTERPRISE_FEATURE_SET} "
                "(run: riskloop features publish)"
            )
        payload = {
            "credit_code": found.credit_code,
            "feature_set": found.feature_set,
            "as_of": found.as_of.isoformat(),
            "published_at": found.published_at.isoformat(),
            "values": dict(found.values),
        }
    emit(payload, json_mode, _render_show)
