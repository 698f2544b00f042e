"""``riskloop graph build|expand|path|gangs``: the enterprise graph of the workspace and its anti-fraud views."""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import Annotated, Any

import typer
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from riskloop.cli.graph_support import epoch_of, parse_target, stored_graph, target_node, workspace
from riskloop.cli.main import app
from riskloop.cli.output import cli_errors, console, emit, parse_date, progress_bars
from riskloop.config import Settings

graph_app = typer.Typer(no_args_is_help=True, help="Build the enterprise graph; expand, find paths, detect gangs.")
app.add_typer(graph_app, name="graph")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object")]


def _render_build(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"graph build {result['build_id']}")
    grid.add_column("kind")
    grid.add_column("count", justify="right")
    for section in ("nodes", "edges"):
        for kind, count in result["counts"][section].items():
            grid.add_row(f"{section[:-1]} {kind}", f"{count:,}")
    console.print(grid)
    console.print(
        f"{result['nodes']:,} nodes, {result['edges']:,} edges; built in {result['seconds']['build']:.1f} s, "
        f"persisted in {result['seconds']['persist']:.1f} s",
        highlight=False,
    )


@graph_app.command("build")
def build_command(ctx: typer.Context, json_mode: JsonOpt = False) -> None:
    """Build the graph from everything ingested into the workspace and persist its edges."""
    from riskloop.domain.clock import SystemClock
    from riskloop.service.graph import build_and_store

    settings: Settings = ctx.obj
    with cli_errors(json_mode), ExitStack() as stack:
        store, tokenizer, con = workspace(settings, stack, built=False)
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with progress_bars(*columns, json_mode=json_mode) as bar:
            task = bar.add_task("starting")

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(task, description=f"{stage} ({done:,} of {total:,})")

            result = build_and_store(con, store, tokenizer, SystemClock(), progress)
    emit(result.to_dict(), json_mode, _render_build)


def _render_subgraph(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{len(result['nodes'])} nodes, {len(result['edges'])} edges around {result['target']}")
    grid.add_column("node")
    grid.add_column("kind")
    grid.add_column("path")
    labels = {n["id"]: n["label"] for n in result["nodes"]}
    for node, path in zip(result["nodes"][1:], result["paths"], strict=True):
        grid.add_row(node["label"], node["kind"], " → ".join(labels[p] for p in path))
    console.print(grid)
    if result["capped"]:
        console.print(f"[yellow]capped:[/] {len(result['capped_nodes'])} nodes had more edges than the cap")


@graph_app.command("expand")
def expand_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Credit code of an enterprise or resident ID of a person")],
    *,
    hops: Annotated[int, typer.Option(min=1, max=4, help="Hops to expand")] = 2,
    max_degree: Annotated[int, typer.Option(min=1, help="Edges read per node at most")] = 200,
    since: Annotated[str | None, typer.Option(help="Only edges valid on or after this day")] = None,
    until: Annotated[str | None, typer.Option(help="Only edges valid on or before this day")] = None,
    json_mode: JsonOpt = False,
) -> None:
    """Expand the graph around an enterprise or person, with the path that explains each connection."""
    from riskloop.graph.query import Caps, expand
    from riskloop.graph.render import subgraph_json

    settings: Settings = ctx.obj
    with cli_errors(json_mode), ExitStack() as stack:
        start, end = epoch_of(parse_date(since, "--since")), epoch_of(parse_date(until, "--until"), end=True)
        parsed = parse_target(target, "TARGET")
        store, tokenizer, _ = workspace(settings, stack)
        graph = stored_graph(store)
        node = target_node(graph, tokenizer, parsed, "TARGET")
        sub = expand(graph, node, Caps(hops=hops, max_degree=max_degree, since=start, until=end))
        result = {"target": graph.label[node], **subgraph_json(graph, sub)}
    emit(result, json_mode, _render_subgraph)


def _render_path(result: dict[str, Any]) -> None:
    if not result["nodes"]:
        console.print(f"no path between {result['source']} and {result['target']} within {result['max_hops']} hops")
        return
    steps = [result["nodes"][0]["label"]]
    for edge, node in zip(result["edges"], result["nodes"][1:], strict=True):
        steps.append(f"-[{edge['kind']}]- {node['label']}")
    console.print(" ".join(steps), highlight=False, markup=False)
    console.print(f"{result['hops']} hops, closeness {result['closeness']:.4f}", highlight=False)


@graph_app.command("path")
def path_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Credit code (or resident ID) of one end")],
    target: Annotated[str, typer.Argument(help="Credit code (or resident ID) of the other end")],
    *,
    max_hops: Annotated[int, typer.Option(min=1, max=10, help="Longest path searched")] = 6,
    max_degree: Annotated[int, typer.Option(min=1, help="Nodes with more edges are not passed through")] = 200,
    json_mode: JsonOpt = False,
) -> None:
    """Shortest relationship path between two enterprises, with a closeness score."""
    from riskloop.graph.query import shortest_path
    from riskloop.graph.render import path_json

    settings: Settings = ctx.obj
    with cli_errors(json_mode), ExitStack() as stack:
        ends = parse_target(source, "SOURCE"), parse_target(target, "TARGET")
        store, tokenizer, _ = workspace(settings, stack)
        graph = stored_graph(store)
        a = target_node(graph, tokenizer, ends[0], "SOURCE")
        b = target_node(graph, tokenizer, ends[1], "TARGET")
        found = shortest_path(graph, a, b, max_hops=max_hops, max_degree=max_degree)
        result = {"source": graph.label[a], "target": graph.label[b], "max_hops": max_hops, **path_json(graph, found)}
    emit(result, json_mode, _render_path)


def _render_gangs(result: dict[str, Any]) -> None:
    grid = RichTable(title=f"{len(result['gangs'])} gangs among {result['applications']:,} applications")
    for name in ("gang", "label", "size", "density", "span h", "recent", "bad"):
        grid.add_column(name, justify="left" if name in ("gang", "label") else "right", no_wrap=True)
    for g in result["gangs"]:
        f = g["features"]
        grid.add_row(
            g["gang_id"],
            g["label"],
            str(len(g["application_ids"])),
            f"{f['density']:.2f}",
            f"{f['span_hours']:.0f}",
            f"{f['recent_share']:.0%}",
            f"{f['bad_share']:.0%}",
        )
    console.print(grid)
    console.print("members: riskloop graph gangs --json", highlight=False)


@graph_app.command("gangs")
def gangs_command(
    ctx: typer.Context,
    window_days: Annotated[
        float | None, typer.Option(min=1, help="Only applications of the last N days before --as-of")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="End of the window (default: the latest application)")] = None,
    max_parties: Annotated[
        int, typer.Option(min=2, help="Identifiers behind more enterprises are hubs (graph.linking)")
    ] = 30,  # GangSettings.max_parties (not imported here: the CLI starts without numpy)
    json_mode: JsonOpt = False,
) -> None:
    """Detect gangs from shared identifiers in application and login behaviour."""
    from riskloop.service.graph import detect_workspace_gangs
    from riskloop.service.prerequisites import GANG_TABLES

    settings: Settings = ctx.obj
    with cli_errors(json_mode), ExitStack() as stack:
        day = parse_date(as_of, "--as-of")
        store, tokenizer, con = workspace(settings, stack, *GANG_TABLES)
        started = time.perf_counter()
        found = detect_workspace_gangs(
            con, store, tokenizer, until=epoch_of(day, end=True), window_days=window_days, max_parties=max_parties
        )
        result = {**found, "seconds": round(time.perf_counter() - started, 3)}
    emit(result, json_mode, _render_gangs)
