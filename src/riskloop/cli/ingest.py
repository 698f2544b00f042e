"""``riskloop ingest DIR``: load a directory of table files, print per-table counts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, err_console, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.domain.clock import SystemClock
from riskloop.ingest.report import ProgressUpdate


def _render(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"ingest run {result['run_id']}")
    for name in ("table", "store", "read", "loaded", "already present", "quarantined", "encoding"):
        grid.add_column(name, justify="left" if name in ("table", "store", "encoding") else "right")
    for name, t in result["tables"].items():
        grid.add_row(
            name,
            t["store"],
            f"{t['rows_read']:,}",
            f"{t['loaded']:,}",
            f"{t['already_present']:,}",
            f"{t['quarantined']:,}",
            ", ".join(t["encodings"]),
        )
    tot = result["totals"]
    grid.add_row(
        "total",
        "",
        f"{tot['rows_read']:,}",
        f"{tot['loaded']:,}",
        f"{tot['already_present']:,}",
        f"{tot['quarantined']:,}",
        "",
    )
    console.print(grid)
    if tot["quarantined"]:
        console.print(f"quarantined rows, with field and reason: {result['quarantine_dir']}")


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Directory of table files, or a generated universe")],
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    as_of: Annotated[
        str | None, typer.Option(help="Dates after this day (YYYY-MM-DD) are invalid; default today")
    ] = None,
    mapping_file: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A bank export's mapping (JSON): file names, sheets, Chinese headers, money units, time zone, "
            "category values; see docs/data-formats.md",
        ),
    ] = None,
) -> None:
    """Validate and load CSV / Parquet / JSON Lines / XLSX table files; bad rows are quarantined with a reason."""
    from riskloop.ingest.mapping import load_mapping
    from riskloop.ingest.sources import discover
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        as_of_date = parse_date(as_of, "--as-of")
        mapping = load_mapping(mapping_file) if mapping_file is not None else None
        discover(directory, mapping.aliases() if mapping else None)  # a missing or empty input fails here
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with (
            Workspace.open(settings, clock=SystemClock()) as ws,
            progress_bars(*columns, json_mode=json_mode) as bar,
        ):
            tasks: dict[tuple[str, str], Any] = {}

            def progress(update: ProgressUpdate) -> None:
                key = (update.table, update.phase)
                if key not in tasks:
                    tasks[key] = bar.add_task("")
                bar.update(tasks[key], description=f"{update.table}: {update.phase} {update.rows:,} rows")

            result = ws.ingest(directory, as_of=as_of_date, progress=progress, mapping=mapping)
        if not json_mode:
            for warning in result.warnings:
                err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    emit(result.to_dict(), json_mode, _render)
