"""Plain-file model artifacts with sha256: written once, verified on every load, never pickled."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from riskloop.errors import DataSourceError

MANIFEST = "manifest.json"


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def write_bundle(folder: Path, files: dict[str, bytes], meta: dict[str, Any]) -> Path:
    """Write ``files`` and a manifest holding ``meta`` and each file's sha256; return the manifest path."""
    folder.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, data in sorted(files.items()):
        (folder / name).write_bytes(data)
        digests[name] = sha256_bytes(data)
    manifest = folder / MANIFEST
    manifest.write_text(json.dumps({**meta, "files": digests}, indent=2, sort_keys=True, default=str) + "\n")
    return manifest


def read_bundle(folder: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Read a bundle, verifying every file against the sha256 in its manifest."""
    path = folder / MANIFEST
    if not path.is_file():
        raise DataSourceError(f"{folder}: no {MANIFEST}; not a model bundle")
    meta: dict[str, Any] = json.loads(path.read_text())
    files = {}
    for name, digest in meta.get("files", {}).items():
        data = (folder / name).read_bytes()
        if sha256_bytes(data) != digest:
            raise DataSourceError(f"{folder / name}: sha256 does not match the manifest; refusing to load")
        files[name] = data
    return meta, files
