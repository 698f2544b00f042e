"""``riskloop replay`` and ``riskloop backtest``: re-run logged decisions; compare strategies on history."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit
from riskloop.config import Settings


def _render_replay(result: dict[str, Any]) -> None:
    console.print(f"replayed {result['replayed']}: {result['identical']} identical", highlight=False)
    for item in result["different"]:
        console.print(f"  {item['decision_id']}: differs in {', '.join(item['differences'])}", highlight=False)


@app.command("replay")
def replay_command(
    ctx: typer.Context,
    decision_ids: Annotated[list[str] | None, typer.Argument(help="Decisions to replay (default: --all)")] = None,
    every: Annotated[bool, typer.Option("--all", help="Replay every stored decision")] = False,
    model: Annotated[str | None, typer.Option(help="Model bundle or registry id (default: deployed)")] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Re-run stored decisions from their stored inputs and versions; exit 1 if any differs."""
    from riskloop.errors import ValidationError
    from riskloop.service.replay import replay_all
    from riskloop.service.runtime import Runtime, live_decider
    from riskloop.storage.decisions import SQLDecisionStore
    from riskloop.storage.engine import make_engine
    from riskloop.storage.migrate import upgrade

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        if not decision_ids and not every:
            raise ValidationError("decision_ids", "name decisions to replay or pass --all")
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            decider = live_decider(settings, engine, runtime=Runtime(model=model))
            store = SQLDecisionStore(engine)
            stored = store.all() if every else [store.get(d) for d in decision_ids or []]
            result = replay_all(stored, decider)
        finally:
            engine.dispose()
    emit(result, json_mode, _render_replay)
    if result["different"]:
        raise typer.Exit(1)
