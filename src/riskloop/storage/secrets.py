"""Workspace secrets: the graph key of HMAC tokens (created by a graph build only) and the PII key-encryption keys."""

from __future__ import annotations

import base64
import os
import secrets
from contextlib import suppress
from pathlib import Path

from riskloop.errors import ConfigError, DataSourceError
from riskloop.graph.tokens import Tokenizer
from riskloop.privacy.envelope import Sealer

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


VERIFICATION_KEY_ENV = "RISKLOOP_VERIFICATION_KEY_FILE"


def verification_key(home: Path) -> bytes:
    """The key of verification digests (codes, step-up tokens, identifier tokens), created on first use (0600).

    Unlike the graph key it may be made anywhere: losing it only voids the sessions and codes in flight, which
    live minutes; nothing else is keyed with it.
    """
    override = os.environ.get(VERIFICATION_KEY_ENV)
    path = Path(override) if override else home / "secrets" / "verification.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):  # another process made it first: use theirs
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(KEY_BYTES))
    key = path.read_bytes()
    if len(key) < 16:
        raise ConfigError(f"verification key: {path} holds {len(key)} bytes; at least 16 are needed")
    return key


PII_KEY_ENV = "RISKLOOP_PII_KEY_FILE"


def pii_key_path(home: Path) -> Path:
    """Where the workspace keeps its PII key-encryption keys (``RISKLOOP_PII_KEY_FILE`` overrides)."""
    override = os.environ.get(PII_KEY_ENV)
    return Path(override) if override else home / "secrets" / "pii.keys"


class FileKeyProvider:
    """Key-encryption keys in a file readable by the owner only: ``<id> <base64 key>`` a line, the last is current.

    Rotation appends a line (``rotate``): new records are wrapped with the new key, older ones still open.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._keys: dict[str, bytes] | None = None

    @classmethod
    def create(cls, path: Path) -> FileKeyProvider:
        """The provider of ``path``, writing a first key (mode 0600) when there is no file yet."""
        if not path.exists():
            _append_key(path, "k1")
        return cls(path)

    def rotate(self) -> str:
        """Append a new key and make it current; return its id."""
        key_id = f"k{len(self._load()) + 1}"
        _append_key(self.path, key_id)
        self._keys = None
        return key_id

    def current(self) -> tuple[str, bytes]:
        """``(key id, key)`` new data keys are wrapped with."""
        key_id, key = list(self._load().items())[-1]
        return key_id, key

    def key(self, key_id: str) -> bytes:
        """The key ``key_id``; ConfigError when the file has no such key."""
        keys = self._load()
        if key_id not in keys:
            raise ConfigError(f"PII keys: {self.path} has no key {key_id!r} (a record sealed with it cannot open)")
        return keys[key_id]

    def _load(self) -> dict[str, bytes]:
        if self._keys is None:
            from riskloop.privacy.envelope import check_key

            if not self.path.is_file():
                raise ConfigError(
                    f"PII keys: {self.path} is missing; personal data at rest cannot be read or written without "
                    "it (restore it from your backup; it is never regenerated)"
                )
            keys: dict[str, bytes] = {}
            for line in self.path.read_text(encoding="ascii").splitlines():
                if line.strip():
                    key_id, _, text = line.strip().partition(" ")
                    keys[key_id] = check_key(key_id, base64.b64decode(text))
            if not keys:
                raise ConfigError(f"PII keys: {self.path} holds no key")
            self._keys = keys
        return self._keys


def _append_key(path: Path, key_id: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as out:
        out.write(f"{key_id} {base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}\n")


class MigrationKeys:
    """A workspace's keys for a migration that protects stored data, read only when a row needs them.

    An empty database needs no workspace. A workspace with no graph build may get its graph key now (the first
    build reuses it); a built graph's key is never replaced, since tokens under another key would match nothing.
    """

    def __init__(self, home: object, revision: str, graph_built: bool = True) -> None:
        self.home, self.revision, self.graph_built = home, revision, graph_built
        self._sealer: Sealer | None = None
        self._tokenizer: Tokenizer | None = None

    @property
    def where(self) -> Path:
        """The workspace directory; ConfigError when the migration was run without one."""
        if self.home is None:
            raise ConfigError(
                f"migration {self.revision} protects personal data already stored and needs the workspace's keys"
            )
        return Path(str(self.home))

    @property
    def sealer(self) -> Sealer:
        """The workspace's envelope sealer."""
        if self._sealer is None:
            self._sealer = Sealer(FileKeyProvider(pii_key_path(self.where)))
        return self._sealer

    @property
    def tokenizer(self) -> Tokenizer:
        """The workspace's graph-key tokens."""
        if self._tokenizer is None:
            self._tokenizer = Tokenizer(graph_key(self.where, create=not self.graph_built))
        return self._tokenizer
