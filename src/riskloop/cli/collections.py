"""``riskloop collections cases|case|record|findings|qa-cases|qa-close``: collection work from the terminal.

Every command here acts as the principal of an API key (``RISKLOOP_API_KEY`` or ``--api-key``; ``riskloop keys
create --role collector`` makes one), as ``riskloop alerts`` does: collectors and leads work cases, leads close
QA cases, auditors read. ``--as NAME`` only confirms who the key is (a name that is not the key's is refused).

The policy's batch commands (``plan``, ``train``, ``evaluate``, ``qa``, ``qa-train``, ``approve``, ``activate``)
register on ``collections_app`` from their own modules.
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
from riskloop.domain.access import Principal, acting
from riskloop.domain.collection_work import OPEN, PLAN_STATUSES, QA_CLOSED, QA_OPEN, RESOLUTIONS
from riskloop.errors import ValidationError
from riskloop.service.collections import CollectionDesk

collections_app = typer.Typer(
    no_args_is_help=True, help="Collections: cases and their next best action, recorded outcomes, call QA."
)
app.add_typer(collections_app, name="collections")

ALL = "all"
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", envvar="RISKLOOP_API_KEY", show_envvar=True, help="Your API key's secret"),
]
AsOpt = Annotated[str | None, typer.Option("--as", help="Who you act as: must be your key's principal")]
LimitOpt = Annotated[int, typer.Option(help="At most this many (1-500)")]
CaseArg = Annotated[str, typer.Argument(help="The case id (riskloop collections cases)")]


@contextmanager
def _desk(
    settings: Settings, secret: str | None, named: str | None = None
) -> Iterator[tuple[CollectionDesk, Principal]]:
    from riskloop.errors import UnauthenticatedError
    from riskloop.workspace import Workspace

    if not secret:
        raise UnauthenticatedError("api_key: set RISKLOOP_API_KEY (riskloop keys create --role collector)")
    with Workspace.open(settings, create=False) as ws:
        principal = ws.authenticator().authenticate(secret)
        acting(principal, named, "--as")
        yield ws.collections(), principal


def _status(value: str, valid: tuple[str, ...]) -> str | None:
    """The status filter (``all``: none); anything else is a ValidationError naming ``--status``."""
    if value == ALL:
        return None
    if value not in valid:
        raise ValidationError("--status", f"one of {', '.join((*valid, ALL))}")
    return value


def _render_cases(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{len(result['cases'])} cases")
    for column in ("case", "round", "next best action", "window", "propensity", "status", "reasons"):
        grid.add_column(column, no_wrap=column == "case")
    for p in result["cases"]:
        arm = p["next_best_action"]
        grid.add_row(p["case_id"], str(p["round_no"]), arm["action"], arm["window"], f"{p['propensity']:.3g}",
                     p["status"], "; ".join(p["reasons"]))  # fmt: skip
    console.print(grid)
    if result["next_after"]:
        console.print(f"more: --after {result['next_after']}", highlight=False)


def _render_action(a: dict[str, Any]) -> None:
    plan = "followed the plan" if a["followed_plan"] else "deviated from the plan"
    console.print(f"{a['action_id']}  {a['case_id']}  {a['arm']} ({plan}, propensity {a['propensity']:.3g})",
                  highlight=False)  # fmt: skip
    console.print(f"paid {a['amount_paid_cents'] / 100:,.2f}  promise {a['promise_to_pay']}  cured {a['cured']}"
                  f"  complaint {a['complaint']}  by {a['recorded_by']}", highlight=False)  # fmt: skip


def _render_case(c: dict[str, Any]) -> None:
    plan = c["plan"]
    if plan is None:
        console.print(f"{c['case_id']}: no open plan", highlight=False)
    else:
        _render_cases({"cases": [plan], "next_after": None})
    for a in c["actions"]:
        _render_action(a)


def _render_findings(result: dict[str, Any]) -> None:
    for f in result["findings"]:
        where = "whole call" if f["turn_no"] is None else f"turn {f['turn_no']}"
        console.print(f"{f['issue_type']} ({f['dimension']}) {f['score']:.2f} {where} {f['source']}: "
                      f"{f['utterance']}", highlight=False)  # fmt: skip
    if not result["findings"]:
        console.print(f"{result['call_id']}: no findings", highlight=False)


def _render_qa(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{len(result['qa_cases'])} QA cases")
    for column in ("QA case", "call", "score", "issues", "status", "opened", "resolution"):
        grid.add_column(column, no_wrap=column == "QA case")
    for c in result["qa_cases"]:
        grid.add_row(c["qa_case_id"], c["call_id"], f"{c['max_score']:.2f}", ", ".join(c["issue_types"]),
                     c["status"], c["opened_at"][:19], c["resolution"] or "")  # fmt: skip
    console.print(grid)


@collections_app.command("cases")
def cases_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="open, acted, superseded or all")] = OPEN,
    limit: LimitOpt = 50,
    after: Annotated[str | None, typer.Option(help="The last case id of the previous page")] = None,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Cases by case id with their next best action, its reasons and propensity."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        plans = desk.cases(principal, status=_status(status, PLAN_STATUSES), limit=limit, after=after)
    full = len(plans) == limit
    result = {"cases": [p.as_dict() for p in plans], "limit": limit, "next_after": plans[-1].case_id if full else None}
    emit(result, json_mode, _render_cases)


@collections_app.command("case")
def case_command(ctx: typer.Context, case_id: CaseArg, api_key: KeyOpt = None, json_mode: JsonOpt = False) -> None:
    """One case: its open plan and the actions recorded on it."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        result = desk.case(principal, case_id)
    emit(result, json_mode, _render_case)


