"""``riskloop effect``: the funnel, vintage curves and expected against realised loss of decisions as of a day."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date
from riskloop.config import Settings
from riskloop.errors import ValidationError

STAGES = ("applied", "decided", "approved", "drawn", "repaid", "defaulted")


@app.command("effect")
def effect_command(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this day (YYYY-MM-DD)")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the HTML report (charts) here")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Effect of decisions: funnel by channel, tier, strategy and model; vintage curves; expected vs realised loss."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        day = parse_date(as_of, "--as-of")
        if day is None:
            raise ValidationError("--as-of", "give the day of the report (YYYY-MM-DD)")
        if report is not None and report.is_dir():
            raise ValidationError("--report", f"{report} is a directory; give a file name")
        with Workspace.open(settings, create=False) as ws:
            try:
                result = ws.effect().report(day)
            except ValidationError as exc:
                if exc.field != "as_of":
                    raise
                raise ValidationError("--as-of", exc.problem) from None
        if report is not None:
            from riskloop.monitoring.effect_report import render_effect

            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(render_effect(result), encoding="utf-8")
            result["report"] = str(report)
    emit(result, json_mode, _render)


def _render(result: dict[str, Any]) -> None:
    console.print(
        f"effect as of {result['as_of']} (outcomes updated to {result['outcomes_updated_to']}): "
        f"{result['loans']:,} loans drawn, {result['loans_without_decision']:,} without a stored decision",
        highlight=False,
    )
    if result["note"]:
        console.print(result["note"], highlight=False)
    overall = result["funnel"]["overall"]
    table = Table(title="funnel 漏斗", title_justify="left")
    table.add_column("group")
    for stage in STAGES:
        table.add_column(stage, justify="right")
    table.add_row("all", *(f"{overall[s]:,}" for s in STAGES))
    for name in ("channel", "strategy", "model"):
        for key, g in result["funnel"][f"by_{name}"].items():
            table.add_row(f"{name} {key}", *(f"{g[s]:,}" for s in STAGES))
    console.print(table)
    loss = result["loss"]["overall"]
    if loss:
        console.print(
            f"loss over {loss['loans']:,} priced loans: expected ¥{loss['expected_loss_cents'] / 100:,.0f}, "
            f"realised ¥{loss['realised_loss_cents'] / 100:,.0f} ({loss['defaulted']:,} defaulted)",
            highlight=False,
        )
    if "report" in result:
        console.print(f"report {result['report']}", highlight=False)
