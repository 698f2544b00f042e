"""Generate a whole universe: chunks of enterprises in parallel worker processes, streamed to Parquet parts."""

from __future__ import annotations

import multiprocessing
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from riskloop.domain.tables import SCHEMA_VERSION, TABLES
from riskloop.errors import ConfigError, ValidationError
from riskloop.io.arrow_schema import arrow_schema
from riskloop.synth import ids
from riskloop.synth.applications import application_tables
from riskloop.synth.arrays import Arr
from riskloop.synth.bureau import bureau_tables
from riskloop.synth.bureau_documents import bureau_documents
from riskloop.synth.collection_tables import TRUTH_SCHEMAS as COLLECTION_TRUTH
from riskloop.synth.collection_tables import collection_tables
from riskloop.synth.consumer_invoices import consumer_invoices
from riskloop.synth.decoys import merge_decoys
from riskloop.synth.documents import TRUTH_SCHEMAS as DOCUMENT_TRUTH
from riskloop.synth.documents import document_tables
from riskloop.synth.events import listings, registration_events, risk_events
from riskloop.synth.finance import Revenue, financial_statements, revenue_path
from riskloop.synth.firms import STATUS_ACTIVE, Firms, make_firms
from riskloop.synth.future_scale import TRUTH_SCHEMAS as FUTURE_TRUTH
from riskloop.synth.future_scale import future_truth
from riskloop.synth.government import government_tables
from riskloop.synth.guarantees import Guarantees, guarantees
from riskloop.synth.hard_fraud import chunk_fraud
from riskloop.synth.invoices import Distress, invoices
from riskloop.synth.loans import loan_products, loan_tables
from riskloop.synth.logins import login_events
from riskloop.synth.params import GENERATOR_VERSION, Stream, UniverseParams, rng
from riskloop.synth.platform_registrations import ATTACKS, EVENTS_REGISTRATIONS, registration_log
from riskloop.synth.platform_registrations import TRUTH_SCHEMA as ATTACKS_SCHEMA
from riskloop.synth.postloan import PostLoan, post_loan_plan
from riskloop.synth.regime import TRUTH_SCHEMA, chunk_regime, scenario_table
from riskloop.synth.registration import firm_text, registration_tables
from riskloop.synth.rings import plant_rings
from riskloop.synth.risk import risk_tables
from riskloop.synth.tax import tax_tables
from riskloop.synth.transactions import account_transactions
from riskloop.synth.truth import DECOYS, HARD_TRUTH_SCHEMAS, TRUTH_SCHEMAS, truth_tables
from riskloop.synth.writer import conform, merge_parts, part_name, write_lines, write_manifest, write_parquet

Progress = Callable[[int, int], None]  # (enterprises done, enterprises in total)
HISTORY = "history"  # earlier versions of versioned tables: a second ingest (``riskloop ingest U/history``)
HISTORY_ENTERPRISES = f"{HISTORY}/enterprises"
CONSUMER_INVOICES = "invoices/consumers"  # an extra part file of invoices (``consumers-NNNNN.parquet``)
BUREAU = "bureau"  # the bureau's report documents: a second ingest (``riskloop ingest U/bureau``)
PBOC_DOCUMENTS = f"{BUREAU}/pboc_reports"
EVENTS = "events"  # logs a bank screens as they arrive rather than ingests (the platform's registrations)
SCENARIO, SCENARIO_APPLICATIONS = "scenario", "scenario_applications"  # truth of a drift scenario


@dataclass(frozen=True)
class UniverseSummary:
    """What was written: the directory, row counts of tables and truth, and the manifest."""

    out: Path
    rows: dict[str, int]
    truth_rows: dict[str, int]
    manifest: dict[str, Any]


