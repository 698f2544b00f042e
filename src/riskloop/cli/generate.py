"""``riskloop generate``: write a seeded synthetic SME universe to Parquet."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.synth.params import DEFAULT_AS_OF, UniverseParams
from riskloop.synth.universe import generate_universe


def _render(result: dict[str, Any]) -> None:
    console.print(f"[bold]universe[/] {result['out']}  seed {result['seed']}  {result['seconds']:.1f} s")
    for name, rows in result["rows"].items():
        console.print(f"  {name:<24}{rows:>14,}")


@app.command()
def generate(
    ctx: typer.Context,
    *,
    enterprises: Annotated[int, typer.Option(help="Number of enterprises")] = 10_000,
    seed: Annotated[int, typer.Option(help="Root seed: same seed, same bytes")] = 0,
    out: Annotated[Path | None, typer.Option(help="Output directory (default: <home>/universes/seed-S-n-N)")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The universe's today, YYYY-MM-DD")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (output does not depend on it)")] = 2,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Generate a synthetic SME universe with ground truth (tables/, truth/, manifest.json)."""
    with cli_errors(json_mode):
        settings: Settings = ctx.obj
        params = UniverseParams(enterprises=enterprises, seed=seed, as_of=parse_date(as_of) or DEFAULT_AS_OF)
        target = out if out is not None else settings.universes / f"seed-{seed}-n-{enterprises}"
        started = time.perf_counter()
        columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with progress_bars(*columns, json_mode=json_mode) as bar:
            task = bar.add_task("generate", total=enterprises)
            summary = generate_universe(
                params, target, workers=workers, progress=lambda done, _total: bar.update(task, completed=done)
            )
        result = {
            "out": str(summary.out),
            "seed": seed,
            "enterprises": enterprises,
            "rows": summary.rows,
            "truth_rows": summary.truth_rows,
            "seconds": round(time.perf_counter() - started, 3),
        }
    emit(result, json_mode, _render)
