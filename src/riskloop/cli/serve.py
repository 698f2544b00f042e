"""``riskloop serve``: the decision API on uvicorn (embedded SQLite by default, PostgreSQL by --database-url)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Annotated

import typer

from riskloop.cli.main import app
from riskloop.cli.output import cli_errors
from riskloop.config import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def metrics_dir(home: Path) -> Path:
    """``<home>/run/metrics``, emptied, as prometheus-client's multiprocess folder for this run's workers."""
    folder = home / "run" / "metrics"
    shutil.rmtree(folder, ignore_errors=True)  # the last run's counters are not this run's
    folder.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


@app.command("serve")
def serve_command(  # noqa: PLR0917 - Typer options are parameters
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
    model: Annotated[str | None, typer.Option(help="Model bundle folder or registry id (default: deployed)")] = None,
    strategy: Annotated[
        str, typer.Option(help="Champion strategy: name@version, or a name to follow its active version")
    ] = "reference@1",
    graph: Annotated[
        str, typer.Option(help="Graph checks: workspace (riskloop graph build) or none (refers every application)")
    ] = "workspace",
    challenger: Annotated[str | None, typer.Option(help="Challenger strategy, name@version")] = None,
    challenger_percent: Annotated[int, typer.Option(min=0, max=100, help="Live share of the challenger")] = 0,
    shadow: Annotated[bool, typer.Option(help="Run the challenger in shadow (stored, never returned)")] = True,
    shadow_model: Annotated[
        str | None,
        typer.Option(help="A registered model (not the one serving) deciding every application in shadow"),
    ] = None,
    max_in_flight: Annotated[
        int, typer.Option(min=1, help="Requests in flight per worker; more are shed with a 503 and Retry-After")
    ] = 8,
    max_body_bytes: Annotated[int, typer.Option(min=1, help="Largest request body; larger ones get a 413")] = 65536,
    max_feature_age_days: Annotated[
        float,
        typer.Option(
            min=0.0,
            envvar="RISKLOOP_MAX_FEATURE_AGE_DAYS",
            help="Features published longer ago refer the application (DATA_UNAVAILABLE_FEATURES)",
        ),
    ] = 45.0,
    blacklist_file: Annotated[
        str | None, typer.Option(help="The bank's blacklist: one credit code a line (unreadable: nothing approved)")
    ] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object on start")] = False,
) -> None:
    """Serve the decision API until interrupted."""
    from riskloop.api.stage_log import profile_folder
    from riskloop.rules.engine import KEY_SEPARATOR, parse_key
    from riskloop.service.runtime import Runtime
    from riskloop.workspace import GRAPH_CHECKS, Workspace

    settings: Settings = ctx.obj
    with cli_errors(json_mode):
        profile_folder()  # an unusable RISKLOOP_PROFILE_STAGES is refused here, not in every worker
        GRAPH_CHECKS.check(graph)  # an unknown name fails here with the valid ones, before any worker starts
        if KEY_SEPARATOR in strategy:  # else a bare name: its active version, checked below
            parse_key(strategy)
        if challenger:
            parse_key(challenger)
        # Migrated once, here: workers migrating at once would race on the DDL. Everything a worker needs is
        # checked here too, so a missing step is one line naming its command, not a worker dying at start-up;
        # and nothing is written (no metrics folder) before the checks pass.
        with Workspace.open(settings, create=False) as ws:
            if shadow_model:  # unknown, the model serving, a behaviour model, changed files: refused here
                ws.require_shadow_model(shadow_model, model)
            ws.require_serving(
                Runtime(model=model, strategy=strategy, blacklist_file=blacklist_file), graph, challenger
            )
        metrics_dir(settings.home)  # before prometheus-client is first imported (below): every worker then shares it
        import uvicorn

        from riskloop.api.limits import ENV_MAX_BODY, ENV_MAX_IN_FLIGHT
        from riskloop.api.protocol import HTTP_PROTOCOL
        from riskloop.api.serve_app import (
            ENV_BLACKLIST,
            ENV_CHALLENGER,
            ENV_FEATURE_AGE,
            ENV_GRAPH,
            ENV_MODEL,
            ENV_PERCENT,
            ENV_SHADOW,
            ENV_SHADOW_MODEL,
            ENV_STRATEGY,
        )

        os.environ.update(
            {
                "RISKLOOP_HOME": str(settings.home),
                "RISKLOOP_DATABASE_URL": settings.database_url,
                ENV_MODEL: model or "",
                ENV_STRATEGY: strategy,
                ENV_GRAPH: graph,
                ENV_CHALLENGER: challenger or "",
                ENV_PERCENT: str(challenger_percent),
                ENV_SHADOW: "1" if shadow else "0",
                ENV_MAX_IN_FLIGHT: str(max_in_flight),
                ENV_MAX_BODY: str(max_body_bytes),
                ENV_FEATURE_AGE: repr(max_feature_age_days),
                ENV_BLACKLIST: blacklist_file or "",
                ENV_SHADOW_MODEL: shadow_model or "",
            }
        )
        if json_mode:
            started = {"url": f"http://{host}:{port}", "workers": workers, "strategy": strategy}
            if shadow_model:
                started["shadow_model"] = shadow_model
            print(json.dumps(started), flush=True)
        uvicorn.run(
            "riskloop.api.serve_app:app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            http=HTTP_PROTOCOL,
            log_level="warning",
            access_log=False,
        )


@app.command("openapi")
def openapi_command(
    out: Annotated[Path, typer.Option(help="Where to write the OpenAPI document (JSON)")],
    json_mode: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Write the API's OpenAPI document, from which clients (the console's among them) are generated."""
    from riskloop.api.app import create_app
    from riskloop.cli.output import emit

    with cli_errors(json_mode):
        document = create_app(Settings(home=Path("unused"), database_url="sqlite://")).openapi()  # no lifespan
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        if not out.is_file() or out.read_text(encoding="utf-8") != text:  # unchanged: make sees nothing new
            out.write_text(text, encoding="utf-8")
        result = {"out": str(out), "paths": len(document["paths"]), "version": document["info"]["version"]}
        emit(result, json_mode, lambda r: print(f"OpenAPI {r['version']}: {r['paths']} paths → {r['out']}"))