def _products(chunk: int) -> pa.Table:
    """The product catalogue, written once: by chunk 0."""
    products = loan_products()
    return products if chunk == 0 else products.slice(0, 0)


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
        Contract tables (conformed to their Arrow schemas) by name, with the earlier versions of enterprises
        under ``HISTORY_ENTERPRISES``, and truth tables by name.

    """
    firms = make_firms(params, chunk)
    fraud = chunk_fraud(params, chunk)  # the standard fraud draws and computes nothing more
    rings = fraud.rings(firms, plant_rings(params, chunk, firms))
    regime = None
    if params.scenario.active:  # without a scenario nothing below draws or computes anything more
        regime, rings = chunk_regime(params, chunk, firms, rings)
    text = fraud.text(firms, rings, firm_text(params, chunk, firms))
    # the loan book first: post-loan data of every dimension follows each borrower's deterioration
    app_tables, apps = application_tables(params, chunk, firms, text, rings, regime=regime)
    app_tables["applications"] = fraud.applications(firms, text, rings, apps, app_tables["applications"])
    loan_book, book = loan_tables(params, chunk, firms, apps)
    plan = post_loan_plan(params, chunk, firms, book)
    drawn = revenue_path(params, chunk, firms)
    factor, progress = plan.monthly(firms.n, drawn.months)
    if regime is not None:
        factor = factor * regime.monthly(firms.n, drawn.months)
    revenue = Revenue(drawn.months, drawn.amount * factor)
    statements, annual = financial_statements(params, chunk, firms, revenue, text.codes)
    tables: dict[str, pa.Table] = {"financial_statements": statements}
    tables.update(registration_tables(params, chunk, firms, text))
    tables.update(government_tables(params, chunk, firms, text.codes))
    tables.update(tax_tables(params, chunk, firms, revenue=revenue, annual=annual, codes=text.codes))
    distress = Distress(factor, progress, rng(params, chunk, Stream.POSTLOAN_INVOICES))
    tables["invoices"] = invoices(params, chunk, firms, revenue, rings, distress=distress)
    tables.update(risk_tables(params, chunk, firms, text.codes))
    tables.update(app_tables)
    tables["login_events"] = login_events(params, chunk, firms, apps, app_tables["applications"])
    tables.update(loan_book)
    guaranteed = guarantees(params, chunk, firms, book, term=apps.term[book.app], codes=text.codes)
    tables["guarantees"] = guaranteed.table
    tables["account_transactions"], related = account_transactions(
        params, chunk, firms, book, plan=plan, guarantor_row=guaranteed.guarantor_row, regime=regime
    )
    tables.update(
        post_loan_events(params, chunk, firms, plan=plan, tables=tables, codes=text.codes, guaranteed=guaranteed)
    )
    tables.update(bureau_tables(params, chunk, firms, plan, text.codes))
    extras = bank_exports(params, chunk, firms, revenue, tables)  # adds credit_report_loans to ``tables``
    # collection last, from streams of its own: every table above keeps its draws
    collected, collection_truth = collection_tables(params, chunk, firms, book, plan, tables)
    documents, document_truth = document_tables(params, chunk, tables)  # risk documents: streams of their own
    tables.update(collected | documents)
    tables["loan_products"] = _products(chunk)
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
    truth["loans"] = (
        truth["loans"]
        .append_column("related_party_transfers", pa.array(related))
        .append_column("revenue_drop", pa.array(plan.depth))
    )
    truth["guarantees"] = pa.table(
        {"guarantee_id": guaranteed.table["guarantee_id"], "contagion": pa.array(guaranteed.contagion)}
    )
    # each enterprise's true future (issue 18), from streams of its own: truth only
    truth.update(
        fraud.truth
        | collection_truth
        | document_truth
        | future_truth(
            params,
            chunk,
            firms,
            revenue=revenue,
            plan=plan,
            regime=regime,
            book=book,
            term=apps.term[book.app],
            applicants=apps.row,
            codes=text.codes,
        )
    )
    if regime is not None:
        applied = apps.applied_at.astype("datetime64[D]")
        truth[SCENARIO_APPLICATIONS] = regime.truth(apps.application_id, apps.row, apps.ring, applied)
    conformed = {t.name: conform(t.name, tables[t.name]) for t in TABLES}
    conformed[HISTORY_ENTERPRISES] = conform("enterprises", tables[HISTORY_ENTERPRISES])
    conformed.update(extras)
    # the platform's registration log last, from streams of its own (issue 17)
    conformed[EVENTS_REGISTRATIONS], truth[ATTACKS] = registration_log(params, chunk, firms, text)
    schemas = truth_schemas(params)
    return conformed, {name: truth[name].select(schema.names).cast(schema) for name, schema in schemas.items()}


def bank_exports(
    params: UniverseParams, chunk: int, firms: Firms, revenue: Revenue, tables: dict[str, pa.Table]
) -> dict[str, pa.Table]:
    """Bank exports (issue 17), from streams of their own so every other file keeps its bytes.

    Adds ``credit_report_loans`` to ``tables``; returns the extra outputs: invoices to consumers (an extra part of
    ``invoices``) and the bureau's report documents (``bureau/pboc_reports``).
    """
    documents = bureau_documents(params, chunk, tables)
    tables["credit_report_loans"] = documents.loans
    return {
        CONSUMER_INVOICES: conform("invoices", consumer_invoices(params, chunk, firms, revenue), current=True),
        PBOC_DOCUMENTS: pa.table({"document": pa.array(documents.lines, pa.string())}),
    }


def truth_schemas(params: UniverseParams) -> dict[str, pa.Schema]:
    """The per-chunk truth tables of a universe: the usual ones, the future's, the scenario's flags, hard fraud's."""
    schemas = dict(TRUTH_SCHEMAS) | COLLECTION_TRUTH | DOCUMENT_TRUTH | {ATTACKS: ATTACKS_SCHEMA} | FUTURE_TRUTH
    if params.scenario.active:
        schemas[SCENARIO_APPLICATIONS] = TRUTH_SCHEMA
    if params.hard:
        schemas.update(HARD_TRUTH_SCHEMAS)
    return schemas


