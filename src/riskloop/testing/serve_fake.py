"""An app for ``uvicorn --factory`` on the in-memory pipeline: the overload test runs a real server on it."""

from __future__ import annotations

from fastapi import FastAPI

from riskloop.api.app import create_app
from riskloop.api.limits import LimitSettings
from riskloop.config import load_settings
from riskloop.testing.decider import make_decider


def app() -> FastAPI:
    """The API on ``RISKLOOP_HOME`` / ``RISKLOOP_DATABASE_URL``, the in-memory pipeline, the limits of the env."""
    return create_app(load_settings(), decider=make_decider(), limits=LimitSettings.from_env())
