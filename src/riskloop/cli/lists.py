"""``riskloop lists load|add|remove|show|versions|confirm-gang``: the bank's black, grey and white lists.

Every command acts as the principal of an API key (``RISKLOOP_API_KEY`` or ``--api-key``): list keepers load files,
add and end-date entries; reviewers confirm gangs; auditors and list keepers may ``--reveal`` values (audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit
from riskloop.config import Settings
from riskloop.domain.access import Principal
from riskloop.service.lists import ListDesk

if TYPE_CHECKING:
    from riskloop.workspace import Workspace

lists_app = typer.Typer(no_args_is_help=True, help="Black, grey and white lists: load, add, remove, show.")
app.add_typer(lists_app, name="lists")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--api-key", envvar="RISKLOOP_API_KEY", show_envvar=True, help="Your API key's secret"),
]
KindOpt = Annotated[str, typer.Option("--kind", help="black, grey or white")]
IdKindOpt = Annotated[
    str,
    typer.Option(help="credit_code, resident_id, legal_rep_id, phone, device_id, bank_account, email or ip"),
]


@contextmanager
def _session(settings: Settings, secret: str | None) -> Iterator[tuple[Workspace, Principal]]:
    from riskloop.errors import UnauthenticatedError
    from riskloop.workspace import Workspace

    if not secret:
        raise UnauthenticatedError("api_key: set RISKLOOP_API_KEY (riskloop keys create --role list_keeper)")
    with Workspace.open(settings, create=False) as ws:
        yield ws, ws.authenticator().authenticate(secret)


@contextmanager
def _desk(settings: Settings, secret: str | None) -> Iterator[tuple[ListDesk, Principal]]:
    with _session(settings, secret) as (ws, principal):
        yield ws.lists(), principal


def _render_load(r: dict[str, Any]) -> None:
    console.print(f"{r['file']}: {r['status']} — {r['stored']} stored, {r['quarantined']} quarantined of "
                  f"{r['rows']} rows (version {r['version']})", highlight=False)  # fmt: skip
    for p in r["problems"]:
        console.print(f"  row {p['row']} {p['field']}: {p['reason']}", highlight=False)


@lists_app.command("load")
def load_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx list file, or a .txt of one credit code a line")],
    kind: KindOpt,
    quarantine: Annotated[
        bool, typer.Option(help="Store the good rows and quarantine the bad (default: refuse a file with any)")
    ] = False,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Load FILE as one new version of the KIND list; every bad row is named (file, row, field, reason)."""
    from riskloop.errors import IngestError
    from riskloop.ingest.list_files import read_list_file

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise IngestError(f"{file}: cannot be read ({exc.strerror})") from exc
        rows = read_list_file(file.name, data)
        with _desk(settings, api_key) as (desk, principal):
            result = desk.load(principal, rows, file=file.name, list_kind=kind, quarantine=quarantine)
    emit(result, json_mode, _render_load)
    if result["status"] == "refused":
        raise typer.Exit(1)


@lists_app.command("add")
def add_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    kind: KindOpt,
    identifier_kind: IdKindOpt,
    value: Annotated[str, typer.Option(help="The identifier")],
    reason: Annotated[str, typer.Option(help="Why it is listed (kept with the entry)")],
    valid_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD or ISO time (Beijing); default now")] = None,
    expires_at: Annotated[str | None, typer.Option(help="YYYY-MM-DD or ISO time (Beijing); default never")] = None,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """Add one entry to the KIND list."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        entry = desk.add(principal, list_kind=kind, identifier_kind=identifier_kind, value=value, reason=reason,
                         valid_from=valid_from, expires_at=expires_at)  # fmt: skip
    emit(entry.to_dict(), json_mode, lambda e: console.print(f"added {e['entry_id']} {e['label']}", highlight=False))


@lists_app.command("remove")
def remove_command(
    ctx: typer.Context,
    entry_id: Annotated[str, typer.Argument(help="The entry (riskloop lists show)")],
    reason: Annotated[str, typer.Option(help="Why it is removed (kept in the history)")],
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """End-date an entry now: it stops matching and stays in the history."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        entry = desk.end(principal, entry_id, reason)
    emit(entry.to_dict(), json_mode, lambda e: console.print(f"ended {e['entry_id']} {e['ended_at']}", highlight=False))