def post_loan_events(
    params: UniverseParams,
    chunk: int,
    firms: Firms,
    *,
    plan: PostLoan,
    tables: dict[str, pa.Table],
    codes: pa.Array,
    guaranteed: Guarantees,
) -> dict[str, pa.Table]:
    """Dated external events after disbursal, appended to the risk and registration tables, and the two lists.

    Patches the registration snapshot: a firm on the abnormal-operation list now is ``abnormal``, and a new
    legal representative replaces the old one in ``enterprises`` and ``officers``. The snapshot's changed rows
    are valid from their change; the versions before go to ``HISTORY_ENTERPRISES`` (ADR 0020).
    """
    g = rng(params, chunk, Stream.POSTLOAN_EVENTS)
    extra = risk_events(g, plan, firms, codes, (guaranteed.sued_row, guaranteed.sued_day))
    out = {name: pa.concat_tables([conform(name, tables[name]), conform(name, t)]) for name, t in extra.items()}
    abnormal, freezes, listed = listings(g, plan, firms, codes, params.seed)
    out["abnormal_operations"], out["equity_freezes"] = abnormal, freezes
    changes, new_rep, rep_day = registration_events(g, plan, firms, codes, params.seed)
    out["registration_changes"] = pa.concat_tables(
        [conform("registration_changes", tables["registration_changes"]), conform("registration_changes", changes)]
    )
    before = tables["enterprises"]
    rep_ids = ids.resident_ids(params.seed, np.maximum(new_rep, 0))
    out["enterprises"], out[HISTORY_ENTERPRISES] = enterprise_versions(
        before,
        Change(new_rep >= 0, rep_day, rep_ids),
        Change(listed.now & (firms.status == STATUS_ACTIVE), listed.day, pa.repeat(pa.scalar("abnormal"), firms.n)),
    )
    changed = pa.array(new_rep >= 0)
    officers = tables["officers"]
    n = firms.n  # the first n officer rows are the legal representatives, in firm order
    person = pc.if_else(changed, rep_ids, officers["person_id"].slice(0, n))
    since = pc.if_else(changed, pa.array(rep_day), officers["since_date"].slice(0, n))
    head = officers.slice(0, n).set_column(officers.schema.get_field_index("person_id"), "person_id", person)
    head = head.set_column(officers.schema.get_field_index("since_date"), "since_date", since)
    out["officers"] = pa.concat_tables([head, officers.slice(n)])
    return out


@dataclass(frozen=True)
class Change:
    """A post-loan change of one registration column: which firms, from which day, to which value."""

    changed: Arr  # bool per firm
    day: Arr  # datetime64[D] per firm
    value: pa.Array


def enterprise_versions(before: pa.Table, rep: Change, status: Change) -> tuple[pa.Table, pa.Table]:
    """The registration snapshot now (valid from the latest change, else empty) and the versions before it.

    Before a firm's first change it stood as registered (valid from establishment); with both changes on
    different days an intermediate version carries the earlier one.
    """
    any_change = rep.changed | status.changed
    first = np.where(
        rep.changed & status.changed, np.minimum(rep.day, status.day), np.where(rep.changed, rep.day, status.day)
    )
    last = np.where(rep.changed & status.changed, np.maximum(rep.day, status.day), first)

    def version(on: Arr, valid_from: pa.Array) -> pa.Table:
        rep_on, status_on = rep.changed & (rep.day <= on), status.changed & (status.day <= on)
        table = before.set_column(
            before.schema.get_field_index("legal_rep_id"),
            "legal_rep_id",
            pc.if_else(pa.array(rep_on), rep.value, before["legal_rep_id"]),
        ).set_column(
            before.schema.get_field_index("status"),
            "status",
            pc.if_else(pa.array(status_on), status.value, before["status"]),
        )
        return table.append_column("valid_from", valid_from)

    established = before["established_date"]
    now = version(last, pa.array(last, mask=~any_change, type=pa.date32()))
    original = version(first - np.timedelta64(1, "D"), established).filter(pa.array(any_change))
    middle = version(first, pa.array(first, type=pa.date32())).filter(pa.array(any_change & (first < last)))
    history = pa.concat_tables([original, middle]).sort_by([("credit_code", "ascending"), ("valid_from", "ascending")])
    return now, history


