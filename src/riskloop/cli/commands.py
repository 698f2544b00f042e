"""Imports every command module so it registers with the app."""

import importlib

_MODULES = ("generate", "ingest", "demo", "train", "features", "graph", "serve", "decisions", "keys", "alerts",
            "outbox", "monitor", "behaviour", "models", "outcomes", "effect", "loop", "collections",
            "collections_jobs", "lists", "consents", "text", "registrations", "prospects", "drawdowns")  # fmt: skip
for _name in _MODULES:
    try:
        importlib.import_module(f"riskloop.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command module not written yet must not break the others
        if exc.name != f"riskloop.cli.{_name}":
            raise
