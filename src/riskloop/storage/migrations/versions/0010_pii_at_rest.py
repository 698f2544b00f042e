"""Personal identifiers at rest: seal decision inputs and quarantined rows, tokenise the arrival log, in place.

Rows are read in batches by primary key and rewritten only when they still hold a raw identifier, so the
migration is idempotent (a sealed value or a keyed token is recognised by its prefix) and can resume. The keys
come from the workspace (``riskloop.storage.migrate.upgrade(home=...)``): the PII key file and the graph key.
A database with rows to convert and no workspace keys is an error, never left half-protected. ADR 0016.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from riskloop.graph.tokens import KEYED
from riskloop.privacy.envelope import PREFIX, is_sealed
from riskloop.privacy.fields import REQUEST_FIELDS, seal_inputs, seal_raw
from riskloop.privacy.scrub import scrub
from riskloop.storage.arrivals import keyed
from riskloop.storage.secrets import MigrationKeys

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
TOKENISED = (("applicant_id", "person"), ("phone", "phone"))  # (column, graph kind) the log tokenised at 0010
_decisions = sa.table("decisions", sa.column("decision_id", sa.String), sa.column("inputs", sa.Text))
_arrivals = sa.table(
    "graph_arrivals", sa.column("seq", sa.BigInteger), sa.column("applicant_id", sa.Text), sa.column("phone", sa.Text)
)
_quarantine = sa.table(
    "quarantine", sa.column("id", sa.BigInteger), sa.column("raw", sa.Text), sa.column("reason", sa.Text)
)


def _raw_identifiers(inputs: Any) -> bool:
    request = inputs.get("request") if isinstance(inputs, dict) else None
    return isinstance(request, dict) and any(
        isinstance(request.get(n), str) and not is_sealed(request[n]) for n in REQUEST_FIELDS
    )


def _batches(conn: sa.Connection, table: Any, key: str, *columns: str, where: Any = None) -> Iterator[Sequence[Any]]:
    last: Any = None
    pk = table.c[key]
    while True:
        stmt = sa.select(pk, *(table.c[c] for c in columns)).order_by(pk).limit(BATCH)
        if where is not None:
            stmt = stmt.where(where)
        if last is not None:
            stmt = stmt.where(pk > last)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def upgrade() -> None:
    """Seal, tokenise and scrub every row that still holds a raw identifier."""
    conn = op.get_bind()
    built = conn.execute(sa.text("SELECT count(*) FROM graph_builds")).scalar()
    keys = MigrationKeys(context.config.attributes.get("home"), revision, graph_built=bool(built))
    for rows in _batches(conn, _decisions, "decision_id", "inputs"):
        for decision_id, text in rows:
            inputs = json.loads(text)
            if _raw_identifiers(inputs):
                body = json.dumps(seal_inputs(keys.sealer, inputs), sort_keys=True, ensure_ascii=False)
                conn.execute(_decisions.update().where(_decisions.c.decision_id == decision_id).values(inputs=body))
    raw_arrival = sa.or_(
        *(sa.and_(_arrivals.c[c].is_not(None), sa.not_(_arrivals.c[c].startswith(KEYED))) for c, _ in TOKENISED)
    )
    for rows in _batches(conn, _arrivals, "seq", "applicant_id", "phone", where=raw_arrival):
        for seq, applicant_id, phone in rows:
            values = {"applicant_id": applicant_id, "phone": phone}
            new = {c: keyed(keys.tokenizer, kind, values[c]) for c, kind in TOKENISED}
            conn.execute(_arrivals.update().where(_arrivals.c.seq == seq).values(**new))
    for rows in _batches(conn, _quarantine, "id", "raw", "reason", where=sa.not_(_quarantine.c.raw.startswith(PREFIX))):
        for row_id, raw, reason in rows:
            values = {"raw": seal_raw(keys.sealer, raw), "reason": scrub(reason)}
            conn.execute(_quarantine.update().where(_quarantine.c.id == row_id).values(**values))


def downgrade() -> None:
    """Nothing to undo in the schema; sealed values stay sealed (opening them needs the keys, on purpose)."""
