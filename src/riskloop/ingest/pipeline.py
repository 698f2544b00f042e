"""The ingest use case: discover, read, coerce, validate, quarantine, reconcile and load every table."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from riskloop.config import DEFAULT_APPLICANT_AGE, Settings
from riskloop.domain.clock import Clock
from riskloop.domain.tables import Table, table
from riskloop.graph.tokens import Tokenizer
from riskloop.ingest.coerce import FieldErrors, coerce
from riskloop.ingest.mapped import apply_mapping
from riskloop.ingest.mapping import Mapping, TableMap
from riskloop.ingest.quarantine import QuarantineSink
from riskloop.ingest.readers import BATCH_ROWS, RawBatch, open_reader
from riskloop.ingest.records import WholeRecords
from riskloop.ingest.report import IngestResult, ProgressFn, ProgressUpdate, TableReport
from riskloop.ingest.sources import discover
from riskloop.ingest.validate import Limits, validate
from riskloop.io.arrow_schema import arrow_schema
from riskloop.io.warehouse import Warehouse
from riskloop.privacy.envelope import Sealer
from riskloop.storage.protected import Protector, store_vault
from riskloop.storage.reconcile import SOURCE_FILE, SOURCE_ROW, reconcile
from riskloop.storage.repository import contract_table, finish_run, insert_ignore, start_run


def limits_for(clock: Clock, as_of: dt.date | None, ages: tuple[int, int] = DEFAULT_APPLICANT_AGE) -> Limits:
    """The not-future limits: the end of ``as_of`` (UTC) if given, else the clock's now; the applicant ages."""
    if as_of is None:
        now = clock.now()
        return Limits(now.date(), now, ages)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC) - dt.timedelta(microseconds=1)
    return Limits(as_of, end, ages)


def dated(spec: Table, rows: pa.Table, as_of: dt.date) -> pa.Table:
    """Rows of a versioned table with an empty valid-from set to the ingest's as-of day (ADR 0020)."""
    if spec.valid_from is None:
        return rows
    index = rows.schema.get_field_index(spec.valid_from)
    filled = pc.fill_null(rows[spec.valid_from], pa.scalar(as_of, pa.date32()))
    return rows.set_column(index, spec.valid_from, filled)


def staged_schema(spec: Table) -> pa.Schema:
    """Arrow schema of validated rows awaiting reconciliation: the contract columns plus their source."""
    return arrow_schema(spec).append(pa.field(SOURCE_FILE, pa.int32())).append(pa.field(SOURCE_ROW, pa.int64()))


class _Run:
    """State of one run: settings, database, warehouse, quarantine and the per-table reports."""

    def __init__(  # noqa: PLR0917
        self,
        settings: Settings,
        engine: sa.Engine,
        run_id: str,
        limits: Limits,
        batch_rows: int,
        protector: Protector,
        mapping: Mapping | None = None,
    ) -> None:
        self.settings, self.engine, self.run_id, self.limits = settings, engine, run_id, limits
        self.batch_rows, self.protector, self.mapping = batch_rows, protector, mapping
        self.notes: list[str] = []
        sealer = protector.sealer
        self.warehouse = Warehouse(settings.warehouse)
        self.sink = QuarantineSink(engine, run_id, settings.quarantine_dir / run_id, sealer)
        self.tmp = settings.home / "tmp" / run_id
        self.encodings: dict[Path, str | None] = {}

    def preflight(self, files: dict[str, list[Path]]) -> None:
        """Open every file once so unreadable files and wrong columns fail before anything is written."""
        for name, paths in files.items():
            for path in paths:
                reader = open_reader(path, table(name), self.batch_rows, mapped=self._mapped(name))
                self.encodings[path] = reader.encoding
                self.notes.extend(getattr(reader, "notes", []))

    def _mapped(self, name: str) -> TableMap | None:
        return self.mapping.tables.get(name) if self.mapping else None

    def stage(self, spec: Table, paths: list[Path], report: TableReport, progress: ProgressFn | None) -> Path:
        """Read, coerce and validate every file; quarantine bad rows, stage the valid ones as Parquet."""
        staged = self.tmp / f"{spec.name}.parquet"
        staged.parent.mkdir(parents=True, exist_ok=True)
        schema = staged_schema(spec)
        whole = WholeRecords(spec) if spec.whole_by else None
        with pq.ParquetWriter(staged, schema) as writer:
            for index, path in enumerate(paths):
                mapped = self._mapped(spec.name)
                reader = open_reader(path, spec, self.batch_rows, self.encodings.get(path), mapped)
                if reader.encoding and reader.encoding not in report.encodings:
                    report.encodings.append(reader.encoding)
                for raw in reader.batches():
                    self.sink.add_malformed(spec.name, str(path), raw.malformed)
                    errors = self._apply_mapping(spec, mapped, raw)  # first: their reasons win
                    typed, coerced = coerce(raw.data, spec)
                    errors += coerced + validate(typed, spec, self.limits)
                    if whole is not None:
                        whole.note(typed, errors)
                    bad = self.sink.add_field_errors(spec.name, str(path), raw.data, raw.rows, errors, paths=raw.paths)
                    good = self._protected(spec, dated(spec, typed.filter(pa.array(~bad)), self.limits.as_of))
                    good = good.append_column(SOURCE_FILE, pa.array([index] * good.num_rows, pa.int32()))
                    good = good.append_column(SOURCE_ROW, pa.array(raw.rows[~bad], pa.int64()))
                    writer.write_table(good.cast(schema))
                    report.rows_read += raw.data.num_rows + len(raw.malformed)
                    if progress:
                        progress(ProgressUpdate(spec.name, "read", report.rows_read))
        if whole is not None:  # a record with a bad row, a broken sequence or an unknown parent goes whole
            parent = spec.references.get(whole.key, "").split(".")[0]
            whole.settle(
                staged,
                self.warehouse.files(parent),
                lambda rejects: self.sink.add_rejects(spec.name, [str(p) for p in paths], rejects),
            )
        return staged

    def _apply_mapping(self, spec: Table, mapped: TableMap | None, raw: RawBatch) -> list[FieldErrors]:
        """Money units, the zone of local times and category values of the mapping, applied to ``raw``."""
        if self.mapping is None:
            return []
        raw.data, errors = apply_mapping(raw.data, spec, mapped or TableMap(spec.name, ()), self.mapping.timezone)
        return errors

    def _protected(self, spec: Table, good: pa.Table) -> pa.Table:
        """Valid rows with their personal columns protected; the written values go to the vault first."""
        protected, vault = self.protector.protect(spec, good)
        if vault:
            with self.engine.begin() as conn:
                store_vault(conn, vault)
        return protected

    def load(
        self, spec: Table, staged: Path, paths: list[Path], report: TableReport, progress: ProgressFn | None
    ) -> None:
        """Reconcile staged rows with what is loaded; write new rows to the database (sql store) and warehouse."""
        out = self.warehouse.writer(spec.name, prefix=self.run_id)
        sql_table = contract_table(spec.name) if spec.store == "sql" else None
        try:
            with self.engine.begin() as conn, self.sink.using(conn):

                def on_new(batch: pa.RecordBatch) -> None:
                    if sql_table is not None:
                        insert_ignore(conn, sql_table, batch.to_pylist())
                    out.write(batch)
                    report.loaded += batch.num_rows
                    if progress:
                        progress(ProgressUpdate(spec.name, "load", report.loaded))

                counts = reconcile(
                    self.warehouse,
                    spec,
                    [staged],
                    on_new=on_new,
                    on_reject=lambda rejects: self.sink.add_rejects(spec.name, [str(p) for p in paths], rejects),
                    temp_dir=self.tmp / "duckdb",
                )
        except BaseException:
            out.abort()
            raise
        out.commit()  # after the database commit: a crash in between is repaired by re-running (insert-ignore)
        report.already_present = counts.already_present
        if spec.valid_from is not None:
            report.new_versions = counts.versions


