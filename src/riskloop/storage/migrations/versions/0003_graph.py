"""Enterprise graph: builds, nodes and edges.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "graph_builds",
        sa.Column("build_id", sa.String(length=40), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("node_count", sa.BigInteger(), nullable=False),
        sa.Column("edge_count", sa.BigInteger(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False, server_default="{}", comment="JSON: nodes and edges per kind"),
        sa.PrimaryKeyConstraint("build_id"),
        comment="One row per graph build; the latest is the graph in graph_nodes and graph_edges.",
    )
    op.create_table(
        "graph_nodes",
        sa.Column("node_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False, comment="code into riskloop.graph.kinds.NODE_KINDS"),
        sa.Column("token", sa.String(length=64), nullable=False, comment="credit code, application id, or HMAC token"),
        sa.Column("lookup_key", sa.BigInteger(), nullable=False, comment="64-bit keyed lookup key"),
        sa.Column("label", sa.String(length=200), nullable=False, comment="masked display label, never raw PII"),
        sa.PrimaryKeyConstraint("node_id"),
        comment="Nodes of the enterprise graph.",
    )
    op.create_index(op.f("ix_graph_nodes_lookup_key"), "graph_nodes", ["lookup_key"], unique=False)
    op.create_table(
        "graph_edges",
        sa.Column("src", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("dst", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.SmallInteger(), autoincrement=False, nullable=False, comment="code into EDGE_KINDS"),
        sa.Column("weight", sa.Float(precision=53), nullable=False, comment="stake, invoice volume (CNY), count or 1"),
        sa.Column("valid_from", sa.BigInteger(), nullable=False, comment="epoch seconds"),
        sa.Column("valid_to", sa.BigInteger(), nullable=True, comment="epoch seconds; null while open"),
        sa.PrimaryKeyConstraint("src", "dst", "kind"),
        comment="Edges of the enterprise graph, one per source, target and kind.",
    )


def downgrade() -> None:
    """Drop the tables."""
    op.drop_table("graph_edges")
    op.drop_index(op.f("ix_graph_nodes_lookup_key"), table_name="graph_nodes")
    op.drop_table("graph_nodes")
    op.drop_table("graph_builds")
