"""What an ingest run reports: per-table counts, warnings, and progress updates for a front end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


@dataclass
class TableReport:
    """Counts for one table. ``rows_read == loaded + already_present + quarantined``."""

    table: str
    store: str
    files: list[str] = field(default_factory=list)
    encodings: list[str] = field(default_factory=list)
    rows_read: int = 0
    loaded: int = 0
    already_present: int = 0
    quarantined: int = 0
    new_versions: int | None = None  # of ``loaded``: changed rows of loaded keys (versioned tables only)

    def counts(self) -> dict[str, int]:
        """The counts recorded in ``ingest_runs.table_counts``."""
        return {
            "rows_read": self.rows_read,
            "loaded": self.loaded,
            "already_present": self.already_present,
            "quarantined": self.quarantined,
        }


@dataclass
class IngestResult:
    """Outcome of one ingest run."""

    run_id: str
    source: Path
    as_of: dt.date
    tables: dict[str, TableReport]
    warnings: list[str]
    quarantine_dir: Path

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: run id, per-table counts and encodings, totals, warnings."""
        tables = {
            name: {
                **r.counts(),
                **({} if r.new_versions is None else {"new_versions": r.new_versions}),
                "store": r.store,
                "files": r.files,
                "encodings": r.encodings,
            }
            for name, r in self.tables.items()
        }
        totals = {k: sum(r.counts()[k] for r in self.tables.values()) for k in TableReport("", "").counts()}
        return {
            "run_id": self.run_id,
            "source": str(self.source),
            "as_of": self.as_of.isoformat(),
            "tables": tables,
            "totals": totals,
            "warnings": self.warnings,
            "quarantine_dir": str(self.quarantine_dir),
        }


@dataclass(frozen=True)
class ProgressUpdate:
    """Rows done so far for one table and phase (``read``: read and validated; ``load``: written)."""

    table: str
    phase: Literal["read", "load"]
    rows: int
    total: int | None = None


ProgressFn = Callable[[ProgressUpdate], None]
