"""SQLAlchemy table definitions: generated from the table contract, plus the operational tables of ingestion."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from riskloop.domain.tables import TABLES, Column, Table

metadata = sa.MetaData()

# Widths of formatted strings: the longest valid value (IPv6 text form is at most 45 characters).
_FORMAT_LENGTHS = {"uscc": 18, "resident_id": 18, "phone": 20, "ip": 45, "email": 254}


_KIND_TYPES: dict[str, sa.types.TypeEngine[Any]] = {
    "int": sa.BigInteger(),
    "money": sa.BigInteger(),
    "signed_money": sa.BigInteger(),
    "float": sa.Float(precision=53),
    "bool": sa.Boolean(),
    "date": sa.Date(),
    "timestamp": sa.DateTime(timezone=True),
}


def sql_type(column: Column) -> sa.types.TypeEngine[Any]:
    """Return the SQL type of a contract column (money is integer cents, so BigInteger)."""
    if column.kind in _KIND_TYPES:
        return _KIND_TYPES[column.kind]
    if column.kind == "category":
        return sa.String(max(len(v) for v in column.values))
    if column.personal:
        return sa.Text()  # a keyed token or a sealed value, never the raw identifier (``storage.protected``)
    length = column.max_length or (_FORMAT_LENGTHS.get(column.format) if column.format else None)
    return sa.String(length) if length else sa.Text()


def _contract_table(spec: Table) -> sa.Table:
    # A versioned table's rows are keyed by key and valid-from day, always set at ingest (ADR 0020).
    columns = [
        sa.Column(
            c.name,
            sql_type(c),
            nullable=c.nullable and c.name != spec.valid_from,
            primary_key=c.name in spec.row_key,
            comment=c.doc,
        )
        for c in spec.columns
    ]
    # Contract references are not foreign keys: banks load partial extracts in any order.
    return sa.Table(spec.name, metadata, *columns, comment=spec.doc)


CONTRACT_TABLES: dict[str, sa.Table] = {t.name: _contract_table(t) for t in TABLES if t.store == "sql"}

ingest_runs = sa.Table(
    "ingest_runs",
    metadata,
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("source_dir", sa.Text(), nullable=False),
    sa.Column("as_of", sa.Date(), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, comment="running, succeeded or failed"),
    sa.Column("rows_loaded", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("rows_already_present", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("rows_quarantined", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Column("table_counts", sa.Text(), nullable=False, server_default="{}", comment="JSON: per-table counts"),
    sa.Column("error", sa.Text(), nullable=True),
    comment="One row per ingest run.",
)

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(40), sa.ForeignKey("ingest_runs.run_id"), nullable=False, index=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("source_file", sa.Text(), nullable=False),
    sa.Column("row_number", sa.BigInteger(), nullable=True, comment="1-based data row in the file; header excluded"),
    sa.Column("field", sa.Text(), nullable=True, comment="failing column(s); empty for a malformed row"),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("raw", sa.Text(), nullable=False, comment="the row as read, JSON"),
    comment="Rows rejected by ingestion, with the field and the reason.",
)

published_features = sa.Table(
    "published_features",
    metadata,
    sa.Column("credit_code", sa.String(18), primary_key=True),
    sa.Column("feature_set", sa.String(64), primary_key=True, comment="feature-set version the values belong to"),
    sa.Column("as_of", sa.Date(), nullable=False, comment="date the values were computed as of"),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("feature_values", sa.Text(), nullable=False, comment="JSON object: feature name -> value or null"),
    comment="Latest published features per enterprise, for online lookup on the decision path.",
)

model_registry = sa.Table(
    "model_registry",
    metadata,
    sa.Column("model_id", sa.String(80), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False, comment="e.g. fused-ensemble, baseline-lightgbm"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("path", sa.Text(), nullable=False, comment="bundle directory"),
    sa.Column("manifest_sha256", sa.String(64), nullable=False),
    sa.Column("training_window", sa.Text(), nullable=False, server_default="{}", comment="JSON: start, end, rows"),
    sa.Column("features", sa.Text(), nullable=False, server_default="[]", comment="JSON list of feature names"),
    sa.Column("metrics", sa.Text(), nullable=False, server_default="{}", comment="JSON: validation figures"),
    sa.Column(
        "status",
        sa.String(20),
        nullable=False,
        server_default="registered",
        comment="registered, approved, active or retired",
    ),
    sa.Column(
        "registered_by",
        sa.String(80),
        nullable=False,
        server_default="unknown",
        comment="who trained and registered it (never its approver)",
    ),
    sa.Column("approved_by", sa.String(80), nullable=True, comment="who approved it for activation"),
    sa.UniqueConstraint("name", "version", name="uq_model_registry_name_version"),
    sa.Index(
        "uq_model_registry_one_active",
        "name",
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    ),
    comment="Versioned model bundles: plain artifacts with sha256, never pickles.",
)

graph_builds = sa.Table(
    "graph_builds",
    metadata,
    sa.Column("build_id", sa.String(40), primary_key=True),
    sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("node_count", sa.BigInteger(), nullable=False),
    sa.Column("edge_count", sa.BigInteger(), nullable=False),
    sa.Column("counts", sa.Text(), nullable=False, server_default="{}", comment="JSON: nodes and edges per kind"),
    sa.Column("key_fingerprint", sa.String(64), nullable=True, comment="HMAC-SHA256 of a fixed label under the key"),
    comment="One row per graph build; the latest is the graph in graph_nodes and graph_edges.",
)

graph_nodes = sa.Table(
    "graph_nodes",
    metadata,
    sa.Column("node_id", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("kind", sa.SmallInteger(), nullable=False, comment="code into riskloop.graph.kinds.NODE_KINDS"),
    sa.Column("token", sa.String(64), nullable=False, comment="credit code, application id, or HMAC token"),
    sa.Column("lookup_key", sa.BigInteger(), nullable=False, index=True, comment="64-bit keyed lookup key"),
    sa.Column("label", sa.String(200), nullable=False, comment="masked display label, never raw PII"),
    comment="Nodes of the enterprise graph.",
)

graph_edges = sa.Table(
    "graph_edges",
    metadata,
    sa.Column("src", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("dst", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("kind", sa.SmallInteger(), primary_key=True, autoincrement=False, comment="code into EDGE_KINDS"),
    sa.Column("weight", sa.Float(precision=53), nullable=False, comment="stake, invoice volume (CNY), count or 1"),
    sa.Column("valid_from", sa.BigInteger(), nullable=False, comment="epoch seconds"),
    sa.Column("valid_to", sa.BigInteger(), nullable=True, comment="epoch seconds; null while open"),
    comment="Edges of the enterprise graph, one per source, target and kind.",
)

ARRIVAL_IDENTIFIER = "keyed token (tok1:<token>:<masked label>, ADR 0016); sealed while the graph key is missing"
graph_arrivals = sa.Table(
    "graph_arrivals",
    metadata,
    sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
        comment="log position: allocated at insert, visible at commit (so not always in commit order)",
    ),
    sa.Column("application_id", sa.String(40), nullable=False),
    sa.Column("credit_code", sa.String(18), nullable=False),
    sa.Column("applicant_id", sa.Text(), nullable=True, comment=ARRIVAL_IDENTIFIER),
    sa.Column("phone", sa.Text(), nullable=True, comment=ARRIVAL_IDENTIFIER),
    sa.Column("device_id", sa.Text(), nullable=True, comment=ARRIVAL_IDENTIFIER),
    sa.Column("ip", sa.Text(), nullable=True, comment=ARRIVAL_IDENTIFIER),
    sa.Column("address", sa.Text(), nullable=True, comment=ARRIVAL_IDENTIFIER),
    sa.Column("email", sa.Text(), nullable=True, comment=ARRIVAL_IDENTIFIER),
    sa.Column("bank_account", sa.Text(), nullable=True, comment=ARRIVAL_IDENTIFIER),
    sa.Column("ip_subnet", sa.Text(), nullable=True, comment="keyed token of the IP's /24 network (IPv4 only)"),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False, comment="the decision time", index=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("application_id", name="uq_graph_arrivals_application_id"),
    sqlite_autoincrement=True,  # never reuse a number: readers keep the highest one they read
    comment="Every decided application, logged with its decision, for the graph checks of every worker to tail.",
)

pii_vault = sa.Table(
    "pii_vault",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True, comment="identifier kind the token is keyed for"),
    sa.Column("token", sa.String(24), primary_key=True, comment="keyed token (HMAC under the graph key)"),
    sa.Column("sealed", sa.Text(), nullable=False, comment="the value as first written, envelope-sealed"),
    comment="Personal identifiers of ingested tables by token: opened only for roles that need them, audited.",
)
