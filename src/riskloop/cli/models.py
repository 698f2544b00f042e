"""``riskloop models list|approve|activate|shadow|score``: the model lifecycle with four eyes, from the terminal.

A trained model is registered as a *candidate* (``registered``); serving scores only with the *active* one.
``approve`` and ``activate`` act as the principal of an API key (``RISKLOOP_API_KEY``) holding the approver
role, never the model's trainer; activating a retired model is a rollback. Every step is audited, and a running
``riskloop serve`` follows an activation within seconds, without a restart. ``shadow`` reports how a model run
with ``serve --shadow-model`` decided against the champion (reads only). ``score`` scores a raw table with a
model trained on a table, replaying the preparation stored in its bundle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date
from riskloop.config import Settings
from riskloop.errors import UnauthenticatedError, ValidationError

models_app = typer.Typer(
    no_args_is_help=True, help="Models: list, approve and activate (four eyes); shadow against the champion."
)
app.add_typer(models_app, name="models")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", envvar="RISKLOOP_API_KEY", show_envvar=True, help="Your API key's secret"),
]
ModelArg = Annotated[str, typer.Argument(help="The registered model, e.g. sme-v2")]


@models_app.command("list")
def list_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Option(help="Only models of this name")] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Registered models with their status, trainer and approver."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        models = [m.lifecycle() for m in ws.model_registry().list(name)]
    emit({"models": models}, json_mode, _render_list)


def _render_list(result: dict[str, Any]) -> None:
    if not result["models"]:
        console.print("no model registered (run: riskloop train)")
    for m in result["models"]:
        by = f", approved by {m['approved_by']}" if m["approved_by"] else ""
        console.print(f"{m['model_id']:<20} {m['status']:<10} {m['kind']:<16} trained by {m['registered_by']}{by}")


@models_app.command("approve")
def approve_command(ctx: typer.Context, model_id: ModelArg, api_key: KeyOpt = None, json_mode: JsonOpt = False) -> None:
    """Approve a registered model for activation (an approver other than its trainer)."""
    _step(ctx, model_id, api_key, json_mode, activate=False)


@models_app.command("activate")
def activate_command(
    ctx: typer.Context, model_id: ModelArg, api_key: KeyOpt = None, json_mode: JsonOpt = False
) -> None:
    """Make an approved (or retired: a rollback) model the active one of its name; serving follows it."""
    _step(ctx, model_id, api_key, json_mode, activate=True)


def lifecycle_step(ws: Any, model_id: str, secret: str | None, *, activate: bool) -> dict[str, Any]:
    """Approve or activate ``model_id`` as the approver whose API key ``secret`` is (four eyes, audited)."""
    from riskloop.domain.access import APPROVER, require_role

    if not secret:
        raise UnauthenticatedError("api_key: set RISKLOOP_API_KEY (riskloop keys create --role approver)")
    who = require_role(ws.authenticator().authenticate(secret), (APPROVER,), "approve and activate models").name
    lifecycle = ws.model_lifecycle()
    model = lifecycle.activate(model_id, who) if activate else lifecycle.approve(model_id, who)
    return {"model_id": model.model_id, "status": model.status, "by": who}


def _step(ctx: typer.Context, model_id: str, api_key: str | None, json_mode: bool, *, activate: bool) -> None:
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        result = lifecycle_step(ws, model_id, api_key, activate=activate)
    emit(result, json_mode, lambda r: console.print(f"{r['model_id']}: {r['status']} by {r['by']}"))


@models_app.command("score")
def score_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    model_id: ModelArg,
    csv: Annotated[Path, typer.Option("--csv", help="The table to score (CSV or Parquet), raw as it comes")],
    out: Annotated[Path, typer.Option("--out", help="Where the scores go (CSV: row, pd, points, reasons)")],
    top: Annotated[int, typer.Option(help="Reason codes per row")] = 3,
    json_mode: JsonOpt = False,
) -> None:
    """Score a raw table with a model trained by `train --csv`: its own preparation replayed, then PD and reasons."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        if not csv.is_file():
            raise ValidationError("--csv", f"{csv}: no such file")
        with Workspace.open(settings, create=False, migrate=False) as ws:
            from riskloop.service.score_table import score_table  # the training stack, only once it is needed

            result = score_table(ws.model_registry(), model_id, csv, out, top)
    emit(result, json_mode, _render_scored)


def _render_scored(r: dict[str, Any]) -> None:
    console.print(f"{r['model_id']}: {r['rows']:,} rows scored, mean PD {r['mean_pd'] or 0:.4f} -> {r['out']}")
    for label, counts in (("unreadable values (read as missing)", r["unparseable"]), ("unseen levels", r["unseen"])):
        if counts:
            console.print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@models_app.command("shadow")
def shadow_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    model_id: ModelArg,
    since: Annotated[str | None, typer.Option(help="Decisions from this day (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="Decisions before this day (YYYY-MM-DD)")] = None,
    horizon: Annotated[int, typer.Option(help="Bad within 3, 6 or 12 months on book")] = 6,
    json_mode: JsonOpt = False,
) -> None:
    """A model's shadow decisions (serve --shadow-model) against the champion's: agreement, swap sets, AUC."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        start, end = parse_date(since, "--since"), parse_date(until, "--until")
        with Workspace.open(settings, create=False, migrate=False) as ws:
            result = ws.shadow_report().run(model_id, start, end, horizon)
    emit(result, json_mode, _render_shadow)


def _render_shadow(r: dict[str, Any]) -> None:
    model = r["model"]
    console.print(f"{model['model_id']} ({model['status']}, {model['version']}) in shadow against the champion")
    if not r["pairs"]:
        console.print("no shadow decisions of this model (run: riskloop serve --shadow-model MODEL_ID)")
        return
    agreement = r["agreement"]
    console.print(f"pairs {r['pairs']:,}  same tier {agreement['same_tier']:,} ({agreement['rate']:.1%})")
    for side in ("swap_in", "swap_out"):
        swap = r[side]
        bad = "unknown" if swap["bad_rate"] is None else f"{swap['bad_rate']:.1%}"
        console.print(f"{side:<9} {swap['count']:,}  bad rate {bad}")
    pd_ = r["pd"]
    if pd_["champion_mean"] is not None and pd_["shadow_mean"] is not None:
        corr = "n/a" if pd_["correlation"] is None else f"{pd_['correlation']:.3f}"
        means = f"champion {pd_['champion_mean']:.4f}  shadow {pd_['shadow_mean']:.4f}"
        console.print(f"mean PD {means}  correlation {corr}")
    out = r["outcomes"]
    if out["champion_auc"] is not None and out["shadow_auc"] is not None:
        console.print(
            f"AUC on {out['scored_pairs']:,} matured pairs ({out['bad']:,} bad): champion {out['champion_auc']:.3f}"
            f"  shadow {out['shadow_auc']:.3f}"
        )
