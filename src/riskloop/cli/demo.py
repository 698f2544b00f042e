"""``riskloop demo``: the whole loop on a small synthetic universe, with a readable summary."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, err_console, parse_date
from riskloop.config import Settings
from riskloop.domain.clock import SystemClock
from riskloop.synth.params import DEFAULT_AS_OF

BAR_WIDTH = 40


@app.command()
def demo(
    ctx: typer.Context,
    *,
    enterprises: Annotated[int, typer.Option(help="Enterprises in the synthetic universe")] = 30_000,
    seed: Annotated[int, typer.Option(help="Seed of the universe and the model")] = 7,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The universe's today, YYYY-MM-DD")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Generate, ingest, compute features, train a baseline model, decide a batch and summarise it."""
    from riskloop.jobs.demo import DemoOptions, run_demo
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        options = DemoOptions(enterprises=enterprises, seed=seed, as_of=parse_date(as_of) or DEFAULT_AS_OF)
        ws = Workspace.open(settings, clock=SystemClock())
        if json_mode:
            with ws:
                result = run_demo(ws, options)
        else:
            columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with ws, Progress(*columns, console=err_console) as bar:
                tasks: dict[str, Any] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    key = stage if stage in ("generate", "ingest") else "model"  # model stages share one bar
                    if key not in tasks:
                        tasks[key] = bar.add_task(stage, total=total or None)
                    bar.update(tasks[key], description=stage, completed=done, total=total or None)

                result = run_demo(ws, options, progress)
    emit(result, json_mode, _render)


def _render(result: dict[str, Any]) -> None:
    d = result["decision"]
    ing = result["ingest"]
    console.print(
        f"universe [bold]{result['universe']}[/]: {result['enterprises']:,} enterprises, "
        f"{result['rows_generated']:,} rows; ingested {ing['loaded']:,} rows, quarantined {ing['quarantined']:,}"
    )
    tiers = RichTable(
        title=f"{d['decided']:,} applications decided (last {result['decide_window_days']} days)", show_edge=False
    )
    for name, justify in (("tier", "left"), ("count", "right"), ("share", "right"), ("", "left")):
        tiers.add_column(name, justify=justify)  # type: ignore[arg-type]
    for tier, count in d["tiers"].items():
        share = count / d["decided"] if d["decided"] else 0.0
        tiers.add_row(tier.replace("_", " "), f"{count:,}", f"{share:6.1%}", "█" * round(share * BAR_WIDTH))
    console.print(tiers)
    low, high = d["auc_ci95"]
    bad_approved = "n/a" if d["bad_rate_approved"] is None else f"{d['bad_rate_approved']:.2%}"
    console.print(
        Panel.fit(
            f"approval rate          {d['approval_rate']:.1%}\n"
            f"straight-through rate  {d['straight_through_rate']:.1%}\n"
            f"AUC vs ground truth    {d['auc_vs_truth']:.3f}  (95% CI {low:.3f}-{high:.3f})\n"
            f"KS vs ground truth     {d['ks_vs_truth']:.3f}\n"
            f"bad rate: all          {d['bad_rate_all']:.2%}   approved {bad_approved}\n"
            f"fraud-ring applications approved  {d['fraud_approved']}",
            title="decisions of the fused model vs ground truth",
        )
    )
    models = RichTable(
        title=f"models trained on {d['train_loans']:,} matured loans (observed bad rate {d['train_bad_rate']:.2%})",
        show_edge=False,
    )
    models.add_column("model", no_wrap=True)
    for name in ("AUC vs truth", "95% CI"):
        models.add_column(name, justify="right")
    models.add_column("")
    for name, fig in d["models_vs_truth"].items():
        bar = "█" * max(0, round((fig["auc"] - 0.5) * 2 * BAR_WIDTH))
        models.add_row(name, f"{fig['auc']:.3f}", f"{fig['ci95'][0]:.3f}-{fig['ci95'][1]:.3f}", bar)
    console.print(models)
    if d["top_decline_reasons"]:
        reasons = RichTable(title="most frequent reasons on referrals and declines", show_edge=False)
        for name, justify in (("code", "left"), ("reason", "left"), ("applications", "right")):
            reasons.add_column(name, justify=justify)  # type: ignore[arg-type]
        for r in d["top_decline_reasons"]:
            reasons.add_row(r["code"], r["text"], f"{r['count']:,}")
        console.print(reasons)
    console.print(f"model bundles (plain files, sha256): {d['models']}")
    console.print("seconds: " + ", ".join(f"{k} {v}" for k, v in result["seconds"].items()))
