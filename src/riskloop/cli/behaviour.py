"""``riskloop behaviour train|approve|activate|calibrate``: the post-loan behaviour score (行为评分).

``train`` fits it on the workspace's month-end snapshots with outcomes observed up to ``--to`` and registers it
(author: the operator). ``approve`` and ``activate`` act as the principal of an API key (``RISKLOOP_API_KEY``),
never the model's author; monitoring scores with the active model only. ``calibrate`` proposes the cut-offs
of the behaviour rules per level from a training period and authors them as a draft version of the warning
policy (an analyst's key), to be submitted, approved and activated with four eyes like any strategy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings
from riskloop.errors import UnauthenticatedError, ValidationError

behaviour_app = typer.Typer(
    no_args_is_help=True, help="Post-loan behaviour score: train, approve, activate, calibrate."
)
app.add_typer(behaviour_app, name="behaviour")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", envvar="RISKLOOP_API_KEY", show_envvar=True, help="Your API key's secret"),
]
ToOpt = Annotated[str, typer.Option("--to", help="Outcomes observed on this day (YYYY-MM-DD)")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First snapshot month (default: first disbursement)")]
HorizonOpt = Annotated[int, typer.Option(help="Bad within this many months of a snapshot")]


def _bars(json_mode: bool) -> Any:
    columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return progress_bars(*columns, json_mode=json_mode)


@behaviour_app.command("train")
def train_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    to: ToOpt,
    start: FromOpt = None,
    horizon: HorizonOpt = 6,
    bad_dpd: Annotated[int, typer.Option("--bad-dpd", help="Days past due that make a loan bad")] = 90,
    name: Annotated[str, typer.Option(help="Model name in the registry")] = "behaviour",
    seed: Annotated[int, typer.Option(help="Seed of folds and boosting")] = 0,
    json_mode: JsonOpt = False,
) -> None:
    """Train the behaviour score on month-end snapshots (observed labels) and register it."""
    from riskloop.cli.keys import operator
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        end, lo = parse_date(to, "--to"), parse_date(start, "--from")
        assert end is not None
        with Workspace.open(settings, create=False) as ws:
            ws.require_ingested("loans", "repayment_schedules", "repayments")
            from riskloop.service.behaviour import BehaviourTraining, train_behaviour

            options = BehaviourTraining(end, lo, horizon, bad_dpd, name, seed=seed, author=operator())
            with _bars(json_mode) as bar:
                task = bar.add_task("snapshots", total=1)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=max(total, 1))

                result = train_behaviour(ws.model_home(), ws.monitor_runner(), options, progress)
    emit(result, json_mode, _render_trained)


def _render_trained(r: dict[str, Any]) -> None:
    w = r["window"]
    console.print(
        f"[bold]{r['model_id']}[/]: {r['rows']:,} loan-months ({w['snapshots_from']} to {w['snapshots_to']}), "
        f"bad rate {r['bad_rate']:.2%} (90+ dpd within {w['horizon_months']} months, observed on {w['observed_on']}); "
        f"cross-validated AUC {r['cv_auc']:.4f}, {r['rounds']} rounds"
    )
    console.print(f"bundle {r['bundle']}; approve and activate it by another person: riskloop behaviour approve ...")


@behaviour_app.command("approve")
def approve_command(
    ctx: typer.Context,
    model_id: Annotated[str, typer.Argument(help="The registered model, e.g. behaviour-v1")],
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Approve a registered behaviour model (never by its author)."""
    _lifecycle(ctx, model_id, api_key, json_mode, activate=False)


