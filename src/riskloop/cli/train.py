"""``riskloop train``: fit the scorecard + GBDT ensemble on the workspace or on a CSV/Parquet table."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.errors import ValidationError
from riskloop.service.ports import Progress as ProgressPort
from riskloop.service.ports import no_progress

TABLE_BUDGET_MINUTES = 10.0  # service.train_budget's, repeated so that --help does not import the training stack


@app.command()
def train(
    ctx: typer.Context,
    *,
    csv: Annotated[Path | None, typer.Option("--csv", help="Train on this CSV table instead of the workspace")] = None,
    parquet: Annotated[Path | None, typer.Option("--parquet", help="Train on this Parquet table")] = None,
    target: Annotated[str | None, typer.Option(help="0/1 target column of the table (1 = bad)")] = None,
    drop: Annotated[
        list[str] | None, typer.Option("--drop", help="Column to leave out (repeatable), e.g. an ID")
    ] = None,
    reject_categorical: Annotated[
        bool, typer.Option("--reject-categorical", help="Fail on text columns instead of one-hot encoding them")
    ] = False,
    name: Annotated[str | None, typer.Option(help="Model name (default: riskloop, or the table's file name)")] = None,
    folds: Annotated[int, typer.Option(help="Cross-validation folds")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of folds, splits and models")] = 0,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Workspace: outcomes observed on, YYYY-MM-DD")] = None,
    truth: Annotated[Path | None, typer.Option(help="Workspace: a synthetic universe's truth/ directory")] = None,
    graph: Annotated[
        bool, typer.Option(help="Workspace: add the graph source (batch only: the decision path refers such a model)")
    ] = False,
    reject_inference: Annotated[
        str,
        typer.Option(
            "--reject-inference",
            help="Workspace: none | fuzzy | parcel — add applications that never became a loan, labelled by "
            "the known-outcome model (docs/closed-loop.md)",
        ),
    ] = "none",
    label_months: Annotated[
        int | None,
        typer.Option(
            help="Workspace: bad by this many months on book, matured loans only (default: 90+ days past "
            "due on --as-of)"
        ),
    ] = None,
    budget_minutes: Annotated[
        float | None,
        typer.Option(
            "--budget-minutes",
            help="Wall-time budget: searches the tree sub-models' settings within it (nested CV). "
            f"Default: {TABLE_BUDGET_MINUTES:g} for a table, none for the workspace; 0: no search",
        ),
    ] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Train, validate and register a model; write its bundle and an HTML + JSON validation report."""
    from riskloop.cli.keys import operator
    from riskloop.service.prerequisites import TRAIN_TABLES
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        table = _table_path(csv, parquet, target)
        _check_reject_inference(reject_inference, table)
        budget = _budget(budget_minutes, table)
        if label_months is not None and table is not None:
            raise ValidationError("--label-months", "only applies to the workspace (a table brings its own target)")
        with ExitStack() as stack:
            # A table brings its own data (the workspace is created for the model); the workspace must hold some.
            ws = stack.enter_context(Workspace.open(settings, create=table is not None))
            if table is None:
                ws.require_ingested(*TRAIN_TABLES)
            # The training stack takes seconds to import: only once there is something to train on.
            from riskloop.service.train import TableTraining, WorkspaceTraining, train_table, train_workspace

            report = stack.enter_context(_Bars(json_mode))
            home = ws.model_home()
            if table is not None and target is not None:
                options = TableTraining(
                    table,
                    target,
                    name=name,
                    drop=tuple(drop or ()),
                    folds=folds,
                    seed=seed,
                    categorical="reject" if reject_categorical else "onehot",
                    author=operator(),
                    budget_minutes=budget,
                )
                result = train_table(home, options, report)
            else:
                workspace = WorkspaceTraining(
                    name=name or "riskloop",
                    as_of=parse_date(as_of, "--as-of"),
                    folds=folds,
                    seed=seed,
                    truth=truth,
                    graph=graph,
                    author=operator(),
                    reject_inference=reject_inference,
                    label_months=label_months,
                    budget_minutes=budget,
                )
                result = train_workspace(home, workspace, report)
    emit(result, json_mode, _render_table if table is not None else _render_workspace)


def _budget(minutes: float | None, table: Path | None) -> float | None:
    """The run's budget in minutes, or None for no search (``--budget-minutes 0``)."""
    if minutes is None:
        return TABLE_BUDGET_MINUTES if table is not None else None
    if minutes < 0:
        raise ValidationError("--budget-minutes", f"{minutes:g}: must be 0 (no search) or a positive number")
    return minutes or None


def _check_reject_inference(method: str, table: Path | None) -> None:
    from riskloop.modeling.reject_inference import METHODS  # numpy only: not the training stack

    if method not in METHODS:
        raise ValidationError("--reject-inference", f"{method!r}: use one of {', '.join(METHODS)}")
    if method != "none" and table is not None:
        raise ValidationError("--reject-inference", "only applies to the workspace (a table has no rejects)")


