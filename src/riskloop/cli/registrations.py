"""``riskloop registrations screen FILE``: replay a registration log in time order through the screening.

``riskloop registrations policy register FILE``: a bank's thresholds as a registered version (released with
``riskloop models approve|activate`` by another person; the screen then reads it).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, progress_bars
from riskloop.config import Settings
from riskloop.errors import DataSourceError, ValidationError

registrations_app = typer.Typer(no_args_is_help=True, help="Registration anti-abuse: screen sign-ups.")
app.add_typer(registrations_app, name="registrations")
SHOWN_ERRORS = 20


def read_log(path: Path) -> list[dict[str, Any]]:
    """Rows of a registration log (Parquet file, directory of Parquet parts, or CSV) in time order."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    if not path.exists():
        raise DataSourceError(f"{path}: no such file or directory")
    try:
        if path.is_dir():
            table = pa.concat_tables([pq.read_table(p) for p in sorted(path.glob("*.parquet"))])
        elif path.suffix.lower() == ".csv":
            table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(strings_can_be_null=True))
        else:
            table = pq.read_table(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataSourceError(f"{path}: cannot be read as a registration log ({exc})") from exc
    if "registered_at" not in table.column_names:
        raise ValidationError("registered_at", f"{path} has no registered_at column")
    at = table.schema.field("registered_at").type
    if not pa.types.is_timestamp(at) or at.tz is None:
        raise ValidationError("registered_at", "must be timestamps with a UTC offset (e.g. 2026-07-01T09:30:00+08:00)")
    rows: list[dict[str, Any]] = table.sort_by("registered_at").to_pylist()
    return rows


@registrations_app.command("screen")
def screen_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Registration log: Parquet file or directory of parts, or CSV")],
    policy: Annotated[
        Path | None,
        typer.Option(
            help="Thresholds JSON (default: the active registered version with --store, else the shipped one)"
        ),
    ] = None,
    store: Annotated[
        bool, typer.Option("--store", help="Screen against (and update) the workspace's stored state")
    ] = False,
    verdicts: Annotated[Path | None, typer.Option(help="Write each verdict as a JSON line here")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Screen every registration of FILE at its own time; without --store the state starts empty and is dropped."""
    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        rows = read_log(file)
        started = time.perf_counter()
        if store:
            from riskloop.workspace import Workspace

            with Workspace.open(settings, create=False) as ws:
                summary = _replay(ws.registrations(policy), rows, verdicts, json_mode)
        else:
            summary = _replay(_in_process(policy), rows, verdicts, json_mode)
        seconds = time.perf_counter() - started
        summary |= {"file": str(file), "seconds": round(seconds, 3)}
        summary["per_second"] = round(summary["registrations"] / seconds, 1) if seconds > 0 else None
    emit(summary, json_mode, _render)


def _in_process(policy: Path | None) -> Any:
    from riskloop.admission.policy import load_policy
    from riskloop.domain.clock import SystemClock
    from riskloop.graph.infrastructure import shipped_infrastructure
    from riskloop.service.registrations import FixedPolicy, RegistrationScreen
    from riskloop.storage.registrations import InProcessVelocityStore

    subnets = frozenset(shipped_infrastructure().subnets())
    source = FixedPolicy(load_policy(policy), f"file {policy.name}" if policy else "shipped")
    # the state never leaves this process: the values themselves key it
    return RegistrationScreen(InProcessVelocityStore(), SystemClock(), source, lambda _, v: v, infrastructure=subnets)


def _replay(screen: Any, rows: list[dict[str, Any]], verdicts: Path | None, json_mode: bool) -> dict[str, Any]:
    from riskloop.service.registrations import replay

    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    out = verdicts.open("w", encoding="utf-8") if verdicts else None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with progress_bars(*columns, json_mode=json_mode) as bar:
            task = bar.add_task("registrations", total=len(rows))
            for number, result in replay(screen, rows):
                bar.advance(task)
                if isinstance(result, ValidationError):
                    errors.append({"row": number, "field": result.field, "problem": result.problem})
                    continue
                outcomes[result.outcome] += 1
                reasons.update(result.reasons)
                if out:
                    out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    finally:
        if out:
            out.close()
    return {
        "policy": screen.policy.version,  # a replay runs under one version: the one in force when it started
        "registrations": len(rows),
        "screened": sum(outcomes.values()),
        "invalid": len(errors),
        "outcomes": {o: outcomes[o] for o in ("accept", "step_up", "block")},
        "reasons": dict(reasons.most_common()),
        "errors": errors[:SHOWN_ERRORS],
    }


def _render(result: dict[str, Any]) -> None:
    o = result["outcomes"]
    console.print(
        f"{result['file']}: {result['registrations']:,} registrations under {result['policy']}: "
        f"accept {o['accept']:,}, step-up {o['step_up']:,}, block {o['block']:,}, invalid {result['invalid']:,} "
        f"({result['per_second']:,} a second)",
        highlight=False,
    )
    for code, n in result["reasons"].items():
        console.print(f"  {code}: {n:,}", highlight=False)
    for e in result["errors"]:
        console.print(f"  row {e['row']}: {e['field']}: {e['problem']}", highlight=False)


policy_app = typer.Typer(no_args_is_help=True, help="The screening thresholds' versions (four eyes).")
registrations_app.add_typer(policy_app, name="policy")


@policy_app.command("register")
def register_policy_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Thresholds JSON (the shape of registration-policy-v1.json)")],
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Validate a policy file and register it as a version; another person approves and activates it."""
    from riskloop.cli.keys import operator
    from riskloop.service.registration_policy import register_policy
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings) as ws:
        result = register_policy(ws.model_home(), file, author=operator())
    emit(result, json_mode, _render_registered)


def _render_registered(r: dict[str, Any]) -> None:
    console.print(f"{r['model_id']}: {r['policy_version']} registered by {r['registered_by']} (sha256 "
                  f"{r['sha256'][:12]}); next: {r['next']}", highlight=False)  # fmt: skip
