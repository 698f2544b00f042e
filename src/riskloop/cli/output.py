"""Rendering for CLI commands: one JSON object with --json, Rich text otherwise; errors to stderr."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, ProgressColumn

from riskloop.errors import ConfigError, IngestError, NotFoundError, RiskloopError, ValidationError

console = Console()
err_console = Console(stderr=True)

# The one place that maps the exception tree to process exit codes.
EXIT_CODES: tuple[tuple[type[RiskloopError], int], ...] = (
    (ValidationError, 2),
    (ConfigError, 2),
    (NotFoundError, 3),
    (IngestError, 4),
    (RiskloopError, 1),
)


def exit_code_for(error: RiskloopError) -> int:
    """Exit code for an error of the riskloop tree."""
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            return code
    return 1


@contextmanager
def cli_errors(json_mode: bool = False) -> Iterator[None]:
    """Turn riskloop errors into a one-line message on stderr and a non-zero exit, never a traceback."""
    try:
        yield
    except RiskloopError as exc:
        if json_mode:
            print(json.dumps({"error": type(exc).__name__, "message": str(exc)}), file=sys.stderr)
        else:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_code_for(exc)) from None


def progress_bars(*columns: ProgressColumn | str, json_mode: bool) -> Progress:
    """Transient progress bars on stderr for people at a terminal.

    None with --json, nor when stderr is a pipe or a file: there Rich leaves a blank line behind, and an error
    would no longer be the one line on stderr.
    """
    quiet = json_mode or not err_console.is_terminal
    return Progress(*columns, console=err_console, transient=True, disable=quiet)


def emit(result: dict[str, Any], json_mode: bool, render: Callable[[dict[str, Any]], None]) -> None:
    """Print ``result`` as one JSON object, or call ``render`` for people."""
    if json_mode:
        print(json.dumps(result, default=str, sort_keys=True))
    else:
        render(result)


def parse_date(value: str | None, field: str = "as_of") -> dt.date | None:
    """Parse an ISO date option (``None`` stays ``None``); a bad value is a ValidationError naming ``field``."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(field, f"{value!r} is not a date (YYYY-MM-DD)") from None
