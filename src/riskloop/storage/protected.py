"""Personal columns of ingested tables at rest: keyed tokens in the tables, the written value sealed in a vault.

Every column the table contract marks personal (``Column.pii_kind`` / ``Column.pii_by``) is stored as
``tok1:<token>:<masked label>`` (``Tokenizer.keyed`` of the normalised value, under the workspace's graph key):
equal identifiers stay equal, so joins, keys and the graph work on tokens exactly as they did on raw values,
and a live request's identifier finds the same token. The value as written is sealed once per token in
``pii_vault`` (envelope encryption, ADR 0016), so a role that needs it (a collection officer calling a debtor)
can recover it, audited, and nothing is lost. A value that does not normalise (an address too short to locate)
links nothing: it is stored as ``tok0:<token of the trimmed text>:<label>`` (graph normalisation reads it as
null). Every stored form is deterministic, so a re-ingest finds its rows already present, and protected values
pass through unchanged, so protecting is idempotent (a re-ingest, a resumed migration).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from riskloop.domain.pii import KEYED_PREFIX, PROTECTED_PREFIXES, UNLINKED_PREFIX
from riskloop.domain.tables import Column, Table
from riskloop.graph.normalize import normalize
from riskloop.graph.tokens import TOKEN_HEX, Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.storage.audit import audit
from riskloop.storage.models import pii_vault

VaultRow = dict[str, str]
VAULT_READ = 1000  # tokens per statement when opening many
_NULL = pa.scalar(None, pa.string())


def personal_columns(spec: Table) -> tuple[Column, ...]:
    """The columns of ``spec`` that may hold personal identifiers."""
    return tuple(c for c in spec.columns if c.personal)


def _starts(values: pa.Array, prefix: str) -> pa.Array:
    return pc.fill_null(pc.starts_with(values, prefix), False)


class Protector:
    """Protects the personal columns of batches of one contract table (``protect``) and collects vault rows."""

    def __init__(self, tokenizer: Tokenizer, sealer: Sealer) -> None:
        self.tokenizer, self.sealer = tokenizer, sealer

    def protect(self, spec: Table, data: pa.Table) -> tuple[pa.Table, list[VaultRow]]:
        """``data`` with every personal column protected, and the vault rows of the identifiers it keyed."""
        vault: list[VaultRow] = []
        for column in personal_columns(spec):
            index = data.schema.get_field_index(column.name)
            if index < 0:
                continue
            values = data[column.name].combine_chunks().cast(pa.string())
            for kind, rows in self._kinds(column, data):
                protected, keyed = self._column(kind, values, rows)
                values = protected
                vault += keyed
            data = data.set_column(index, data.schema.field(index), values)
        return data, vault

    @staticmethod
    def _kinds(column: Column, data: pa.Table) -> Iterable[tuple[str, pa.Array | None]]:
        """``(kind, rows)`` pairs: the rows (a mask; None: all) whose values are identifiers of ``kind``."""
        if column.pii_kind is not None:
            yield column.pii_kind, None
            return
        assert column.pii_by is not None
        selector, choices = column.pii_by
        if data.schema.get_field_index(selector) < 0:
            return
        picked = data[selector].combine_chunks().cast(pa.string())
        for value, kind in choices:
            yield kind, pc.fill_null(pc.equal(picked, value), False)

    def _column(self, kind: str, values: pa.Array, rows: pa.Array | None) -> tuple[pa.Array, list[VaultRow]]:
        done = _protected(values)
        todo = pc.and_(pc.is_valid(values), pc.invert(done))
        if rows is not None:
            todo = pc.and_(todo, rows)
        if not pc.any(todo).as_py():
            return values, []
        raw = pc.if_else(todo, values, _NULL)
        norm = normalize(kind, raw)
        unlinkable = pc.if_else(pc.and_(todo, pc.is_null(norm)), pc.utf8_trim_whitespace(raw), _NULL)
        keyed = self.tokenizer.keyed_values(kind, norm)
        kept = self.tokenizer.unlinked_values(kind, unlinkable)
        out = pc.coalesce(keyed, kept, values)
        record = self.sealer.record()  # one data key for the vault rows of a batch and column
        return out, self._vault(kind, raw, out, todo, record)

    @staticmethod
    def _vault(kind: str, raw: pa.Array, stored: pa.Array, todo: pa.Array, record: Any) -> list[VaultRow]:
        """One row per token made here: the first written value of it, sealed for ``vault.<kind>``."""
        pairs = pa.table({"raw": raw, "stored": stored}).filter(todo)
        first: dict[str, str] = {}
        for written, kept in zip(pairs["raw"].to_pylist(), pairs["stored"].to_pylist(), strict=True):
            first.setdefault(kept[len(KEYED_PREFIX) : len(KEYED_PREFIX) + TOKEN_HEX], written)
        return [{"kind": kind, "token": t, "sealed": record.seal(f"vault.{kind}", w)} for t, w in first.items()]


def _protected(values: pa.Array) -> pa.Array:
    done = pa.scalar(False)
    for prefix in PROTECTED_PREFIXES:
        done = pc.or_(done, _starts(values, prefix))
    return done


_VAULT_INSERTS: dict[str, Any] = {
    "postgresql": postgresql.insert(pii_vault).on_conflict_do_nothing(index_elements=["kind", "token"]),
    "sqlite": sqlite.insert(pii_vault).on_conflict_do_nothing(index_elements=["kind", "token"]),
}


def store_vault(conn: sa.Connection, rows: list[VaultRow]) -> None:
    """Add vault rows inside the caller's transaction; a token already in the vault keeps its first value."""
    if rows:
        conn.execute(_VAULT_INSERTS[conn.dialect.name], rows)


