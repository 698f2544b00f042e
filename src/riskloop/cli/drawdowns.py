"""``riskloop drawdowns list|show|reconcile|publish``: drawdowns and booked loans from the terminal.

``list`` and ``show`` read the drawdowns (an operator sees every channel's); ``reconcile`` asks the core about one
it has not settled and settles it (as a post-loan officer: ``RISKLOOP_API_KEY``); ``publish`` hands the booked
loans and their schedules to the warehouse, where monitoring and outcomes read the loan book.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, progress_bars
from riskloop.config import Settings
from riskloop.domain.access import POST_LOAN_OFFICER
from riskloop.domain.drawdown import DrawdownStatus
from riskloop.errors import ForbiddenError, UnauthenticatedError, ValidationError

drawdowns_app = typer.Typer(no_args_is_help=True, help="Drawdowns: list, show, reconcile, publish booked loans.")
app.add_typer(drawdowns_app, name="drawdowns")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", envvar="RISKLOOP_API_KEY", show_envvar=True, help="Your API key's secret"),
]
IdArg = Annotated[str, typer.Argument(help="The drawdown id (riskloop drawdowns list)")]


def _render_list(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{len(result['drawdowns'])} drawdowns")
    for column in ("drawdown", "offer", "amount ¥", "status", "reasons", "requested", "loan"):
        grid.add_column(column, no_wrap=column in {"drawdown", "offer"})
    for d in result["drawdowns"]:
        grid.add_row(d["drawdown_id"], d["offer_id"], f"{d['amount_cents'] / 100:,.2f}", d["status"],
                     ", ".join(d["reasons"]), d["requested_at"][:19], d["loan_id"] or "")  # fmt: skip
    console.print(grid)


def _render_one(d: dict[str, Any]) -> None:
    console.print(f"{d['drawdown_id']}  {d['status']}  ¥{d['amount_cents'] / 100:,.2f}  offer {d['offer_id']}",
                  highlight=False)  # fmt: skip
    if d["reasons"]:
        console.print("reasons: " + ", ".join(d["reasons"]), highlight=False)
    if d["core_ref"] or d["core_reason"]:
        console.print(f"core: {d['core_ref'] or '-'} {d['core_reason'] or ''}", highlight=False)
    loan = d.get("loan")
    if loan:
        console.print(f"loan {loan['loan_id']}: {loan['term_months']} months at {loan['rate_bp'] / 100:.2f}% "
                      f"({loan['repayment']})", highlight=False)  # fmt: skip
        for i in loan["schedule"]:
            console.print(f"  {i['number']:>3}  {i['due_date']}  ¥{i['total_cents'] / 100:,.2f}", highlight=False)


@drawdowns_app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only this status (e.g. unconfirmed)")] = None,
    offer: Annotated[str | None, typer.Option(help="Only this offer's")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1-1000)")] = 100,
    json_mode: JsonOpt = False,
) -> None:
    """Drawdowns, newest first (unconfirmed ones are an operator's to reconcile)."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        from riskloop.service.drawdowns import MAX_LISTED

        statuses = _statuses(status)
        if not 1 <= limit <= MAX_LISTED:  # the desk checks it too; here the error names the option
            raise ValidationError("--limit", f"must be between 1 and {MAX_LISTED}")
        with Workspace.open(settings, create=False) as ws:
            found = ws.drawdown_desk(None).listing(statuses, offer, limit)
    emit({"drawdowns": [d.to_dict() for d in found]}, json_mode, _render_list)


@drawdowns_app.command("show")
def show_command(ctx: typer.Context, drawdown_id: IdArg, json_mode: JsonOpt = False) -> None:
    """One drawdown with its loan and repayment schedule."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        store = ws.lending_store()
        found = store.drawdown(drawdown_id)
        if found is None:
            from riskloop.errors import NotFoundError

            raise NotFoundError(f"drawdown_id: no drawdown {drawdown_id!r} (riskloop drawdowns list)")
        loan = None if found.loan_id is None else store.loan(found.loan_id)
        result = {**found.to_dict(), "loan": None if loan is None else loan.to_dict()}
    emit(result, json_mode, _render_one)


@drawdowns_app.command("reconcile")
def reconcile_command(
    ctx: typer.Context,
    drawdown_id: IdArg,
    resend: Annotated[bool, typer.Option("--resend", help="Re-send when the core never received it")] = False,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Ask the core about an unconfirmed drawdown and settle it on the answer (role post_loan_officer)."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        if not api_key:
            raise UnauthenticatedError("api_key: set RISKLOOP_API_KEY (riskloop keys create --role post_loan_officer)")
        with Workspace.open(settings, create=False) as ws:
            principal = ws.authenticator().authenticate(api_key)
            if POST_LOAN_OFFICER not in principal.roles:
                raise ForbiddenError("reconcile: needs the post_loan_officer role", field="api_key")
            desk = ws.drawdown_desk(None)
            settled = desk.reconcile(drawdown_id, principal.name, resend=resend)
            _, loan = desk.get(None, settled.drawdown_id)
            result = {**settled.to_dict(), "loan": None if loan is None else loan.to_dict()}
    emit(result, json_mode, _render_one)


@drawdowns_app.command("publish")
def publish_command(ctx: typer.Context, json_mode: JsonOpt = False) -> None:
    """Hand the booked loans and their schedules to the warehouse (monitoring and outcomes read them there)."""
    from riskloop.service.book_export import publish_booked
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        started = time.perf_counter()
        with Workspace.open(settings, create=False) as ws:
            columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with progress_bars(*columns, json_mode=json_mode) as bar:
                task = bar.add_task("publish booked loans", total=None)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=max(total, 1))

                result = publish_booked(ws.lending_store(), ws.book_parts(), ws.clock, progress)
        result["seconds"] = round(time.perf_counter() - started, 3)
    emit(result, json_mode, lambda r: console.print(
        f"published {r['loans']:,} booked loans and {r['instalments']:,} instalments in {len(r['runs'])} runs",
        highlight=False))  # fmt: skip


def _statuses(status: str | None) -> list[DrawdownStatus]:
    if status is None:
        return []
    valid = [s.value for s in DrawdownStatus]
    if status not in valid:
        raise ValidationError("--status", f"{status!r} is not one of {', '.join(valid)}")
    return [DrawdownStatus(status)]
