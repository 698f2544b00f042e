"""Generate a whole universe: chunks of enterprises in parallel worker processes, streamed to Parquet parts."""

from __future__ import annotations

import multiprocessing
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from riskloop.domain.tables import SCHEMA_VERSION, TABLES
from riskloop.errors import ConfigError, ValidationError
from riskloop.io.arrow_schema import arrow_schema
from riskloop.synth.applications import application_tables
from riskloop.synth.finance import financial_statements, revenue_path
from riskloop.synth.firms import make_firms
from riskloop.synth.government import government_tables
from riskloop.synth.invoices import invoices
from riskloop.synth.loans import loan_products, loan_tables
from riskloop.synth.logins import login_events
from riskloop.synth.params import GENERATOR_VERSION, UniverseParams
from riskloop.synth.registration import firm_text, registration_tables
from riskloop.synth.rings import plant_rings
from riskloop.synth.risk import risk_tables
from riskloop.synth.tax import tax_tables
from riskloop.synth.transactions import account_transactions
from riskloop.synth.truth import TRUTH_SCHEMAS, truth_tables
from riskloop.synth.writer import conform, merge_parts, part_name, write_manifest, write_parquet

Progress = Callable[[int, int], None]  # (enterprises done, enterprises in total)


@dataclass(frozen=True)
class UniverseSummary:
    """What was written: the directory, row counts of tables and truth, and the manifest."""

    out: Path
    rows: dict[str, int]
    truth_rows: dict[str, int]
    manifest: dict[str, Any]


def chunk_tables(params: UniverseParams, chunk: int) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """Generate every contract table and truth table of one chunk, in memory.

    Parameters
    ----------
    params : UniverseParams
        Universe parameters.
    chunk : int
        Chunk number, ``0 <= chunk < params.chunks``.

    Returns
    -------
    tuple of dict
        Contract tables (conformed to their Arrow schemas) and truth tables, by name.

    """
    firms = make_firms(params, chunk)
    rings = plant_rings(params, chunk, firms)
    text = firm_text(params, chunk, firms)
    revenue = revenue_path(params, chunk, firms)
    statements, annual = financial_statements(params, chunk, firms, revenue, text.codes)
    tables: dict[str, pa.Table] = {"financial_statements": statements}
    tables.update(registration_tables(params, chunk, firms, text))
    tables.update(government_tables(params, chunk, firms, text.codes))
    tables.update(tax_tables(params, chunk, firms, revenue=revenue, annual=annual, codes=text.codes))
    tables["invoices"] = invoices(params, chunk, firms, revenue, rings)
    tables.update(risk_tables(params, chunk, firms, text.codes))
    app_tables, apps = application_tables(params, chunk, firms, text, rings)
    tables.update(app_tables)
    tables["login_events"] = login_events(params, chunk, firms, apps, app_tables["applications"])
    loan_book, book = loan_tables(params, chunk, firms, apps)
    tables.update(loan_book)
    tables["account_transactions"] = account_transactions(params, chunk, firms, book)
    products = loan_products()
    tables["loan_products"] = products if chunk == 0 else products.slice(0, 0)
    truth = truth_tables(
        params.seed,
        firms,
        text,
        rings=rings,
        apps=apps,
        app_table=app_tables["applications"],
        book=book,
        loan_ids=loan_book["loans"]["loan_id"],
    )
    conformed = {t.name: conform(t.name, tables[t.name]) for t in TABLES}
    return conformed, {name: truth[name].select(schema.names).cast(schema) for name, schema in TRUTH_SCHEMAS.items()}


def _write_chunk(job: tuple[UniverseParams, int, str]) -> dict[str, Any]:
    params, chunk, out = job
    root = Path(out)
    tables, truth = chunk_tables(params, chunk)
    files = {
        f"tables/{name}/{part_name(chunk)}": write_parquet(t, root / "tables" / name / part_name(chunk))
        for name, t in tables.items()
    }
    for name, t in truth.items():
        write_parquet(t, root / "truth" / "_parts" / name / part_name(chunk))
    return {
        "chunk": chunk,
        "enterprises": params.chunk_bounds(chunk)[1] - params.chunk_bounds(chunk)[0],
        "files": files,
    }


def _prepare(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise ConfigError(f"out: {out} exists and is not a directory")
        entries = {p.name for p in out.iterdir()}
        if entries and "manifest.json" not in entries and entries - {"tables", "truth"}:
            raise ConfigError(f"out: {out} is not empty and holds no universe; refusing to overwrite it")
        for name in ("tables", "truth"):
            shutil.rmtree(out / name, ignore_errors=True)
        (out / "manifest.json").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def generate_universe(
    params: UniverseParams, out: Path, workers: int = 2, progress: Progress | None = None
) -> UniverseSummary:
    """Generate the universe described by ``params`` into ``out``.

    The output is a pure function of ``params``: the worker count only changes how fast it is written.

    Parameters
    ----------
    params : UniverseParams
        Universe parameters.
    out : pathlib.Path
        Output directory (created; an earlier universe in it is replaced).
    workers : int
        Worker processes; 1 generates in this process.
    progress : callable, optional
        Called with ``(enterprises_done, enterprises_total)`` after each chunk.

    Returns
    -------
    UniverseSummary
        Row counts and the manifest.

    """
    if workers < 1:
        raise ValidationError("workers", "must be at least 1")
    _prepare(out)
    jobs = [(params, chunk, str(out)) for chunk in range(params.chunks)]
    files: dict[str, dict[str, Any]] = {}
    done = 0
    if progress:
        progress(0, params.enterprises)

    def collect(result: dict[str, Any]) -> None:
        nonlocal done
        files.update(result["files"])
        done += result["enterprises"]
        if progress:
            progress(done, params.enterprises)

    if workers == 1 or params.chunks == 1:
        for job in jobs:
            collect(_write_chunk(job))
    else:
        with multiprocessing.get_context("spawn").Pool(min(workers, params.chunks)) as pool:
            for result in pool.imap(_write_chunk, jobs):
                collect(result)
    truth_files: dict[str, dict[str, Any]] = {}
    for name, schema in TRUTH_SCHEMAS.items():
        parts = [out / "truth" / "_parts" / name / part_name(c) for c in range(params.chunks)]
        truth_files[f"truth/{name}.parquet"] = merge_parts(parts, schema, out / "truth" / f"{name}.parquet")
    shutil.rmtree(out / "truth" / "_parts")
    rows = {t.name: sum(f["rows"] for k, f in files.items() if k.startswith(f"tables/{t.name}/")) for t in TABLES}
    truth_rows = {name: truth_files[f"truth/{name}.parquet"]["rows"] for name in TRUTH_SCHEMAS}
    all_files = {**files, **truth_files}
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "generator": "riskloop.synth",
        "generator_version": GENERATOR_VERSION,
        "seed": params.seed,
        "parameters": params.as_dict(),
        "as_of": params.as_of.isoformat(),
        "chunks": params.chunks,
        "rows": rows,
        "truth_rows": truth_rows,
        "files": {
            path: {"rows": f["rows"], "bytes": f["bytes"], "sha256": f["sha256"]}
            for path, f in sorted(all_files.items())
        },
        "table_schemas": {t.name: str(arrow_schema(t)).splitlines() for t in TABLES},
    }
    write_manifest(out / "manifest.json", manifest)
    return UniverseSummary(out=out, rows=rows, truth_rows=truth_rows, manifest=manifest)
