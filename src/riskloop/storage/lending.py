"""SQLLendingStore: offers, drawdowns and booked loans on SQLAlchemy (SQLite, PostgreSQL); updates compare-and-set.

Each write is one transaction with its audit row (and, for a booked loan, its schedule and outbox event). A
reservation is the offer's compare-and-set in the transaction that inserts the drawdown; the table's check
constraint (reserved + drawn <= limit) is a second guard the database keeps whatever the code does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from riskloop.domain.audit import AuditEntry
from riskloop.domain.drawdown import BookedLoan, Drawdown, DrawdownStatus
from riskloop.domain.lending import LoanProduct
from riskloop.domain.money import Money, Rate
from riskloop.domain.offer import Offer, OfferStatus
from riskloop.domain.outbox import OutboxMessage
from riskloop.domain.repayment_schedule import Instalment
from riskloop.errors import ConflictError
from riskloop.storage.audit import audit
from riskloop.storage.lending_models import booked_instalments, booked_loans, drawdowns, offers
from riskloop.storage.models import CONTRACT_TABLES
from riskloop.storage.outbox import write_message
from riskloop.storage.write_lock import WriteLock


class SQLLendingStore:
    """The LendingStore port (``service.lending_ports``) on the four tables of migration 0026.

    Writers take the SQLite write lock first (``storage.write_lock``): concurrent drawdowns are handed the lock at
    once instead of polling in SQLite's busy sleeps.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._lock = WriteLock(engine)

    def offer(self, offer_id: str) -> Offer | None:
        """The offer, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(offers).where(offers.c.offer_id == offer_id)).mappings().first()
        return None if row is None else _offer(row)

    def add_offer(self, offer: Offer, entry: AuditEntry) -> None:
        """Insert a new offer; ConflictError naming ``offer_id`` when it exists."""
        try:
            with self._lock.held(), self.engine.begin() as conn:
                conn.execute(offers.insert(), _offer_row(offer))
                _audit(conn, entry)
        except sa.exc.IntegrityError:
            raise ConflictError("offer_id", "an offer of this decision exists") from None

    def save_offer(self, offer: Offer, entry: AuditEntry) -> None:
        """Compare-and-set the offer."""
        with self._lock.held(), self.engine.begin() as conn:
            _cas_offer(conn, offer)
            _audit(conn, entry)

    def drawdown(self, drawdown_id: str) -> Drawdown | None:
        """The drawdown, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(drawdowns).where(drawdowns.c.drawdown_id == drawdown_id)).mappings().first()
        return None if row is None else _drawdown(row)

    def drawdowns(self, offer_id: str | None = None, statuses: Sequence[str] = (), limit: int = 100) -> list[Drawdown]:
        """Drawdowns (of an offer, in given statuses), newest first."""
        stmt = sa.select(drawdowns).order_by(drawdowns.c.requested_at.desc(), drawdowns.c.drawdown_id).limit(limit)
        if offer_id is not None:
            stmt = stmt.where(drawdowns.c.offer_id == offer_id)
        if statuses:
            stmt = stmt.where(drawdowns.c.status.in_(list(statuses)))
        with self.engine.connect() as conn:
            return [_drawdown(r) for r in conn.execute(stmt).mappings()]

    def add_drawdown(self, drawdown: Drawdown, offer: Offer | None, entry: AuditEntry) -> None:
        """Insert the drawdown and compare-and-set its offer in one transaction."""
        try:
            with self._lock.held(), self.engine.begin() as conn:
                if offer is not None:
                    _cas_offer(conn, offer)
                conn.execute(drawdowns.insert(), _drawdown_row(drawdown))
                _audit(conn, entry)
        except sa.exc.IntegrityError as exc:
            if "ck_offers" in str(exc.orig):  # the database's own guard of the limit
                raise ConflictError("offer_id", "the limit changed since it was read") from None
            raise ConflictError("Idempotency-Key", "a drawdown of this key exists") from None

    def settle(
        self,
        drawdown: Drawdown,
        offer: Offer | None,
        booked: BookedLoan | None,
        entry: AuditEntry,
        message: OutboxMessage | None,
    ) -> None:
        """Compare-and-set the drawdown and its offer, insert the booked loan and schedule, audit, outbox."""
        row = _drawdown_row(drawdown)
        key = row.pop("drawdown_id")
        params = {**row, "cas_key": key, "cas_version": drawdown.row_version - 1}
        try:
            with self._lock.held(), self.engine.begin() as conn:
                if conn.execute(_CAS_DRAWDOWN, params).rowcount != 1:
                    raise ConflictError("drawdown_id", "changed by another request; read it again")
                if offer is not None:
                    _cas_offer(conn, offer)
                if booked is not None:
                    conn.execute(booked_loans.insert(), _loan_row(booked))
                    conn.execute(
                        booked_instalments.insert(), [_instalment_row(booked.loan_id, i) for i in booked.schedule]
                    )
                _audit(conn, entry)
                if message is not None:
                    write_message(conn, message)
        except sa.exc.IntegrityError:
            raise ConflictError("drawdown_id", "its loan is booked already") from None

    def loan(self, loan_id: str) -> BookedLoan | None:
        """A booked loan with its schedule, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(booked_loans).where(booked_loans.c.loan_id == loan_id)).mappings().first()
            return None if row is None else _loan(row, _schedules(conn, [loan_id])[loan_id])

    def unpublished_loans(self, limit: int) -> list[BookedLoan]:
        """Booked loans not in the warehouse yet, oldest first."""
        t = booked_loans
        stmt = sa.select(t).where(t.c.published_run.is_(None)).order_by(t.c.disbursed_at, t.c.loan_id).limit(limit)
        with self.engine.connect() as conn:
            rows = list(conn.execute(stmt).mappings())
            plans = _schedules(conn, [r["loan_id"] for r in rows])
        return [_loan(r, plans[r["loan_id"]]) for r in rows]

    def mark_published(self, loan_ids: Sequence[str], run: str, at: dt.datetime) -> None:
        """Record the warehouse export that holds ``loan_ids``."""
        if not loan_ids:
            return
        stmt = booked_loans.update().where(booked_loans.c.loan_id.in_(list(loan_ids)))
        with self._lock.held(), self.engine.begin() as conn:
            conn.execute(stmt.values(published_run=run, published_at=at))


class SQLLoanProducts:
    """The LoanProducts port over the ingested ``loan_products`` table."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def product(self, product_code: str) -> LoanProduct | None:
        """The product, or None when the bank has no such product (a database fault is raised, not hidden)."""
        t = CONTRACT_TABLES["loan_products"]
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.product_code == product_code)).mappings().first()
        if row is None:
            return None
        return LoanProduct(
            row["product_code"], row["name"], Money.from_cents(row["min_amount_cents"]),
            Money.from_cents(row["max_amount_cents"]), row["min_term_months"], row["max_term_months"],
            Rate(row["min_rate_bp"]), Rate(row["max_rate_bp"]),
        )  # fmt: skip