def vault_value(conn: sa.Connection, sealer: Sealer, kind: str, token: str) -> str | None:
    """The written value of ``token`` (of ``kind``), opened; None when the vault does not hold it."""
    sealed = conn.execute(
        sa.select(pii_vault.c.sealed).where(pii_vault.c.kind == kind, pii_vault.c.token == token)
    ).scalar_one_or_none()
    return None if sealed is None else sealer.open(f"vault.{kind}", sealed)


class SQLVault:
    """The written values behind stored tokens, opened for a named actor and purpose, each opening audited."""

    def __init__(self, engine: sa.Engine, sealer: Sealer) -> None:
        self.engine, self.sealer = engine, sealer

    def revealed(
        self, stored: dict[str, tuple[str, str | None]], *, actor: str, purpose: str, at: dt.datetime
    ) -> dict[str, str | None]:
        """Per field, the written value of its stored form ``(kind, value)`` (a raw value is returned as it is).

        One audit row (``pii.reveal`` of entity ``vault``) names the actor, purpose, fields and tokens opened.
        """
        out: dict[str, str | None] = {}
        opened: list[str] = []
        with self.engine.begin() as conn:
            for name, (kind, value) in stored.items():
                keyed = _token_of(value)
                out[name] = value if keyed is None else vault_value(conn, self.sealer, kind, keyed)
                if keyed is not None:
                    opened.append(f"{name}:{kind}:{keyed}")
            if opened:
                detail = {"purpose": purpose, "opened": opened}
                audit(conn, at=at, actor=actor, action="pii.reveal", entity="vault", entity_id=purpose, detail=detail)
        return out

    def opener(self, *, actor: str, purpose: str, at: dt.datetime) -> VaultOpener:
        """An IdentityOpener for ``actor`` and ``purpose``: each call opens a batch, audited once."""
        return VaultOpener(self, actor, purpose, at)

    def open_all(
        self, kind: str, stored: Sequence[str], *, actor: str, purpose: str, at: dt.datetime
    ) -> dict[str, str]:
        """The written value of each keyed form in ``stored`` of ``kind`` the vault holds; one audit row per call."""
        tokens = {t: v for v in stored if (t := _token_of(v)) is not None}
        if not tokens:
            return {}
        out: dict[str, str] = {}
        with self.engine.begin() as conn:
            names = list(tokens)
            for i in range(0, len(names), VAULT_READ):
                rows = conn.execute(
                    sa.select(pii_vault.c.token, pii_vault.c.sealed).where(
                        pii_vault.c.kind == kind, pii_vault.c.token.in_(names[i : i + VAULT_READ])
                    )
                )
                for token, sealed in rows:
                    out[tokens[token]] = self.sealer.open(f"vault.{kind}", sealed)
            detail = {"purpose": purpose, "kind": kind, "opened": len(out)}
            audit(conn, at=at, actor=actor, action="pii.reveal", entity="vault", entity_id=purpose, detail=detail)
        return out


class VaultOpener:
    """``SQLVault.open_all`` bound to an actor, a purpose and a time (the use cases' IdentityOpener)."""

    def __init__(self, vault: SQLVault, actor: str, purpose: str, at: dt.datetime) -> None:
        self.vault, self.actor, self.purpose, self.at = vault, actor, purpose, at

    def __call__(self, kind: str, stored: Sequence[str]) -> dict[str, str]:
        """Written values of ``stored`` (see ``SQLVault.open_all``)."""
        return self.vault.open_all(kind, stored, actor=self.actor, purpose=self.purpose, at=self.at)


def _token_of(value: str | None) -> str | None:
    if value is None or not value.startswith((KEYED_PREFIX, UNLINKED_PREFIX)):
        return None
    return value[len(KEYED_PREFIX) : len(KEYED_PREFIX) + TOKEN_HEX]


def is_protected(value: object) -> bool:
    """Whether a stored value is a keyed token or sealed (never a raw identifier)."""
    return isinstance(value, str) and value.startswith(PROTECTED_PREFIXES)
