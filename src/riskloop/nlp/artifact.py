"""A served text model as plain JSON with a sha256 manifest (transcript QA, risk tags): never a pickle.

Training writes the model file and a manifest of its sha256; every load checks the manifest against the registered
digest and the file against the manifest, and refuses a file of another kind or format.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from riskloop.errors import DataSourceError, ValidationError

MANIFEST = "manifest.json"


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class JsonArtifact:
    """One kind of model file: its name, kind, format, and how errors name it (``transcript-QA``)."""

    model_file: str
    kind: str
    format: int
    what: str

    def write(self, out_dir: Path, spec: dict[str, Any]) -> Path:
        """Write ``spec`` as the model file with a manifest of its sha256; return the folder."""
        out_dir.mkdir(parents=True, exist_ok=True)
        data = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        (out_dir / self.model_file).write_bytes(data)
        manifest = {"kind": self.kind, "format": self.format, "files": {self.model_file: sha256_hex(data)}}
        (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return out_dir

    def read(self, folder: Path, manifest_sha256: str | None = None) -> tuple[dict[str, Any], str]:
        """The spec in ``folder`` and the model file's sha256, after checking both against the manifest."""
        try:
            raw_manifest = (folder / MANIFEST).read_bytes()
            data = (folder / self.model_file).read_bytes()
        except OSError as exc:
            raise DataSourceError(f"{folder}: not a {self.what} artifact ({exc.strerror}: {exc.filename})") from None
        if manifest_sha256 is not None and sha256_hex(raw_manifest) != manifest_sha256:
            raise DataSourceError(f"{folder / MANIFEST}: sha256 does not match the registered one; refusing to load")
        manifest = json.loads(raw_manifest)
        digest = sha256_hex(data)
        if manifest.get("files", {}).get(self.model_file) != digest:
            raise DataSourceError(f"{folder / self.model_file}: sha256 does not match the manifest; refusing to load")
        spec: dict[str, Any] = json.loads(data)
        if spec.get("kind") != self.kind or spec.get("format") != self.format:
            raise ValidationError("artifact", f"{folder}: not a {self.kind} model of format {self.format}")
        return spec, digest


@dataclass(frozen=True)
class TermBlock:
    """One block of features: its analyzer's name, each term's column (offset into the whole row) and idf."""

    name: str
    offset: int
    column: dict[str, int]
    idf: npt.NDArray[np.float64]


Analyzers = Mapping[str, Callable[[str], Iterable[str]]]


def term_blocks(raw: list[dict[str, Any]], analyzers: Analyzers) -> tuple[TermBlock, ...]:
    """The feature blocks an artifact lists, each term at its column; an unknown analyzer is refused."""
    blocks, offset = [], 0
    for b in raw:
        if b["name"] not in analyzers:
            raise ValidationError("artifact.blocks", f"unknown analyzer {b['name']!r}; valid: {', '.join(analyzers)}")
        column = {term: offset + i for i, term in enumerate(b["vocabulary"])}
        blocks.append(TermBlock(b["name"], offset, column, np.asarray(b["idf"], dtype=np.float64)))
        offset += len(column)
    return tuple(blocks)


def tfidf_features(
    blocks: tuple[TermBlock, ...], analyzers: Analyzers, text: str
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """One text's non-zero TF-IDF features (sublinear tf): columns and values, each block l2-normalised."""
    cols: list[int] = []
    vals: list[float] = []
    for block in blocks:
        counts = Counter(t for t in analyzers[block.name](text) if t in block.column)
        if not counts:
            continue
        idx = [block.column[t] for t in counts]
        v = np.array([1.0 + math.log(c) for c in counts.values()]) * block.idf[np.array(idx) - block.offset]
        norm = float(np.sqrt(v @ v))
        cols.extend(idx)
        vals.extend((v / norm).tolist() if norm > 0 else v.tolist())
    return np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float64)
