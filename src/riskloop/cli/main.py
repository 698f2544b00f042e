"""The ``riskloop`` command: global options and the sub-commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from riskloop.config import load_settings
from riskloop.openmp import bounded_spin

bounded_spin()  # before any command loads LightGBM's OpenMP runtime (riskloop.openmp says why)

JSON_REQUESTED = "riskloop.json"  # ctx.meta key: the command line asks for --json


class _Root(TyperGroup):
    """The root command; notes whether the sub-command was given ``--json``.

    An error of the global options (``--home``, ``--database-url``) is then printed as the sub-command would.
    """

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        rest = super().parse_args(ctx, args)
        ctx.meta[JSON_REQUESTED] = "--json" in rest
        return rest


ORDER = (
    "Order of commands: ingest DIR (or demo) first; then train, graph build and features publish; then serve; "
    "replay after decisions are stored. ingest, demo, keys create and train --csv/--parquet create the "
    "workspace; every other command needs one, and says which command to run first when something is missing."
)
app = typer.Typer(
    cls=_Root,
    no_args_is_help=True,
    add_completion=False,
    help="riskloop: credit risk for online SME lending.",
    epilog=ORDER,
)


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option(help="Workspace directory (default: $RISKLOOP_HOME or ./riskloop-home)")
    ] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL (default: SQLite in the workspace)")] = None,
) -> None:
    """Global options shared by every command."""
    from riskloop.cli.output import cli_errors
    from riskloop.privacy import scrub

    scrub.install()  # whatever a command or a library logs is masked of identifiers (ADR 0016)
    with cli_errors(bool(ctx.meta.get(JSON_REQUESTED))):
        ctx.obj = load_settings(home, database_url)


def _register() -> None:
    # Each command module adds its commands to ``app``; imported here so ``main`` stays small.
    from riskloop.cli import commands  # noqa: F401


_register()
