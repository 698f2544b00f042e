"""The app ``riskloop serve`` runs: settings and serving options from the environment (one per worker)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from riskloop.api.app import create_app
from riskloop.config import Settings, load_settings
from riskloop.domain.clock import SystemClock
from riskloop.errors import ConfigError
from riskloop.service.intake import Split
from riskloop.service.ports import GraphChecks
from riskloop.service.runtime import NoGraphChecks, Runtime
from riskloop.testing.fake_decision_ports import MemoryGraphChecks

GRAPHS = ("workspace", "none", "memory")
ENV_MODEL, ENV_STRATEGY, ENV_GRAPH = "RISKLOOP_SERVE_MODEL", "RISKLOOP_SERVE_STRATEGY", "RISKLOOP_SERVE_GRAPH"
ENV_CHALLENGER, ENV_PERCENT, ENV_SHADOW = "RISKLOOP_SERVE_CHALLENGER", "RISKLOOP_SERVE_PERCENT", "RISKLOOP_SERVE_SHADOW"


def graph_checks(name: str, settings: Settings | None = None, *, shared: bool = False) -> GraphChecks:
    """The graph checks called ``name``.

    ``workspace``: the workspace's enterprise graph (``riskloop graph build`` first), tailing the shared
    arrival log when ``shared`` (the decision service); ``none``: not deployed, every application is referred
    for it; ``memory``: the in-memory port with no signals (demos only).
    """
    if name == "workspace":
        if settings is None:
            raise ConfigError("graph: workspace checks need the workspace settings")
        from riskloop.service.graph_checks import workspace_graph_checks

        return workspace_graph_checks(settings, SystemClock(), shared=shared)
    if name == "none":
        return NoGraphChecks()
    if name == "memory":
        return MemoryGraphChecks()
    raise ConfigError(f"graph: unknown name {name!r}; valid: {', '.join(GRAPHS)}")


def app() -> FastAPI:
    """The API for the workspace named by ``RISKLOOP_HOME`` / ``RISKLOOP_DATABASE_URL`` and the serve options."""
    settings = load_settings()
    runtime = Runtime(model=os.environ.get(ENV_MODEL) or None, strategy=os.environ.get(ENV_STRATEGY) or "reference@1")
    challenger = os.environ.get(ENV_CHALLENGER)
    split = None
    if challenger:
        split = Split(challenger, int(os.environ.get(ENV_PERCENT, "0")), os.environ.get(ENV_SHADOW, "1") == "1")
    return create_app(
        settings,
        runtime=runtime,
        graph=graph_checks(os.environ.get(ENV_GRAPH, "workspace"), settings, shared=True),  # workers share arrivals
        split=split,
    )
