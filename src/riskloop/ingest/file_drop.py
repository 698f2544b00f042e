"""FileDropSource: a DataSource over a directory a bank system drops files into, read with the ingest readers.

The file about a subject is ``<directory>/<subject>.jsonl`` (or ``.csv``, ``.parquet``) with the source's declared
fields as columns; its first row is the payload. CSV gives text, so declared numbers and flags are converted
here (a value that does not convert stays text, and the puller's validation names the field).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from riskloop.domain.source_payload import SourceError, SourceQuery
from riskloop.domain.source_settings import SourceSettings
from riskloop.domain.tables import Column, Kind, Table
from riskloop.errors import IngestError
from riskloop.ingest.readers import open_reader

SUFFIXES = (".jsonl", ".csv", ".parquet")
_KINDS: dict[str, Kind] = {"int": "int", "number": "float", "str": "str", "bool": "bool"}


def _flag(text: str) -> bool:
    if text.lower() not in ("true", "false", "1", "0"):
        raise ValueError(text)
    return text.lower() in ("true", "1")


_CONVERTERS: dict[str, Callable[[str], Any]] = {"int": int, "number": float, "bool": _flag}


class FileDropSource:
    """One source's drop directory."""

    def __init__(self, settings: SourceSettings, directory: Path) -> None:
        self.settings, self.directory = settings, directory
        columns = tuple(Column(n, _KINDS[k], f"{settings.name} field", nullable=True)
                        for n, k in settings.fields.items())  # fmt: skip
        self.spec = Table(f"source_{settings.name}", "bank", f"file drop of {settings.name}", columns, (), "warehouse")

    def fetch(self, query: SourceQuery, timeout: float) -> bytes:
        """The first row of the subject's dropped file as JSON bytes; SourceError when none is dropped or readable."""
        name = self.settings.name
        if not query.subject.isalnum():  # a file name, never a path
            raise SourceError(name, "subject is not letters and digits", retryable=False, kind="malformed")
        paths = [self.directory / f"{query.subject}{suffix}" for suffix in SUFFIXES]
        found = [p for p in paths if p.is_file()]
        if not found:
            raise SourceError(name, "no file dropped for the subject", retryable=False, kind="missing")
        try:
            for batch in open_reader(found[0], self.spec).batches():
                if batch.data.num_rows:
                    row = batch.data.slice(0, 1).to_pylist()[0]
                    return json.dumps({k: self._convert(k, v) for k, v in row.items()}, default=str).encode()
        except IngestError as exc:
            raise SourceError(name, f"unreadable drop: {exc}", retryable=False, kind="malformed") from None
        raise SourceError(name, f"{found[0].name} holds no row", retryable=False, kind="malformed")

    def _convert(self, field: str, value: Any) -> Any:
        kind = self.settings.fields.get(field)
        if not isinstance(value, str) or kind == "str":
            return value
        text = value.strip()
        if text == "":
            return None
        convert = _CONVERTERS[str(kind)]
        try:
            return convert(text)
        except ValueError:
            return value  # left as text: the puller's validation names the field