def _cas(table: sa.Table, key: str) -> sa.Update:
    """A compare-and-set of ``table``'s row ``key``, built once: values bound per call (no statement built per call)."""
    return (
        table.update()
        .where(table.c[key] == sa.bindparam("cas_key"), table.c.row_version == sa.bindparam("cas_version"))
        .values({c.name: sa.bindparam(c.name) for c in table.columns if c.name != key})
    )


_CAS_OFFER, _CAS_DRAWDOWN = _cas(offers, "offer_id"), _cas(drawdowns, "drawdown_id")


def _cas_offer(conn: sa.Connection, offer: Offer) -> None:
    row = _offer_row(offer)
    key = row.pop("offer_id")
    params = {**row, "cas_key": key, "cas_version": offer.row_version - 1}
    if conn.execute(_CAS_OFFER, params).rowcount != 1:
        raise ConflictError("offer_id", "changed by another request; read it again")


def _audit(conn: sa.Connection, entry: AuditEntry) -> None:
    audit(conn, at=entry.at, actor=entry.actor, action=entry.action, entity=entry.entity, entity_id=entry.entity_id,
          detail=entry.detail)  # fmt: skip


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite keeps no offset


def _offer_row(o: Offer) -> dict[str, Any]:
    return {
        "offer_id": o.offer_id, "decision_id": o.decision_id, "application_id": o.application_id,
        "channel": o.channel, "credit_code": o.credit_code, "product_code": o.product_code,
        "limit_cents": o.limit_cents, "rate_bp": o.rate_bp, "term_months": o.term_months, "repayment": o.repayment,
        "offered_at": o.offered_at, "expires_at": o.expires_at, "contract_version": o.contract_version,
        "contract_sha256": o.contract_sha256, "status": o.status.value, "accepted_at": o.accepted_at,
        "step_up_id": o.step_up_id, "reserved_cents": o.reserved_cents, "drawn_cents": o.drawn_cents,
        "row_version": o.row_version,
    }  # fmt: skip