def ingest(
    settings: Settings,
    engine: sa.Engine,
    source: str | Path,
    *,
    clock: Clock,
    as_of: dt.date | None = None,
    progress: ProgressFn | None = None,
    batch_rows: int = BATCH_ROWS,
    sealer: Sealer,
    tokenizer: Tokenizer,
    mapping: Mapping | None = None,
) -> IngestResult:
    """Ingest every table file under ``source`` into the database and the warehouse.

    Parameters
    ----------
    settings:
        Workspace: warehouse and quarantine directories.
    engine:
        The workspace's (migrated) database.
    source:
        A generated universe, its ``tables`` directory, or a directory of ``<table>.parquet|.csv|.jsonl``
        files or ``<table>/`` directories of part files.
    clock:
        Source of the run's timestamps and, without ``as_of``, of "now" for not-future checks.
    as_of:
        Dates after this day (and timestamps after its end, UTC) are quarantined as future.
    progress:
        Called with a ProgressUpdate after each batch.
    batch_rows:
        Rows per batch read and validated at a time (bounds memory).
    sealer:
        Seals quarantined rows (they may hold personal identifiers) and the vault's values.
    tokenizer:
        The workspace's graph-key tokens: personal columns are stored as keyed tokens (``storage.protected``).
    mapping:
        A bank export's declared mapping (``ingest.mapping``): its file names, sheets and headers, money units,
        time zone of times without an offset and category values. None: the contract's own files.

    Returns
    -------
    IngestResult
        Run id, per-table counts (loaded, already present, quarantined), encodings and warnings.

    Raises
    ------
    IngestError
        When a file cannot be ingested at all: unreadable, truncated Parquet, missing or unknown columns.

    """
    sources = discover(source, mapping.aliases() if mapping else None)
    started = clock.now()
    run_id = f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    limits = limits_for(clock, as_of, settings.applicant_age)
    run = _Run(settings, engine, run_id, limits, batch_rows, Protector(tokenizer, sealer), mapping)
    reports = {
        name: TableReport(name, table(name).store, [str(p) for p in paths]) for name, paths in sources.files.items()
    }
    with engine.begin() as conn:
        start_run(conn, run_id, started, str(Path(source).resolve()), limits.as_of)
    error: str | None = None
    try:
        run.preflight(sources.files)
        for name, paths in sources.files.items():
            spec, report = table(name), reports[name]
            staged = run.stage(spec, paths, report, progress)
            run.load(spec, staged, paths, report, progress)
            staged.unlink()
            run.sink.flush()
            report.quarantined = run.sink.counts[name]
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        run.sink.close()
        shutil.rmtree(run.tmp, ignore_errors=True)
        with engine.begin() as conn:
            finish_run(conn, run_id, clock.now(), {n: r.counts() for n, r in reports.items()}, error)
    warnings = sources.warnings + run.notes
    return IngestResult(run_id, Path(source), limits.as_of, reports, warnings, settings.quarantine_dir / run_id)
