"""Writing plain-file model artifacts with sha256; reading and verifying them is ``scoring.bundle``'s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from riskloop.scoring.bundle import MANIFEST, sha256_bytes


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
