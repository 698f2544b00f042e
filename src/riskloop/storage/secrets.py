"""Workspace secrets: the key of the graph's HMAC tokens, readable by the owner only, created by a graph build only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from riskloop.errors import ConfigError, DataSourceError

KEY_BYTES = 32
GRAPH_KEY_ENV = "RISKLOOP_GRAPH_KEY_FILE"


def graph_key_path(home: Path) -> Path:
    """Where the workspace keeps its graph key (``RISKLOOP_GRAPH_KEY_FILE`` overrides)."""
    override = os.environ.get(GRAPH_KEY_ENV)
    return Path(override) if override else home / "secrets" / "graph.key"


def graph_key(home: Path, *, create: bool = False) -> bytes:
    """The workspace's graph key; with ``create`` a new random key is written (mode 0600) if there is none.

    Only building a graph creates a key: a key created anywhere else (serving, a check) would silently
    tokenise live applications differently from the stored graph, which then matches nothing.
    """
    path = graph_key_path(home)
    if not path.exists():
        if not create:
            raise DataSourceError(f"graph key {path} is missing (restore secrets/graph.key or rebuild)")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
    key = path.read_bytes()
    if len(key) < 16:
        raise ConfigError(f"graph key: {path} holds {len(key)} bytes; at least 16 are needed")
    return key