def _table_path(csv: Path | None, parquet: Path | None, target: str | None) -> Path | None:
    if csv is not None and parquet is not None:
        raise ValidationError("--csv", "give --csv or --parquet, not both")
    table = csv or parquet
    if table is not None and not target:
        raise ValidationError("--target", f"name the 0/1 target column of {table}")
    if table is None and target:
        raise ValidationError("--target", "only applies with --csv or --parquet")
    if table is not None and not table.is_file():
        raise ValidationError("--csv" if csv is not None else "--parquet", f"{table}: no such file")
    return table


class _Bars:
    """Rich progress bars on stderr, or nothing in JSON mode; yields a ``Progress`` callable."""

    def __init__(self, quiet: bool) -> None:
        columns = (TextColumn("{task.description:<15}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self.bar = None if quiet else progress_bars(*columns, json_mode=False)

    def __enter__(self) -> ProgressPort:
        if self.bar is None:
            return no_progress
        bar = self.bar
        bar.__enter__()
        task = bar.add_task("train", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        return update

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _render_table(result: dict[str, Any]) -> None:
    console.print(
        f"[bold]{result['name']}[/] v{result['version']}: {result['rows']:,} rows, bad rate {result['bad_rate']:.2%}, "
        f"{result['features']} features, {result['folds']}-fold CV"
    )
    grid = RichTable(show_edge=False)
    for column in ("model", "CV AUC", "CV KS", "Gini"):
        grid.add_column(column, justify="left" if column == "model" else "right")
    grid.add_row("fused", f"{result['cv_auc']:.4f} ± {result['cv_auc_sd']:.4f}", f"{result['cv_ks']:.4f}", "")
    for model, figures in result["cv_sub_models"].items():
        grid.add_row(model, f"{figures['auc']:.4f}", f"{figures['ks']:.4f}", f"{figures['gini']:.4f}")
    console.print(grid)
    _render_tuning(result)
    _render_paths(result)


def _render_tuning(result: dict[str, Any]) -> None:
    types = ", ".join(f"{k} {v}" for k, v in result.get("types", {}).items())
    if types:
        console.print(f"columns: {types}; learners: {', '.join(result.get('learners', []))}")
    for model, tuned in result.get("tuning", {}).items():
        chosen = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in tuned["chosen"].items())
        stop = " (stopped by the budget)" if tuned["stopped_by_budget"] else ""
        console.print(f"{model}: {tuned['trials']} trials{stop}, best inner AUC {tuned['best_auc']:.4f}; {chosen}")
    search = result.get("search", {})
    if search.get("searched") is False:
        console.print(f"settings not searched: {search['why']}")
    if "seconds" in result:
        budget = result.get("budget_minutes")
        console.print(f"wall time {result['seconds']:.0f} s" + (f" (budget {budget:g} min)" if budget else ""))
    over = (result.get("budget") or {}).get("over_budget_seconds", 0.0)
    if over > 0:
        console.print(
            f"[yellow]over the budget by {over:.0f} s: the fits the search cannot skip took longer than it[/]"
        )


def _render_workspace(result: dict[str, Any]) -> None:
    meta = result["meta"]
    console.print(
        f"[bold]{meta['name']}[/] v{result['version']}: outcomes observed on {meta['observed_on']}, "
        f"out-of-time from {meta['oot_from']}; rows {meta['rows']}"
    )
    grid = RichTable(show_edge=False)
    for column in ("split", "fused AUC", "KS", "Gini", "best sub-model", "its AUC", "AUC gain", "score PSI"):
        grid.add_column(column, justify="left" if column in ("split", "best sub-model") else "right")
    for split, row in result["summary"].items():
        psi = result["psi"]["score"].get(split)
        grid.add_row(
            split,
            _f(row["fused_auc"]),
            _f(row["fused_ks"]),
            _f(row["fused_gini"]),
            str(row.get("best_sub_model")),
            _f(row.get("best_auc")),
            _f(row.get("auc_gain"), "+.4f"),
            "" if psi is None else f"{psi:.4f}",
        )
    console.print(grid)
    truth = result.get("truth")
    if truth:
        low, high = truth["fused"]["auc_ci95"]
        g_low, g_high = truth["auc_gain_ci95"]
        console.print(
            f"vs ground truth ({truth['applications']:,} held-out applications): AUC {truth['fused']['auc']:.4f} "
            f"(95% CI {low:.4f}-{high:.4f}); gain over {truth['best_sub_model']} {truth['auc_gain']:+.4f} "
            f"({g_low:+.4f} to {g_high:+.4f})"
        )
    _render_paths(result)


def _render_paths(result: dict[str, Any]) -> None:
    console.print(f"model {result['model_id']} at {result['bundle']}")
    console.print(f"report {result['report_html']} (JSON: {result['report_json']})")
    console.print(
        f"a candidate until another person approves and activates it: riskloop models approve {result['model_id']}, "
        f"then riskloop models activate {result['model_id']} (an approver's RISKLOOP_API_KEY)",
        highlight=False,
    )


def _f(value: Any, spec: str = ".4f") -> str:
    return "—" if value is None else format(value, spec)
