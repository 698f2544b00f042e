"""``riskloop monitor``: post-loan signals, the warning policy and direct alerts, as of a day or over a range."""

from __future__ import annotations

import time
from pathlib import Path
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


monitor_app = typer.Typer(
    help="Post-loan monitoring (riskloop monitor --as-of D | --from D --to D) and model monitoring (monitor models).",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(monitor_app, name="monitor")


@monitor_app.callback()
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

    if ctx.invoked_subcommand is not None:  # ``monitor models ...``: its own options
        return
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


def _render_models(report: dict[str, Any]) -> None:
    stab, perf, mix = report["stability"], report["performance"], report["decision_mix"]
    psi = stab["score"]["psi"] if stab.get("score") else None
    console.print(
        f"{report['model']} as of {report['as_of']} ({report['policy']}): {stab['decisions']:,} decisions in "
        f"{report['window']['days']} days, score PSI {_num(psi)}; matured at {report['horizon_months']} months: "
        f"{perf['recent']['rows']:,} loans, AUC {_num(perf['recent']['auc'])} (baseline "
        f"{_num(perf['baseline'].get('auc'))}), observed {_num(perf['recent']['observed'])} vs predicted "
        f"{_num(perf['recent']['predicted'])}; approval {_num(mix['overall']['approval_rate'])}, straight-through "
        f"{_num(mix['overall']['straight_through_rate'])}",
        highlight=False,
    )
    for hit in report["alerts"]["crossed"]:
        console.print(f"  {hit['level']}: {hit['metric']} {_num(hit['value'])} (rule {hit['rule']}, "
                      f"threshold {hit['threshold']})", highlight=False)  # fmt: skip
    if "report" in report:
        console.print(f"report: {report['report']}", highlight=False)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


@monitor_app.command("models")
def monitor_models_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Monitor as of this day (YYYY-MM-DD)")] = None,
    window_days: Annotated[int, typer.Option("--window-days", help="Recent decisions: this many days")] = 30,
    horizon: Annotated[int, typer.Option("--horizon", help="Bad by 3, 6 or 12 months on book")] = 6,
    vintages: Annotated[int, typer.Option("--vintages", help="Latest matured vintages compared")] = 3,
    report: Annotated[Path | None, typer.Option("--report", help="Write the HTML report with charts here")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Grade the thresholds, raise no alert")] = False,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Drift, decay and decision mix of the active model; crossed thresholds raise alerts.

    Score and input PSI, AUC, KS and calibration on matured vintages, approval and straight-through by tier and
    strategy version; the active model-monitoring policy grades them.
    """
    from riskloop.monitoring.model_report import render_model_report
    from riskloop.service.model_monitoring import Options
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day = parse_date(as_of, "--as-of")
        if day is None:
            raise ValidationError("--as-of", "give --as-of DATE")
        options = Options(window_days, horizon, vintages, raise_alerts=not dry_run)
        try:
            options.check()
        except ValidationError as exc:
            raise ValidationError(f"--{exc.field.replace('_', '-').replace('recent-', '')}", exc.problem) from None
        with Workspace.open(settings, create=False) as ws:
            result = ws.model_monitor().run(day, options)
        if report is not None:
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(render_model_report(result), encoding="utf-8")
            result["report"] = str(report)
    emit(result, json_mode, _render_models)
