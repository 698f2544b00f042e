"""The arrival log keeps the request's address, e-mail and settlement account, every identifier by keyed token.

New columns of ``graph_arrivals``: ``address``, ``email``, ``bank_account`` (the decision request carries them
now, so the graph checks of every worker link them as the batch graph does) and ``ip_subnet`` (the keyed token
of the IP's /24 network: a keyed IP cannot give it). Rows logged before hold ``device_id`` and ``ip`` as posted:
they are tokenised in place, 500 rows a batch by sequence number, only rows still raw (idempotent), with the
workspace's graph key (``riskloop.storage.migrate.upgrade(home=...)``). A database with such rows and no
workspace keys is an error, never left half-protected. ADR 0016.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from riskloop.domain.pii import PROTECTED_PREFIXES
from riskloop.storage.arrivals import keyed, subnet_token
from riskloop.storage.secrets import MigrationKeys

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
IDENTIFIER = "keyed token (tok1:<token>:<masked label>, ADR 0016); sealed while the graph key is missing"
SUBNET = "keyed token of the IP's /24 network (IPv4 only)"
NEW = ("address", "email", "bank_account")
RAW_BEFORE = (("device_id", "device"), ("ip", "ip"))  # (column, graph kind) logged as posted before 0019
_arrivals = sa.table(
    "graph_arrivals",
    sa.column("seq", sa.BigInteger),
    sa.column("device_id", sa.Text),
    sa.column("ip", sa.Text),
    sa.column("ip_subnet", sa.Text),
)


def upgrade() -> None:
    """Add the columns; tokenise the device and IP of the rows logged before."""
    for name in NEW:
        op.add_column("graph_arrivals", sa.Column(name, sa.Text(), nullable=True, comment=IDENTIFIER))
    op.add_column("graph_arrivals", sa.Column("ip_subnet", sa.Text(), nullable=True, comment=SUBNET))
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":  # SQLite keeps no comments
        for name in ("applicant_id", "phone", "device_id", "ip"):
            op.alter_column("graph_arrivals", name, existing_type=sa.Text(), existing_nullable=True, comment=IDENTIFIER)
    built = conn.execute(sa.text("SELECT count(*) FROM graph_builds")).scalar()
    keys = MigrationKeys(context.config.attributes.get("home"), revision, graph_built=bool(built))
    t = _arrivals.c
    protected = {c: sa.or_(*(t[c].startswith(p) for p in PROTECTED_PREFIXES)) for c, _ in RAW_BEFORE}
    raw = sa.or_(*(sa.and_(t[c].is_not(None), sa.not_(protected[c])) for c, _ in RAW_BEFORE))
    last = 0
    while True:
        stmt = sa.select(t.seq, t.device_id, t.ip).where(raw, t.seq > last).order_by(t.seq).limit(BATCH)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        for seq, device_id, ip in rows:
            posted = {"device_id": device_id, "ip": ip}
            values = {column: keyed(keys.tokenizer, kind, posted[column]) for column, kind in RAW_BEFORE}
            values["ip_subnet"] = subnet_token(keys.tokenizer, ip)
            conn.execute(_arrivals.update().where(t.seq == seq).values(**values))
        last = rows[-1][0]


def downgrade() -> None:
    """Drop the new columns; devices and IPs stay keyed tokens (the checks link a token as they link the raw value)."""
    for name in (*NEW, "ip_subnet"):
        op.drop_column("graph_arrivals", name)  # SQLite 3.35+ drops a plain column in place (AUTOINCREMENT kept)