def _offer(row: Any) -> Offer:
    values = dict(row)
    values["status"] = OfferStatus(values["status"])
    for name in ("offered_at", "expires_at", "accepted_at"):
        values[name] = _utc(values[name])
    return Offer(**values)


def _drawdown_row(d: Drawdown) -> dict[str, Any]:
    return {
        "drawdown_id": d.drawdown_id, "offer_id": d.offer_id, "channel": d.channel,
        "idempotency_key": d.idempotency_key, "request_sha256": d.request_sha256, "amount_cents": d.amount_cents,
        "term_months": d.term_months, "repayment": d.repayment, "status": d.status.value,
        "reasons": json.dumps(list(d.reasons)), "recheck": json.dumps(d.recheck, sort_keys=True, ensure_ascii=False),
        "requested_at": d.requested_at, "updated_at": d.updated_at, "loan_id": d.loan_id, "core_ref": d.core_ref,
        "core_reason": d.core_reason, "row_version": d.row_version,
    }  # fmt: skip


def _drawdown(row: Any) -> Drawdown:
    values = dict(row)
    values["status"] = DrawdownStatus(values["status"])
    values["reasons"] = tuple(json.loads(values["reasons"]))
    values["recheck"] = json.loads(values["recheck"])
    values["requested_at"], values["updated_at"] = _utc(values["requested_at"]), _utc(values["updated_at"])
    return Drawdown(**values)


def _loan_row(loan: BookedLoan) -> dict[str, Any]:
    return {
        "loan_id": loan.loan_id, "drawdown_id": loan.drawdown_id, "offer_id": loan.offer_id,
        "application_id": loan.application_id, "credit_code": loan.credit_code,
        "principal_cents": loan.principal_cents, "rate_bp": loan.rate_bp, "term_months": loan.term_months,
        "repayment": loan.repayment, "disbursed_at": loan.disbursed_at, "core_ref": loan.core_ref,
    }  # fmt: skip


def _instalment_row(loan_id: str, i: Instalment) -> dict[str, Any]:
    return {"loan_id": loan_id, "installment_no": i.number, "due_date": i.due_date,
            "principal_due_cents": i.principal_cents, "interest_due_cents": i.interest_cents}  # fmt: skip


def _schedules(conn: sa.Connection, loan_ids: Sequence[str]) -> dict[str, list[Instalment]]:
    out: dict[str, list[Instalment]] = {loan_id: [] for loan_id in loan_ids}
    if not loan_ids:
        return out
    t = booked_instalments
    stmt = sa.select(t).where(t.c.loan_id.in_(list(loan_ids))).order_by(t.c.loan_id, t.c.installment_no)
    for r in conn.execute(stmt).mappings():
        out[r["loan_id"]].append(
            Instalment(r["installment_no"], r["due_date"], r["principal_due_cents"], r["interest_due_cents"])
        )
    return out


def _loan(row: Any, plan: list[Instalment]) -> BookedLoan:
    return BookedLoan(
        loan_id=row["loan_id"], drawdown_id=row["drawdown_id"], offer_id=row["offer_id"],
        application_id=row["application_id"], credit_code=row["credit_code"],
        principal_cents=row["principal_cents"], rate_bp=row["rate_bp"], term_months=row["term_months"],
        repayment=row["repayment"], disbursed_at=_utc(row["disbursed_at"]) or row["disbursed_at"],
        core_ref=row["core_ref"], schedule=tuple(plan),
    )  # fmt: skip
