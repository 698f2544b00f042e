"""``riskloop text train|tag``: the text tagger's batch work (risk tags read from documents).

``train`` trains the learned tagger on the analysts' reviewed sample (``document_reviews``) and registers it;
release is ``riskloop models approve|activate`` by another person. ``tag`` tags every ingested document with the
active model and the lexicon's rules (the rules alone while no model is active) into the warehouse's
``text_tags``, which the ``text_tags`` feature group reads point in time.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings

text_app = typer.Typer(no_args_is_help=True, help="Risk tags read from documents: train the tagger, tag documents.")
app.add_typer(text_app, name="text")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]


class _Bar:
    """A progress callback on one rich task (nothing under --json)."""

    def __init__(self, bar: Any, first: str) -> None:
        self.bar = bar
        self.task = bar.add_task(first, total=1) if bar is not None else None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=stage, completed=done, total=max(total, 1))


def _bars(json_mode: bool) -> Any:
    columns = (TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return progress_bars(*columns, json_mode=json_mode)


@text_app.command("train")
def train_command(
    ctx: typer.Context,
    before: Annotated[str | None, typer.Option(help="Only reviews made before this day (YYYY-MM-DD)")] = None,
    seed: Annotated[int, typer.Option(help="Seed of training")] = 0,
    json_mode: JsonOpt = False,
) -> None:
    """Train the learned tagger on the reviewed documents (document_reviews) and register it."""
    from riskloop.cli.keys import operator
    from riskloop.service.text_tags import TRAIN_TABLES, TextTraining, train_text_tagger
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        ws.require_ingested(*TRAIN_TABLES)
        with _bars(json_mode) as bar:
            result = train_text_tagger(
                ws.model_home(), TextTraining(parse_date(before, "--before"), seed, operator()), _Bar(bar, "read")
            )
    emit(result, json_mode, lambda r: console.print(
        f"[bold]{r['model_id']}[/] trained on {r['reviewed_documents']:,} reviewed documents; release it by another "
        f"person: riskloop models approve|activate {r['model_id']}"))  # fmt: skip


@text_app.command("tag")
def tag_command(ctx: typer.Context, json_mode: JsonOpt = False) -> None:
    """Tag every ingested document (active model + rules, or rules alone) into the warehouse's text_tags."""
    from riskloop.io.warehouse import Warehouse
    from riskloop.service.text_tags import DOCUMENT_TABLES, active_tagger, tag_documents
    from riskloop.workspace import Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode), Workspace.open(settings, create=False) as ws:
        ws.require_ingested(*DOCUMENT_TABLES)
        tagger = active_tagger(ws.model_registry())
        with _bars(json_mode) as bar:
            result = tag_documents(Warehouse(settings.warehouse), tagger, _Bar(bar, "tag"))
    emit(result, json_mode, _render_tags)


def _render_tags(r: dict[str, Any]) -> None:
    console.print(f"{r['documents']:,} documents tagged by {r['tagger']}: {r['tags']:,} tags", highlight=False)
    for tag, n in sorted(r["by_tag"].items(), key=lambda kv: -kv[1]):
        console.print(f"  {tag:<8} {n:>7,}", highlight=False)
    console.print("features read them: riskloop features publish", highlight=False)
