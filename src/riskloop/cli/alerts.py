"""``riskloop alerts list|show|ack|act|close``: post-loan alerts from the terminal, as an authenticated officer.

Every command acts as the principal of an API key (``RISKLOOP_API_KEY`` or ``--api-key``; ``riskloop keys create
--role post_loan_officer`` makes one): officers work alerts, auditors list and show them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit
from riskloop.config import Settings
from riskloop.domain.access import Principal
from riskloop.domain.alert import AlertFilter
from riskloop.domain.alert_lifecycle import ACTIONS
from riskloop.service.alerts import AlertDesk

alerts_app = typer.Typer(no_args_is_help=True, help="Post-loan alerts: list, show, ack, act, close.")
app.add_typer(alerts_app, name="alerts")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", envvar="RISKLOOP_API_KEY", show_envvar=True, help="Your API key's secret"),
]
IdArg = Annotated[str, typer.Argument(help="The alert id (riskloop alerts list)")]
CommentOpt = Annotated[str, typer.Option(help="Why (required, kept in the audit trail)")]


@contextmanager
def _desk(settings: Settings, secret: str | None) -> Iterator[tuple[AlertDesk, Principal]]:
    from riskloop.errors import UnauthenticatedError
    from riskloop.workspace import Workspace

    if not secret:
        raise UnauthenticatedError("api_key: set RISKLOOP_API_KEY (riskloop keys create --role post_loan_officer)")
    with Workspace.open(settings, create=False) as ws:
        yield ws.alerts(), ws.authenticator().authenticate(secret)


def _render_list(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{result['total']} alerts (from {result['offset'] + 1})")
    for column in ("alert", "level", "status", "credit code", "loan", "signal", "period", "origin", "officer"):
        grid.add_column(column, no_wrap=column == "alert")
    for a in result["alerts"]:
        grid.add_row(a["alert_id"], f"{a['level_zh']} {a['level']}", a["status_zh"], a["credit_code"],
                     a["loan_id"] or "", a["signal"], a["period"], a["origin"], a["officer"] or "")  # fmt: skip
    console.print(grid)


def _render_alert(a: dict[str, Any]) -> None:
    console.print(f"{a['alert_id']}  {a['level_zh']} {a['level']}  {a['status_zh']} {a['status']}", highlight=False)
    console.print(f"{a['credit_code']} loan {a['loan_id'] or '-'}  {a['signal']} {a['period']} ({a['origin']})",
                  highlight=False)  # fmt: skip
    evidence = a.get("evidence")
    if evidence:
        console.print(f"policy {evidence['policy']} v{evidence['policy_version']}", highlight=False)
        for s in evidence["signals"]:
            console.print(f"  {s['name']} = {s['value']} (threshold {s['threshold']})", highlight=False)
        for hop in evidence["path"]:
            console.print(f"  {hop['from']} —{hop['edge_kind']}→ {hop['to']}", highlight=False)
    for action in a.get("actions", []):
        console.print(f"action {action['action_zh']} {action['action']} by {action['actor']}: "
                      f"{'; '.join(action['reasons'])}", highlight=False)  # fmt: skip
    for h in a.get("history", []):
        console.print(f"  {h['at'][:19]} {h['actor']} {h['action']}", highlight=False)


@alerts_app.command("list")
def list_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    level: Annotated[str | None, typer.Option(help="warning (预警), attention (关注) or notice (提示)")] = None,
    industry: Annotated[str | None, typer.Option(help="GB/T 4754 section letter")] = None,
    officer: Annotated[str | None, typer.Option(help="Assigned officer")] = None,
    status: Annotated[str | None, typer.Option(help="open, acknowledged, actioned or closed")] = None,
    origin: Annotated[str | None, typer.Option(help="direct, propagated or model")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1-200)")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many")] = 0,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Alerts matching every filter given, newest first."""
    settings: Settings = ctx.obj
    where = AlertFilter(level=level, industry_section=industry, officer=officer, status=status, origin=origin)
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        result = desk.list(principal, where, limit=limit, offset=offset).to_dict()
    emit(result, json_mode, _render_list)


@alerts_app.command("show")
def show_command(ctx: typer.Context, alert_id: IdArg, api_key: KeyOpt = None, json_mode: JsonOpt = False) -> None:
    """One alert with its evidence, the actions on its loan and its history."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        result = desk.get(principal, alert_id).to_dict()
    emit(result, json_mode, _render_alert)


@alerts_app.command("ack")
def ack_command(
    ctx: typer.Context, alert_id: IdArg, comment: CommentOpt, api_key: KeyOpt = None, json_mode: JsonOpt = False
) -> None:
    """Acknowledge an open alert (an unassigned one becomes yours)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        result = desk.acknowledge(principal, alert_id, comment).to_dict()
    emit(result, json_mode, _render_alert)


@alerts_app.command("act")
def act_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    alert_id: IdArg,
    action: Annotated[str, typer.Option(help="One of: " + ", ".join(ACTIONS))],
    reason: Annotated[str, typer.Option(help="Why (recorded with the action)")],
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Act on the alert's loan: the action is recorded with its reason."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        alert, taken = desk.act(principal, alert_id, action, reason)
    emit({"alert": alert.to_dict(), "action": taken.to_dict()}, json_mode,
         lambda r: _render_alert({**r["alert"], "actions": [r["action"]]}))  # fmt: skip


@alerts_app.command("close")
def close_command(
    ctx: typer.Context, alert_id: IdArg, comment: CommentOpt, api_key: KeyOpt = None, json_mode: JsonOpt = False
) -> None:
    """Close an alert (from open, acknowledged or actioned)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        result = desk.close(principal, alert_id, comment).to_dict()
    emit(result, json_mode, _render_alert)
