"""``riskloop models list|approve|activate``: the model lifecycle with four eyes, from the terminal.

A trained model is registered as a *candidate* (``registered``); serving scores only with the *active* one.
``approve`` and ``activate`` act as the principal of an API key (``RISKLOOP_API_KEY``) holding the approver
role, never the model's trainer; activating a retired model is a rollback. Every step is audited, and a running
``riskloop serve`` follows an activation within seconds, without a restart.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit
from riskloop.config import Settings
from riskloop.errors import UnauthenticatedError

models_app = typer.Typer(no_args_is_help=True, help="Models: list, approve and activate (four eyes).")
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