def _render_show(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{len(result['entries'])} entries")
    for column in ("entry", "list", "kind", "value", "reason", "source", "from", "expires", "ended"):
        grid.add_column(column, no_wrap=column == "entry")
    for e in result["entries"]:
        times = (e["valid_from"][:16], (e["expires_at"] or "")[:16], (e["ended_at"] or "")[:16])
        grid.add_row(e["entry_id"], e["kind"], e["identifier_kind"], e["value"] or e["label"], e["reason"],
                     e["source"], *times)  # fmt: skip
    console.print(grid)


@lists_app.command("show")
def show_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help="black, grey or white (default: all)")] = None,
    ended: Annotated[bool, typer.Option(help="Also the end-dated entries (the history)")] = False,
    reveal: Annotated[bool, typer.Option(help="Values whole (auditor or list keeper; audited)")] = False,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """The entries of the lists, values masked unless revealed."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, principal):
        found = desk.show(principal, list_kind=kind, include_ended=ended, reveal=reveal)
    emit({"entries": [e.to_dict() for e in found]}, json_mode, _render_show)


@lists_app.command("versions")
def versions_command(ctx: typer.Context, api_key: KeyOpt = None, json_mode: JsonOpt = False) -> None:
    """Every version of the lists: loads, additions, end-datings, confirmed gangs."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _desk(settings, api_key) as (desk, _principal):
        found = [v.to_dict() for v in desk.versions()]
    emit({"versions": found}, json_mode, _render_versions)


def _render_versions(result: dict[str, Any]) -> None:
    for v in result["versions"]:
        console.print(f"v{v['version']} {v['at'][:19]} {v['action']} by {v['actor']}", highlight=False)


@lists_app.command("confirm-gang")
def confirm_gang_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    gang_id: Annotated[str, typer.Argument(help="The gang (riskloop graph gangs)")],
    evidence: Annotated[str, typer.Option(help="Link to the case file or investigation")],
    credit_code: Annotated[
        list[str] | None, typer.Option(help="A member's credit code, repeatable (with --detect: added to them)")
    ] = None,
    identifier: Annotated[
        list[str] | None, typer.Option(help="A shared identifier KIND=VALUE (phone=138..., device_id=...), repeatable")
    ] = None,
    detect: Annotated[
        bool,
        typer.Option(
            help="Take the members' credit codes and shared phones, devices, accounts, e-mails and "
            "applicants from gang detection (as riskloop graph gangs); those are listed by graph key"
        ),
    ] = False,
    window_days: Annotated[float | None, typer.Option(min=1, help="With --detect: as riskloop graph gangs")] = None,
    as_of: Annotated[str | None, typer.Option(help="With --detect: as riskloop graph gangs")] = None,
    api_key: KeyOpt = None,
    json_mode: JsonOpt = False,
) -> None:
    """As a reviewer, confirm GANG_ID as fraud: its members and shared identifiers are black-listed.

    With --detect, the shared identifiers gang detection finds are listed by the graph's key (their raw values
    are never needed); --identifier adds raw values from the case file.
    """
    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        pairs = _pairs(identifier or [])
        until = _until(as_of)
        with _session(settings, api_key) as (ws, principal):
            desk = ws.lists()
            if detect:  # the role is checked before detection runs (it reads every application)
                result = desk.confirm_detected_gang(
                    principal, gang_id, ws.gang_finder(), evidence=evidence, credit_codes=credit_code or [],
                    identifiers=pairs, until=until, window_days=window_days,
                )  # fmt: skip
            else:
                result = desk.confirm_gang(principal, gang_id, credit_codes=credit_code or [], identifiers=pairs,
                                           evidence=evidence)  # fmt: skip
    emit(result, json_mode, _render_gang)


def _render_gang(r: dict[str, Any]) -> None:
    console.print(f"gang {r['gang_id']} confirmed by {r['reviewer']}: {len(r['entries'])} entries black-listed "
                  f"(version {r['version']})", highlight=False)  # fmt: skip
    for e in r["entries"]:
        link = e["provenance"].get("link")
        console.print(f"  {e['identifier_kind']} {e['label']}" + (f" ({link})" if link else ""), highlight=False)


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    from riskloop.errors import ValidationError

    pairs = []
    for item in items:
        kind, sep, value = item.partition("=")
        if not sep:
            raise ValidationError("--identifier", f"{item!r}: write KIND=VALUE")
        pairs.append((kind.strip(), value.strip()))
    return pairs


def _until(as_of: str | None) -> dt.datetime | None:
    """The end of the ``--as-of`` day (UTC), as ``riskloop graph gangs`` reads it."""
    from riskloop.cli.graph_support import epoch_of
    from riskloop.cli.output import parse_date

    end = epoch_of(parse_date(as_of, "--as-of"), end=True)
    return None if end is None else dt.datetime.fromtimestamp(end, dt.UTC)
