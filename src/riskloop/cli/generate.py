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
from riskloop.synth.params import DEFAULT_AS_OF, FRAUD_LEVELS, STANDARD, UniverseParams
from riskloop.synth.scenario import DEFAULT_SECTIONS, NONE, SCENARIOS, Scenario
from riskloop.synth.universe import generate_universe


def _render(result: dict[str, Any]) -> None:
    console.print(f"[bold]universe[/] {result['out']}  seed {result['seed']}  {result['seconds']:.1f} s")
    if "fraud" in result:
        console.print(f"  fraud {result['fraud']}: {result['truth_rows'].get('decoys', 0):,} decoys")
    if "scenario" in result:
        drift = result["scenario"]
        console.print(f"  scenario {drift['name']} from {drift['shift_date']} (magnitude {drift['magnitude']:g})")
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
    scenario: Annotated[str, typer.Option(help=f"Drift scenario: {', '.join(SCENARIOS)}")] = NONE,
    shift_date: Annotated[
        str | None, typer.Option("--shift-date", help="First day of the scenario's regime (default ~9 months back)")
    ] = None,
    magnitude: Annotated[float, typer.Option(help="Strength of the scenario (1: documented effect sizes)")] = 1.0,
    sections: Annotated[
        str | None,
        typer.Option(
            help=f"GB/T 4754 sections hit by industry_downturn, comma-separated ({','.join(DEFAULT_SECTIONS)})"
        ),
    ] = None,
    fraud: Annotated[
        str,
        typer.Option(
            help=f"Fraud: {', '.join(FRAUD_LEVELS)} (hard: five more ring shapes and decoys, with their truth)"
        ),
    ] = STANDARD,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Generate a synthetic SME universe with ground truth (tables/, truth/, manifest.json)."""
    with cli_errors(json_mode):
        settings: Settings = ctx.obj
        drift = Scenario(
            name=scenario,
            shift_date=parse_date(shift_date, "shift_date"),
            magnitude=magnitude,
            sections=DEFAULT_SECTIONS
            if sections is None
            else tuple(s.strip() for s in sections.split(",") if s.strip()),
        )
        params = UniverseParams(
            enterprises=enterprises, seed=seed, as_of=parse_date(as_of) or DEFAULT_AS_OF, scenario=drift, fraud=fraud
        )
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
        if drift.active:
            result["scenario"] = summary.manifest["scenario"]
        if params.hard:
            result["fraud"] = params.fraud
    emit(result, json_mode, _render)
