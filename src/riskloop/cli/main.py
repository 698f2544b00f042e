"""The ``riskloop`` command: global options and the sub-commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riskloop.config import load_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="riskloop: credit risk for online SME lending.")


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

    with cli_errors():
        ctx.obj = load_settings(home, database_url)


def _register() -> None:
    # Each command module adds its commands to ``app``; imported here so ``main`` stays small.
    from riskloop.cli import commands  # noqa: F401


_register()