@collections_app.command("record")
def record_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    case_id: CaseArg,
    arm: Annotated[str | None, typer.Option(help="The arm taken, action@window (default: the plan's)")] = None,
    paid: Annotated[int, typer.Option(help="Amount paid, integer cents")] = 0,
    promise: Annotated[bool, typer.Option("--promise/--no-promise", help="The debtor promised to pay")] = False,
    cured: Annotated[bool, typer.Option("--cured/--not-cured", help="The case is cured")] = False,
    days_to_cure: Annotated[int | None, typer.Option(help="Days to cure (with --cured)")] = None,
    complaint: Annotated[bool, typer.Option("--complaint/--no-complaint", help="The debtor complained")] = False,
    agent: Annotated[str | None, typer.Option(help="The agent who made the contact")] = None,
    as_: AsOpt = None,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Record the action taken on a case's open plan and its outcome (the plan's propensity is logged with it)."""
    settings: Settings = ctx.obj
    body: dict[str, Any] = {"promise_to_pay": promise, "amount_paid_cents": paid, "cured": cured,
                            "days_to_cure": days_to_cure, "complaint": complaint, "agent_id": agent}  # fmt: skip
    if arm is not None:
        body["arm"] = arm
    with cli_errors(json_mode), _desk(settings, api_key, as_) as (desk, principal):
        result = desk.record(principal, case_id, body).as_dict()
    emit(result, json_mode, _render_action)


@collections_app.command("findings")
def findings_command(
    ctx: typer.Context,
    call_id: Annotated[str, typer.Argument(help="The call id")],
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """The findings of a call's latest check, in turn order."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        found = desk.findings(principal, call_id)
    emit({"call_id": call_id, "findings": [f.as_dict() for f in found]}, json_mode, _render_findings)


@collections_app.command("qa-cases")
def qa_cases_command(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="open, closed or all")] = QA_OPEN,
    limit: LimitOpt = 50,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """QA cases of collection calls, highest score first (collection leads and auditors)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        found = desk.qa_cases(principal, status=_status(status, (QA_OPEN, QA_CLOSED)), limit=limit)
    emit({"qa_cases": [c.as_dict() for c in found], "limit": limit}, json_mode, _render_qa)


@collections_app.command("qa-close")
def qa_close_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    qa_case_id: Annotated[str, typer.Argument(help="The QA case id (riskloop collections qa-cases)")],
    resolution: Annotated[str, typer.Option(help=" or ".join(RESOLUTIONS))],
    comment: Annotated[str | None, typer.Option(help="Why (kept with the case and in the audit trail)")] = None,
    as_: AsOpt = None,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Confirm or dismiss a QA case (collection leads)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key, as_) as (desk, principal):
        closed = desk.close_qa_case(principal, qa_case_id, {"resolution": resolution, "comment": comment})
    emit(closed.as_dict(), json_mode, lambda c: _render_qa({"qa_cases": [c]}))
