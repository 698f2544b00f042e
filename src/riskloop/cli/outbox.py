"""``riskloop outbox deliver|list|redeliver``: push outbox messages to their webhooks; inspect and revive dead ones.

Webhooks come from ``RISKLOOP_WEBHOOKS`` (``topic=url,...``) and ``--webhook topic=url``; the signing secret from
``RISKLOOP_WEBHOOK_SECRET``. Operators run these commands (as for ``riskloop keys``, database access is the trust
root); ``deliver`` is a bounded loop: it stops when nothing is left to try within ``--max-seconds``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, err_console
from riskloop.config import Settings, parse_webhooks

outbox_app = typer.Typer(no_args_is_help=True, help="The outbox: deliver to webhooks, list, re-deliver dead ones.")
app.add_typer(outbox_app, name="outbox")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]


def _render_report(result: dict[str, Any]) -> None:
    console.print(
        f"delivered {result['delivered']}, retried {result['retried']}, dead {result['dead']}; waiting "
        f"{result['waiting']}, blocked {result['blocked']}, held {result['held']}, unrouted {result['unrouted']}",
        highlight=False,
    )
    if result["next_attempt_at"]:
        console.print(f"next attempt at {result['next_attempt_at']}", highlight=False)


@outbox_app.command("deliver")
def deliver_command(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="One pass, no waiting for retries")] = False,
    max_seconds: Annotated[float, typer.Option(help="Stop waiting for retries after this long")] = 60.0,
    webhook: Annotated[list[str] | None, typer.Option(help="topic=url, repeatable (adds to RISKLOOP_WEBHOOKS)")] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Deliver pending messages to the webhook of their topic; print delivered, retried and dead counts."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        routes = dict(parse_webhooks(",".join(webhook or []), "--webhook"))
        with Workspace.open(settings, create=False) as ws:
            dispatcher = ws.outbox_dispatcher(webhooks=routes)
            if once:
                report = dispatcher.deliver_once()
            else:
                if not json_mode and err_console.is_terminal:
                    err_console.print("delivering (waits for retries up to --max-seconds) ...")
                report = dispatcher.deliver(dt.timedelta(seconds=max(0.0, max_seconds)), time.sleep)
            result = {**report.to_dict(), "counts": dispatcher.counts()}
    emit(result, json_mode, _render_report)


def _render_events(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"outbox: {result['counts']}")
    for column in ("id", "topic", "key", "state", "attempts", "created", "next attempt", "last error"):
        grid.add_column(column)
    for e in result["events"]:
        grid.add_row(str(e["outbox_id"]), e["topic"], e["key"], e["state"] + (" (held)" if e["held"] else ""),
                     str(e["attempts"]), e["created_at"][:19], (e["next_attempt_at"] or "")[:19],
                     e["last_error"] or "")  # fmt: skip
    console.print(grid)


@outbox_app.command("list")
def list_command(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="pending, sent or dead (default: any)")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first")] = 100,
    json_mode: JsonOpt = False,
) -> None:
    """Messages with their delivery state, attempts and last error (payloads are not printed)."""
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        dispatcher = ws.outbox_dispatcher()
        result = {"events": [e.to_dict() for e in dispatcher.events(state, limit)], "counts": dispatcher.counts()}
    emit(result, json_mode, _render_events)


@outbox_app.command("redeliver")
def redeliver_command(
    ctx: typer.Context,
    outbox_ids: Annotated[list[int] | None, typer.Argument(help="Dead messages to re-deliver")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every dead message")] = False,
    json_mode: JsonOpt = False,
) -> None:
    """Make dead messages pending again (from their first attempt); the next deliver sends them, in order."""
    from riskloop.errors import ValidationError
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        if not outbox_ids and not every:
            raise ValidationError("outbox_ids", "name dead messages to re-deliver or pass --all")
        with Workspace.open(settings, create=False) as ws:
            revived = ws.outbox_dispatcher().redeliver(None if every else outbox_ids)
    emit({"redelivered": revived}, json_mode, lambda r: console.print(f"re-delivering {r['redelivered']}"))
