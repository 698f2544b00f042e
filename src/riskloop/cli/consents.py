"""``riskloop consents add|list|revoke`` and ``riskloop sources check``: consents and the data sources' state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from riskloop.cli.keys import JsonOpt, operator
from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit
from riskloop.config import Settings
from riskloop.domain.consent import PURPOSES, SUBJECT_KINDS
from riskloop.errors import ValidationError

consents_app = typer.Typer(no_args_is_help=True, help="Consents to pull data about a subject: add, list, revoke.")
app.add_typer(consents_app, name="consents")
sources_app = typer.Typer(no_args_is_help=True, help="The data sources: settings and circuit-breaker state.")
app.add_typer(sources_app, name="sources")
Subject = Annotated[str, typer.Option(help="Credit code or resident ID as written (stored only as a keyed token)")]


@contextmanager
def _workspace(settings: Settings) -> Iterator[Any]:
    from riskloop.workspace import Workspace

    with Workspace.open(settings, create=False) as ws:
        yield ws


def _instant(value: str, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(field, f"{value!r} is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _render_one(result: dict[str, Any]) -> None:
    console.print(
        f"{result['consent_id']}: {result['status']}, {result['purpose']} from {', '.join(result['sources'])}, "
        f"until {result['expires_at']}" + (f", revoked {result['revoked_at']}" if result["revoked_at"] else ""),
        highlight=False,
    )


@consents_app.command("add")
def add_command(  # noqa: PLR0917 - one option each
    ctx: typer.Context,
    subject: Subject,
    source: Annotated[list[str], typer.Option(help="A source in scope, repeatable (riskloop sources check)")],
    purpose: Annotated[str, typer.Option(help="One of " + ", ".join(PURPOSES))],
    expires: Annotated[str, typer.Option(help="Expiry, ISO 8601 (UTC when no offset), e.g. 2027-01-01T00:00:00+08:00")],
    evidence: Annotated[str, typer.Option(help="Reference of the signed authorisation")],
    kind: Annotated[str, typer.Option(help="One of " + ", ".join(SUBJECT_KINDS))] = "enterprise",
    granted: Annotated[str | None, typer.Option(help="When it was signed (default now; never later)")] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Record a consent of SUBJECT to pull SOURCEs for PURPOSE until EXPIRES (audited)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _workspace(settings) as ws:
        made = ws.consents().record(
            subject=subject,
            subject_kind=kind,
            sources=source,
            purpose=purpose,
            expires_at=_instant(expires, "expires"),
            evidence=evidence,
            granted_at=None if granted is None else _instant(granted, "granted"),
            actor=operator(),
        )
        result = made.public_dict(ws.clock.now())
    emit(result, json_mode, _render_one)


def _render_list(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{len(result['consents'])} consents")
    for column in ("consent id", "status", "purpose", "sources", "granted", "expires", "evidence"):
        grid.add_column(column, no_wrap=column == "consent id")
    for c in result["consents"]:
        grid.add_row(c["consent_id"], c["status"], c["purpose"], ", ".join(c["sources"]), c["granted_at"][:19],
                     c["expires_at"][:19], c["evidence"])  # fmt: skip
    console.print(grid)


@consents_app.command("list")
def list_command(ctx: typer.Context, subject: Subject, json_mode: JsonOpt = False) -> None:
    """Every consent of SUBJECT with its status now."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _workspace(settings) as ws:
        now = ws.clock.now()
        result = {"consents": [c.public_dict(now) for c in ws.consents().for_subject(subject)]}
    emit(result, json_mode, _render_list)


@consents_app.command("revoke")
def revoke_command(
    ctx: typer.Context,
    consent_id: Annotated[str, typer.Argument(help="The consent to revoke (riskloop consents list)")],
    json_mode: JsonOpt = False,
) -> None:
    """Revoke a consent: no pull under it from now on (audited)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _workspace(settings) as ws:
        result = ws.consents().revoke(consent_id, actor=operator()).public_dict(ws.clock.now())
    emit(result, json_mode, _render_one)


def _render_sources(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"sources (settings {result['version']})")
    for column in ("source", "kind", "configured", "breaker", "failures", "tokens", "timeout s", "retries"):
        grid.add_column(column)
    for name, s in result["sources"].items():
        grid.add_row(name, s["kind"], "yes" if s["configured"] else "no", s["breaker"],
                     str(s["consecutive_failures"]), f"{s['tokens']:g}", f"{s['timeout_seconds']:g}",
                     str(s["retries"]))  # fmt: skip
    console.print(grid)


@sources_app.command("check")
def check_command(ctx: typer.Context, json_mode: JsonOpt = False) -> None:
    """Each source's settings and this process's breaker and rate state (a served process reports on /readyz)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _workspace(settings) as ws:
        puller = ws.source_puller()
        result = {"version": puller.catalog.version, "sources": puller.states()}
    emit(result, json_mode, _render_sources)
