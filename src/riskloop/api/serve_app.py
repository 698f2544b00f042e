"""The app ``riskloop serve`` runs: settings and serving options from the environment (one per worker)."""

from __future__ import annotations

import os
import sys

from fastapi import FastAPI

from riskloop.api.app import create_app
from riskloop.api.limits import LimitSettings
from riskloop.api.observability import log_to
from riskloop.config import load_settings
from riskloop.service.fail_closed import DEFAULT_MAX_FEATURE_AGE_DAYS, MAX_FEATURE_AGE_ENV
from riskloop.service.intake import Split
from riskloop.service.runtime import Runtime

ENV_MODEL, ENV_STRATEGY, ENV_GRAPH = "RISKLOOP_SERVE_MODEL", "RISKLOOP_SERVE_STRATEGY", "RISKLOOP_SERVE_GRAPH"
ENV_CHALLENGER, ENV_PERCENT, ENV_SHADOW = "RISKLOOP_SERVE_CHALLENGER", "RISKLOOP_SERVE_PERCENT", "RISKLOOP_SERVE_SHADOW"
ENV_FEATURE_AGE, ENV_BLACKLIST = MAX_FEATURE_AGE_ENV, "RISKLOOP_SERVE_BLACKLIST"
ENV_SHADOW_MODEL = "RISKLOOP_SERVE_SHADOW_MODEL"


def app() -> FastAPI:
    """The API for the workspace named by ``RISKLOOP_HOME`` / ``RISKLOOP_DATABASE_URL`` and the serve options."""
    log_to(sys.stderr)  # one JSON line per request (uvicorn's access log is off)
    settings = load_settings()
    runtime = Runtime(
        model=os.environ.get(ENV_MODEL) or None,
        strategy=os.environ.get(ENV_STRATEGY) or "reference@1",
        max_feature_age_days=float(os.environ.get(ENV_FEATURE_AGE) or DEFAULT_MAX_FEATURE_AGE_DAYS),
        blacklist_file=os.environ.get(ENV_BLACKLIST) or None,
        shadow_model=os.environ.get(ENV_SHADOW_MODEL) or None,
    )
    challenger = os.environ.get(ENV_CHALLENGER)
    split = None
    if challenger:
        split = Split(challenger, int(os.environ.get(ENV_PERCENT, "0")), os.environ.get(ENV_SHADOW, "1") == "1")
    graph = os.environ.get(ENV_GRAPH, "workspace")
    limits = LimitSettings.from_env()
    return create_app(settings, runtime=runtime, graph_name=graph, split=split, limits=limits, settle_heap=True)
