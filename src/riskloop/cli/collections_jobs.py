"""``riskloop collections train|evaluate|plan|qa-train|qa``: the collection policy's and the call QA's batch work.

``train`` trains a candidate policy on the logged history (ingested rounds and those recorded on plans),
estimates it off-policy on the latest rounds and registers it; ``evaluate`` estimates a registered one on the
rounds since a day. Release is ``riskloop models approve|activate`` by another person, and a policy goes live
unless its estimate shows it worse than the logged policy. ``plan`` gives every open case its next best action
with the active policy; ``qa-train`` trains the call QA on the reviewed sample; ``qa`` checks the calls.
The operator is the author (``cli:<login>``), as for every training command.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

from riskloop.cli.collections import collections_app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]
SeedOpt = Annotated[int, typer.Option(help="Seed of training and exploration")]


def _bars(json_mode: bool) -> Any:
    columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return progress_bars(*columns, json_mode=json_mode)


class _Bar:
    """A progress callback on one rich task."""

    def __init__(self, bar: Any, first: str) -> None:
        self.bar, self.task = bar, bar.add_task(first, total=1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.bar.update(self.task, description=stage, completed=done, total=max(total, 1))


@collections_app.command("train")
def train_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    before: Annotated[str | None, typer.Option(help="Only rounds acted before this day (YYYY-MM-DD)")] = None,
    holdout: Annotated[float, typer.Option(help="Share of the latest rounds held out for off-policy evaluation")] = 0.3,
    epsilon: Annotated[float, typer.Option(help="Exploration share of the policy (0-0.2)")] = 0.05,
    seed: SeedOpt = 0,
    json_mode: JsonOpt = False,
) -> None:
    """Train a candidate collection policy, estimate it off-policy on the latest rounds, register it."""
    from riskloop.cli.keys import operator
    from riskloop.service.collection_policy import PolicyTraining, train_collection_policy
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        ws.require_ingested("collection_cases", "collection_actions")
        options = PolicyTraining(parse_date(before, "--before"), holdout, epsilon, seed, operator())
        records = ws.collections().history()
        with _bars(json_mode) as bar:
            result = train_collection_policy(ws.model_home(), records, options, _Bar(bar, "read"))
    emit(result, json_mode, _render_trained)


def _render_trained(r: dict[str, Any]) -> None:
    ope = r["ope"]
    span = f"{r['rounds_from'][:10]} to {r['rounds_to'][:10]}"
    console.print(f"[bold]{r['model_id']}[/]: trained on {r['train_rounds']:,} rounds ({span}), evaluated on "
                  f"{ope['rounds']:,} later rounds of {ope['cases']:,} cases")  # fmt: skip
    _render_ope(ope)
    console.print("release it by another person: riskloop models approve|activate " + r["model_id"])


def _render_ope(ope: dict[str, Any]) -> None:
    logged = ope["logged_net_per_round_cents"] / 100
    console.print(f"net recovered per round, yuan — logged policy {logged:,.2f}", highlight=False)
    for name in ("ips", "snips", "dr"):
        e = ope.get(name)
        if e:
            console.print(f"  candidate {name.upper():5} {e['value'] / 100:>10,.2f}  "
                          f"(95% {e['low'] / 100:,.2f} to {e['high'] / 100:,.2f})", highlight=False)  # fmt: skip
    console.print(f"  effective sample size {ope['effective_sample_size']:,.0f} rounds", highlight=False)


@collections_app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    model_id: Annotated[str, typer.Argument(help="A registered collection policy, e.g. collection-policy-v2")],
    since: Annotated[str | None, typer.Option(help="Rounds acted from this day (YYYY-MM-DD)")] = None,
    seed: SeedOpt = 0,
    json_mode: JsonOpt = False,
) -> None:
    """Estimate a registered policy off-policy (IPS, SNIPS, DR) on the logged rounds since a day."""
    from riskloop.service.collection_policy import evaluate_registered
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False, migrate=False) as ws:
        model = ws.model_registry().get(model_id)
        result = evaluate_registered(
            ws.model_home(), model, ws.collections().history(), parse_date(since, "--since"), seed
        )
    emit(result, json_mode, _render_evaluated)


def _render_evaluated(r: dict[str, Any]) -> None:
    console.print(f"[bold]{r['model_id']}[/] on {r['rounds']:,} logged rounds of {r['cases']:,} cases")
    _render_ope(r)


@collections_app.command("plan")
def plan_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Plan the cases open on this day (default: today)")
    ] = None,
    seed: SeedOpt = 0,
    json_mode: JsonOpt = False,
) -> None:
    """Give every open case its next best action with the active policy (superseding its open plan)."""
    from riskloop.service.collection_jobs import plan_open_cases, read_tables
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        ws.require_ingested("collection_cases", "collection_actions")
        chooser = ws.collection_chooser()
        day = parse_date(as_of, "--as-of")
        at = ws.clock.now() if day is None else dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        desk = ws.collections()
        result = plan_open_cases(desk, chooser, read_tables(ws.warehouse), desk.history(), at=at, seed=seed)
    emit(result, json_mode, _render_plan)


def _render_plan(r: dict[str, Any]) -> None:
    console.print(f"{r['planned']:,} open cases planned on {r['at'][:10]} by {r['policy_id']} "
                  f"({r['superseded']:,} earlier plans superseded)", highlight=False)  # fmt: skip
    for action, n in sorted(r["by_action"].items(), key=lambda kv: -kv[1]):
        console.print(f"  {action:18} {n:>7,}", highlight=False)
    console.print("work them: riskloop collections cases", highlight=False)


@collections_app.command("qa-train")
def qa_train_command(
    ctx: typer.Context,
    before: Annotated[str | None, typer.Option(help="Only reviews made before this day (YYYY-MM-DD)")] = None,
    seed: SeedOpt = 0,
    json_mode: JsonOpt = False,
) -> None:
    """Train the call QA's classifier on the reviewed sample (call_reviews) and register it."""
    from riskloop.cli.keys import operator
    from riskloop.service.collection_jobs import QaTraining, train_transcript_qa
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        ws.require_ingested("collection_calls", "call_turns", "call_reviews")
        with _bars(json_mode) as bar:
            result = train_transcript_qa(
                ws.model_home(), QaTraining(parse_date(before, "--before"), seed, operator()), _Bar(bar, "read")
            )
    emit(result, json_mode, lambda r: console.print(
        f"[bold]{r['model_id']}[/] trained on {r['reviewed_calls']:,} reviewed calls; release it by another person: "
        f"riskloop models approve|activate {r['model_id']}"))  # fmt: skip


@collections_app.command("qa")
def qa_command(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="Calls started from this day (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option(help="Calls started before this day (YYYY-MM-DD)")] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Check the calls in the warehouse with the active QA; findings stored, QA cases opened for the lead."""
    from riskloop.errors import NotFoundError
    from riskloop.service.collection_jobs import check_calls, read_calls
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        checker = ws.transcript_checker()()
        if checker is None:
            raise NotFoundError("no active transcript QA (run: riskloop collections qa-train, then riskloop models "
                                "approve and riskloop models activate as another person)")  # fmt: skip
        calls = read_calls(ws.warehouse, parse_date(since, "--since"), parse_date(until, "--until"))
        with _bars(json_mode) as bar:
            result = check_calls(ws.collections(), checker, calls, _Bar(bar, "check"))
        result["checker"] = checker.qa.name
    emit(result, json_mode, _render_qa)


def _render_qa(r: dict[str, Any]) -> None:
    console.print(f"{r['calls']:,} calls checked by {r['checker']}; {r['calls_with_qa_case']:,} with a QA case "
                  "for the lead (riskloop collections qa-cases)", highlight=False)  # fmt: skip
    for issue, n in r["findings_by_issue"].items():
        console.print(f"  {issue:24} {n:>7,}", highlight=False)