def _part(name: str, chunk: int) -> str:
    """Where a chunk's part of ``name`` goes.

    ``tables/<name>/part-NNNNN.parquet``; ``history/<table>/...`` for earlier versions; an extra part beside a
    table's usual one for ``<table>/<extra>``: ``tables/<table>/<extra>-NNNNN.parquet``.
    """
    if name.startswith((f"{HISTORY}/", f"{EVENTS}/")):
        return f"{name}/{part_name(chunk)}"
    if name.startswith(f"{BUREAU}/"):
        return f"{name}/{part_name(chunk).removesuffix('.parquet')}.jsonl"
    table, _, extra = name.partition("/")
    return (
        f"tables/{table}/{extra}-{part_name(chunk).removeprefix('part-')}"
        if extra
        else f"tables/{name}/{part_name(chunk)}"
    )


def _write_chunk(job: tuple[UniverseParams, int, str]) -> dict[str, Any]:
    params, chunk, out = job
    root = Path(out)
    tables, truth = chunk_tables(params, chunk)  # tables: the contract's, and the history's by folder
    files = {
        _part(name, chunk): (write_lines if name.startswith(f"{BUREAU}/") else write_parquet)(
            t, root / _part(name, chunk)
        )
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
        if entries and "manifest.json" not in entries and entries - {"tables", "truth", HISTORY, BUREAU, EVENTS}:
            raise ConfigError(f"out: {out} is not empty and holds no universe; refusing to overwrite it")
        for name in ("tables", "truth", HISTORY, BUREAU, EVENTS):
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
    for name, schema in truth_schemas(params).items():
        parts = [out / "truth" / "_parts" / name / part_name(c) for c in range(params.chunks)]
        truth_files[f"truth/{name}.parquet"] = merge_parts(parts, schema, out / "truth" / f"{name}.parquet")
    shutil.rmtree(out / "truth" / "_parts")
    if params.hard:  # a decoy used in several chunks: one row, its enterprises summed
        path = out / "truth" / f"{DECOYS}.parquet"
        truth_files[f"truth/{DECOYS}.parquet"] = write_parquet(merge_decoys(pq.read_table(path)), path)
    if params.scenario.active:
        truth_files[f"truth/{SCENARIO}.parquet"] = write_parquet(
            scenario_table(params), out / "truth" / f"{SCENARIO}.parquet"
        )
    rows = {t.name: sum(f["rows"] for k, f in files.items() if k.startswith(f"tables/{t.name}/")) for t in TABLES}
    truth_rows = {name.removeprefix("truth/").removesuffix(".parquet"): f["rows"] for name, f in truth_files.items()}
    history_rows = sum(f["rows"] for k, f in files.items() if k.startswith(f"{HISTORY_ENTERPRISES}/"))
    event_rows = sum(f["rows"] for k, f in files.items() if k.startswith(f"{EVENTS_REGISTRATIONS}/"))
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
        "history_rows": {"enterprises": history_rows},
        "document_rows": {
            "pboc_reports": sum(f["rows"] for k, f in files.items() if k.startswith(f"{PBOC_DOCUMENTS}/"))
        },
        "event_rows": {"registrations": event_rows},
        "files": {
            path: {"rows": f["rows"], "bytes": f["bytes"], "sha256": f["sha256"]}
            for path, f in sorted(all_files.items())
        },
        "table_schemas": {t.name: str(arrow_schema(t)).splitlines() for t in TABLES},
    }
    if params.scenario.active:
        manifest["scenario"] = params.scenario.describe(params.as_of)
    if params.hard:
        manifest["fraud"] = params.fraud
    write_manifest(out / "manifest.json", manifest)
    return UniverseSummary(out=out, rows=rows, truth_rows=truth_rows, manifest=manifest)
