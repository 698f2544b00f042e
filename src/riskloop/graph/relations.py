# ruff: noqa: S608  (SQL assembled from constants of this module only)
"""The relations the graph is built from: one SQL query per relation over the ingested tables.

Each query returns raw ``src``, ``dst`` values (normalised and tokenised afterwards), a ``weight`` (stake,
invoice volume in CNY, login count; 1 otherwise) and validity as epoch seconds (``valid_to`` null: open).
A relation whose tables were not ingested is skipped, so a bank's partial extract builds what it can.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskloop.domain.versions import valid_from_sql


@dataclass(frozen=True)
class Relation:
    """One edge source: ``src_kind`` -[``edge_kind``]-> ``dst_kind`` read by ``sql`` from ``tables``."""

    name: str
    tables: tuple[str, ...]
    src_kind: str
    dst_kind: str
    edge_kind: str
    sql: str


def _s(expr: str) -> str:
    return f"CAST(epoch(CAST({expr} AS TIMESTAMP)) AS BIGINT)"


# Each registration version's span (ADR 0020): the first from establishment, each until the second before the next
# one's valid-from (validity is inclusive), the latest open. Build merges the spans of one pair of ends.
_VERSIONS = (
    f"(SELECT *, CASE WHEN row_number() OVER w = 1 THEN established_date ELSE valid_from END AS version_start, "
    f"lead(valid_from) OVER w AS version_end FROM enterprises WINDOW w AS (PARTITION BY credit_code "
    f"ORDER BY {valid_from_sql()})) versions"
)
_VERSION_SPAN = (
    f"{_s('version_start')} AS valid_from, "
    f"CASE WHEN version_end IS NULL THEN NULL ELSE {_s('version_end')} - 1 END AS valid_to"
)


def _uses(column: str, kind: str) -> Relation:
    return Relation(
        f"application_{column}",
        ("applications",),
        "application",
        kind,
        f"uses_{kind}",
        f"SELECT application_id AS src, {column} AS dst, 1.0 AS weight, {_s('applied_at')} AS valid_from, "
        f"NULL::BIGINT AS valid_to FROM applications WHERE {column} IS NOT NULL",
    )


def _logins(column: str, kind: str) -> Relation:
    return Relation(
        f"login_{column}",
        ("login_events",),
        "person",
        kind,
        "logged_in_from",
        f"SELECT person_id AS src, {column} AS dst, CAST(count(*) AS DOUBLE) AS weight, {_s('min(ts)')} AS valid_from, "
        f"{_s('max(ts)')} AS valid_to FROM login_events WHERE {column} IS NOT NULL GROUP BY 1, 2",
    )


RELATIONS: tuple[Relation, ...] = (
    Relation(
        "enterprise_phone",
        ("enterprises",),
        "enterprise",
        "phone",
        "uses_phone",
        f"SELECT credit_code AS src, phone AS dst, 1.0 AS weight, {_VERSION_SPAN} FROM {_VERSIONS} "
        "WHERE phone IS NOT NULL",
    ),
    Relation(
        "enterprise_address",
        ("enterprises",),
        "enterprise",
        "address",
        "uses_address",
        f"SELECT credit_code AS src, address AS dst, 1.0 AS weight, {_VERSION_SPAN} FROM {_VERSIONS} "
        "WHERE address IS NOT NULL",
    ),
    Relation(
        "legal_rep",
        ("enterprises",),
        "person",
        "enterprise",
        "legal_rep",
        f"SELECT legal_rep_id AS src, credit_code AS dst, 1.0 AS weight, {_VERSION_SPAN} FROM {_VERSIONS} "
        "WHERE legal_rep_id IS NOT NULL",
    ),
    Relation(
        "officer",
        ("officers",),
        "person",
        "enterprise",
        "officer",
        f"SELECT person_id AS src, credit_code AS dst, 1.0 AS weight, {_s('min(since_date)')} AS valid_from, "
        "NULL::BIGINT AS valid_to FROM officers WHERE role <> 'legal_rep' GROUP BY 1, 2",
    ),
    Relation(
        "person_shareholding",
        ("shareholders",),
        "person",
        "enterprise",
        "shareholding",
        f"SELECT holder_id AS src, credit_code AS dst, stake_bp / 10000.0 AS weight, {_s('since_date')} AS valid_from, "
        "NULL::BIGINT AS valid_to FROM shareholders WHERE holder_kind = 'person'",
    ),
    Relation(
        "enterprise_shareholding",
        ("shareholders",),
        "enterprise",
        "enterprise",
        "shareholding",
        f"SELECT holder_id AS src, credit_code AS dst, stake_bp / 10000.0 AS weight, {_s('since_date')} AS valid_from, "
        "NULL::BIGINT AS valid_to FROM shareholders WHERE holder_kind = 'enterprise'",
    ),
    Relation(
        "person_guarantee",
        ("guarantees",),
        "person",
        "enterprise",
        "guarantee",
        f"SELECT guarantor_person_id AS src, credit_code AS dst, sum(amount_cents) / 100.0 AS weight, "
        f"{_s('min(start_date)')} AS valid_from, {_s('max(end_date)')} AS valid_to FROM guarantees "
        "WHERE guarantor_person_id IS NOT NULL GROUP BY 1, 2",
    ),
    Relation(
        "enterprise_guarantee",
        ("guarantees",),
        "enterprise",
        "enterprise",
        "guarantee",
        f"SELECT guarantor_code AS src, credit_code AS dst, sum(amount_cents) / 100.0 AS weight, "
        f"{_s('min(start_date)')} AS valid_from, {_s('max(end_date)')} AS valid_to FROM guarantees "
        "WHERE guarantor_code IS NOT NULL GROUP BY 1, 2",
    ),
    Relation(
        "invoice_trade",
        ("invoices",),
        "enterprise",
        "enterprise",
        "invoice_trade",
        "SELECT seller_code AS src, buyer_code AS dst, sum(amount_cents) / 100.0 AS weight, "
        f"{_s('min(issue_date)')} AS valid_from, {_s('max(issue_date)')} AS valid_to FROM invoices "
        "WHERE status = 'normal' AND buyer_code IS NOT NULL GROUP BY 1, 2",  # a consumer buyer is no node
    ),
    Relation(
        "litigation_party",
        ("litigations",),
        "enterprise",
        "enterprise",
        "litigation_party",
        f"SELECT p.credit_code AS src, d.credit_code AS dst, CAST(count(*) AS DOUBLE) AS weight, "
        f"{_s('min(p.filed_date)')} AS valid_from, NULL::BIGINT AS valid_to FROM litigations p "
        "JOIN litigations d ON p.case_no = d.case_no AND p.role = 'plaintiff' AND d.role = 'defendant' GROUP BY 1, 2",
    ),
    Relation(
        "person_phone",
        ("persons",),
        "person",
        "phone",
        "uses_phone",
        "SELECT person_id AS src, phone AS dst, 1.0 AS weight, 0::BIGINT AS valid_from, NULL::BIGINT AS valid_to "
        "FROM persons WHERE phone IS NOT NULL",
    ),
    Relation(
        "applied_for",
        ("applications",),
        "application",
        "enterprise",
        "applied_for",
        f"SELECT application_id AS src, credit_code AS dst, requested_amount_cents / 100.0 AS weight, "
        f"{_s('applied_at')} AS valid_from, NULL::BIGINT AS valid_to FROM applications",
    ),
    Relation(
        "applied_by",
        ("applications",),
        "application",
        "person",
        "applied_by",
        f"SELECT application_id AS src, applicant_id AS dst, 1.0 AS weight, {_s('applied_at')} AS valid_from, "
        "NULL::BIGINT AS valid_to FROM applications",
    ),
    _uses("phone", "phone"),
    _uses("address", "address"),
    _uses("device_id", "device"),
    _uses("ip", "ip"),
    _uses("email", "email"),
    _uses("bank_account", "bank_account"),
    _logins("device_id", "device"),
    _logins("ip", "ip"),
)
