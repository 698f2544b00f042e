"""Find the table files in an input directory and name the ones that match no table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from riskloop.domain.tables import TABLES, TABLES_BY_NAME
from riskloop.errors import IngestError
from riskloop.ingest.pboc import DOCUMENT_DIR, TARGETS

SUFFIXES = (".parquet", ".csv", ".jsonl", ".xlsx")
IGNORED = {"truth", "manifest.json"}  # written by the synthetic generator beside its tables
# a source that fills several tables: the bureau's report documents (``ingest.pboc``)
DOCUMENTS = {DOCUMENT_DIR: TARGETS}
DOCUMENT_SUFFIXES = (".jsonl", ".json")


@dataclass
class Sources:
    """Input files per contract table (in contract order) and warnings about files that were skipped."""

    root: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _valid_names() -> str:
    return ", ".join(sorted(TABLES_BY_NAME))


def _table_name(path: Path, aliases: dict[str, str]) -> str | None:
    stem: str | None = path.name if path.is_dir() else None
    for suffix in (*SUFFIXES, ".json"):
        if stem is None and path.name.endswith(suffix):
            stem = path.name[: -len(suffix)]
    return None if stem is None else aliases.get(stem, stem)


def _part_files(directory: Path) -> tuple[list[Path], list[Path]]:
    parts: list[Path] = []
    other: list[Path] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        (parts if path.is_file() and path.suffix in SUFFIXES else other).append(path)
    return parts, other


def _documents(path: Path, sources: Sources) -> list[Path]:
    if path.is_file():
        return [path]
    parts = [p for p in sorted(path.iterdir()) if p.is_file() and p.suffix in DOCUMENT_SUFFIXES]
    sources.warnings.extend(
        f"ignored {path.name}/{p.name}: report documents must end in {', '.join(DOCUMENT_SUFFIXES)}"
        for p in sorted(path.iterdir())
        if p not in parts and not p.name.startswith(".")
    )
    return parts


def discover(directory: str | Path, aliases: dict[str, str] | None = None) -> Sources:
    """Return the input files of every table found in ``directory``.

    ``directory`` may be a generated universe (tables under ``tables/``), that ``tables`` directory
    itself, or any directory holding ``<table>.parquet|.csv|.jsonl|.xlsx`` files or ``<table>/`` directories
    of part files. ``aliases`` (a mapping's file names) name a table's files otherwise: file stem -> table.
    Files and directories that name no contract table are reported in ``warnings``.
    """
    given = Path(directory)
    if not given.is_dir():
        raise IngestError(f"input directory {given} does not exist or is not a directory")
    root = given / "tables" if (given / "tables").is_dir() else given
    found: dict[str, list[Path]] = {}
    sources = Sources(root=root)
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or path.name in IGNORED:
            continue
        name = _table_name(path, aliases or {})
        if name in DOCUMENTS:
            parts = _documents(path, sources)
            for target in DOCUMENTS[name]:
                found.setdefault(target, []).extend(parts)
            continue
        if name is None or name not in TABLES_BY_NAME:
            sources.warnings.append(f"ignored {path.name}: not a table file; valid table names: {_valid_names()}")
            continue
        if path.is_dir():
            parts, other = _part_files(path)
            sources.warnings.extend(
                f"ignored {name}/{p.name}: part files must end in {', '.join(SUFFIXES)}" for p in other
            )
            found.setdefault(name, []).extend(parts)
        else:
            found.setdefault(name, []).append(path)
    sources.files = {t.name: sorted(found[t.name]) for t in TABLES if found.get(t.name)}
    if not sources.files:
        raise IngestError(
            f"no table files in {root} (run: riskloop generate for a synthetic universe, or export tables as "
            f"docs/data-formats.md describes): expected <table>.parquet, .csv, .jsonl, .xlsx or <table>/ "
            f"directories of part files; valid table names: {_valid_names()}"
        )
    return sources