@behaviour_app.command("activate")
def activate_command(
    ctx: typer.Context,
    model_id: Annotated[str, typer.Argument(help="The approved model, e.g. behaviour-v1")],
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Make an approved behaviour model the one monitoring scores with (never by its author)."""
    _lifecycle(ctx, model_id, api_key, json_mode, activate=True)


def _lifecycle(ctx: typer.Context, model_id: str, api_key: str | None, json_mode: bool, *, activate: bool) -> None:
    from riskloop.cli.models import lifecycle_step
    from riskloop.scoring.behaviour import KIND
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        if ws.model_registry().get(model_id).kind != KIND:
            raise ValidationError("model_id", f"{model_id} is not a behaviour model")
        result = lifecycle_step(ws, model_id, api_key, activate=activate)
    emit(result, json_mode, lambda r: console.print(f"{r['model_id']}: {r['status']} by {r['by']}"))


@behaviour_app.command("calibrate")
def calibrate_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    to: ToOpt,
    start: FromOpt = None,
    horizon: HorizonOpt = 6,
    model: Annotated[str | None, typer.Option(help="Behaviour model id (default: the active one)")] = None,
    budget: Annotated[
        list[str] | None, typer.Option(help="LEVEL=N false alarms per 1,000 good loan-months (repeatable)")
    ] = None,
    policy: Annotated[str, typer.Option(help="Warning policy to author the draft of")] = "warning-reference",
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Propose the behaviour rules' cut-offs from a training period; author them as a draft policy version."""
    from riskloop.monitoring.calibration import DEFAULT_BUDGETS
    from riskloop.monitoring.policy import POLICY_V2
    from riskloop.rules.engine import strategy_key
    from riskloop.rules.loaders import PackageStrategyLoader
    from riskloop.rules.zen import ZenRuleEngine
    from riskloop.scoring.behaviour import BehaviourModel
    from riskloop.service.behaviour import BehaviourTraining, labelled_snapshots
    from riskloop.service.behaviour_policy import calibrate
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        end, lo = parse_date(to, "--to"), parse_date(start, "--from")
        assert end is not None
        budgets = _budgets(budget or [], DEFAULT_BUDGETS)
        with Workspace.open(settings, create=False) as ws:
            if not api_key:
                raise UnauthenticatedError("api_key: set RISKLOOP_API_KEY (riskloop keys create --role analyst)")
            analyst = ws.authenticator().authenticate(api_key)
            if model is None:
                scorer = ws.behaviour_model()
                if scorer is None:
                    raise ValidationError("--model", "no active behaviour model: name one (riskloop behaviour train)")
            else:
                found = ws.model_registry().get(model)
                scorer = BehaviourModel.load(Path(found.path), found.manifest_sha256)
            with _bars(json_mode) as bar:
                task = bar.add_task("snapshots", total=1)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=max(total, 1))

                rows = labelled_snapshots(ws.monitor_runner(), BehaviourTraining(end, lo, horizon), progress)
                engine = ZenRuleEngine(PackageStrategyLoader())
                found_cal = calibrate(rows, scorer, engine, strategy_key("warning-reference", POLICY_V2), budgets)
            note = (
                f"behaviour cut-offs {found_cal.cutoffs} proposed from snapshots observed on {end} ({scorer.version})"
            )
            draft = ws.strategies().create(analyst, policy, found_cal.content, note=note[:500])
        result = {**found_cal.to_dict(), "policy": policy, "version": draft.version, "status": draft.status}
    emit(result, json_mode, _render_calibration)


def _budgets(values: list[str], defaults: dict[str, float]) -> dict[str, float]:
    out = dict(defaults)
    for value in values:
        level, _, number = value.partition("=")
        try:
            out[level.strip()] = float(number)
        except ValueError:
            raise ValidationError("--budget", f"{value!r}: give LEVEL=N, e.g. warning=15") from None
        if level.strip() not in defaults:
            raise ValidationError("--budget", f"unknown level {level!r}; valid: {', '.join(defaults)}")
    return out


def _render_calibration(r: dict[str, Any]) -> None:
    for level, cut in r["cutoffs"].items():
        f = r["training"][level]
        before, after = f["false_alarms_per_1000_without_score"], f["false_alarms_per_1000"]
        caught = f"{f['bad_caught_without_score']:.1%} -> {f['bad_caught']:.1%}"
        console.print(
            f"{level}: behaviour_pd >= {cut} "
            f"(training: false alarms per 1,000 {before} -> {after}, bad caught {caught})",
            highlight=False,
        )
    console.print(f"draft {r['policy']} v{r['version']} ({r['status']}): submit it, have another person approve it")
