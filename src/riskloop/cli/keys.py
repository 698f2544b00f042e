"""``riskloop keys create|list|revoke``: API keys of the decision service (the secret is printed once)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit
from riskloop.config import Settings
from riskloop.domain.access import ROLE_HELP, ROLES
from riskloop.service.api_keys import ApiKeyAdmin

keys_app = typer.Typer(no_args_is_help=True, help="API keys of the decision API: create, list, revoke.")
app.add_typer(keys_app, name="keys")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]


def operator() -> str:
    """Who runs the command, for the audit row: ``cli:<login>``."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        user = "unknown"
    return f"cli:{user}"[:80]


@contextmanager
def _keys(settings: Settings, *, create: bool = False) -> Iterator[ApiKeyAdmin]:
    """The keys; only ``keys create`` creates the workspace (keys usually precede the first serve)."""
    from riskloop.errors import NotFoundError
    from riskloop.service.prerequisites import NO_KEYS
    from riskloop.workspace import Workspace

    if not create and not Workspace.exists(settings):
        raise NotFoundError(NO_KEYS)
    with Workspace.open(settings) as ws:
        if not create:
            ws.require_api_keys()
        yield ws.api_keys()


def _render_created(result: dict[str, Any]) -> None:
    console.print(
        f"created {result['key_id']} for {result['principal']} ({', '.join(result['roles'])})", highlight=False
    )
    console.print(f"secret: {result['secret']}", highlight=False, soft_wrap=True)
    console.print("Store it now: it is not shown again. Send it as 'Authorization: Bearer <secret>'.", soft_wrap=True)


@keys_app.command("create")
def create_command(
    ctx: typer.Context,
    principal: Annotated[str, typer.Option(help="Who the key acts as (a person or a system), e.g. ann")],
    role: Annotated[
        list[str], typer.Option(help="Role, repeatable: " + "; ".join(f"{r} ({h})" for r, h in ROLE_HELP.items()))
    ],
    json_mode: JsonOpt = False,
) -> None:
    """Create a key for PRINCIPAL with the given roles and print its secret once."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _keys(settings, create=True) as keys:
        created = keys.create(principal, role, actor=operator())
    emit({**created.key.to_dict(), "secret": created.secret}, json_mode, _render_created)


def _render_list(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{len(result['keys'])} API keys")
    for column in ("key id", "principal", "roles", "created", "revoked"):
        grid.add_column(column, no_wrap=column == "key id")
    for key in result["keys"]:
        grid.add_row(key["key_id"], key["principal"], ", ".join(key["roles"]), key["created_at"][:19],
                     (key["revoked_at"] or "")[:19])  # fmt: skip
    console.print(grid)


@keys_app.command("list")
def list_command(ctx: typer.Context, json_mode: JsonOpt = False) -> None:
    """Every key with its principal, roles and state (never a secret)."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _keys(settings) as keys:
        found = keys.list()
    emit({"keys": [k.to_dict() for k in found], "roles": list(ROLES)}, json_mode, _render_list)


@keys_app.command("revoke")
def revoke_command(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The key to revoke (riskloop keys list)")],
    json_mode: JsonOpt = False,
) -> None:
    """Revoke a key: requests with it are refused (401) from the next one on."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode), _keys(settings) as keys:
        revoked = keys.revoke(key_id, actor=operator())
    emit(
        revoked.to_dict(),
        json_mode,
        lambda r: console.print(f"revoked {r['key_id']} of {r['principal']} at {r['revoked_at']}", highlight=False),
    )
