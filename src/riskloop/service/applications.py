"""Applications on record as decision requests: the warehouse's applications with their bureau scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from riskloop.domain.decision_request import DecisionRequest
from riskloop.domain.identifiers import normalize_bank_account, normalize_email
from riskloop.domain.pii import PROTECTED_PREFIXES
from riskloop.errors import DataSourceError, ValidationError
from riskloop.features.backends.duckdb import open_tables
from riskloop.graph.divisions import placed_address
from riskloop.service.ports import IdentityOpener

_QUERY = """
SELECT a.application_id, a.credit_code, a.applicant_id, a.product_code, a.applied_at,
       a.requested_amount_cents, a.term_months, a.channel, a.phone, a.device_id, a.ip,
       a.sms_verified, a.face_match_score, a.device_fingerprint_ok, a.phone_owner_match,
       a.address, a.email, a.bank_account,
       (SELECT b.score FROM bureau_scores b
         WHERE b.application_id = a.application_id AND b.queried_at <= a.applied_at + INTERVAL 1 DAY
         ORDER BY b.queried_at DESC LIMIT 1) AS bureau_score
FROM applications a
ORDER BY a.applied_at, a.application_id
"""


def recorded_requests(
    tables: Path, opener: IdentityOpener, limit: int | None = None, only: frozenset[str] | None = None
) -> list[tuple[DecisionRequest, dt.datetime]]:
    """Every application under ``tables`` (oldest first) as a request, with its application time.

    The warehouse keeps the applicant's identifiers as keyed tokens (ADR 0016); ``opener`` gives back the written
    values a request carries (one audited opening per kind), so a recorded application is decided as it was posted.
    An address, e-mail or account the batch graph cannot link (it did not normalise: an address it cannot place,
    not ``local@domain.tld``) is left out of the request: it links nothing online either. ``only``: these
    application ids only (a sample), so no other applicant's identifiers are opened.
    """
    con, present = open_tables(tables, ["applications", "bureau_scores"])
    try:
        if "applications" not in present or "bureau_scores" not in present:
            raise DataSourceError(f"{tables}: applications and bureau_scores are needed")
        query = _QUERY + (f" LIMIT {int(limit)}" if limit is not None else "")
        rows = [tuple(r.values()) for r in con.sql(query).to_arrow_table().to_pylist()]
        if only is not None:
            rows = [r for r in rows if r[0] in only]
    finally:
        con.close()
    people = opener("person", sorted({r[2] for r in rows if r[2] is not None}))
    phones = opener("phone", sorted({r[8] for r in rows if r[8] is not None}))
    addresses = _opened(opener, "address", [r[15] for r in rows], placed_address)
    emails = _opened(opener, "email", [r[16] for r in rows], normalize_email)
    accounts = _opened(opener, "bank_account", [r[17] for r in rows], normalize_bank_account)
    out: list[tuple[DecisionRequest, dt.datetime]] = []
    for r in rows:
        request = DecisionRequest(
            application_id=r[0],
            credit_code=r[1],
            applicant_id=people.get(r[2], r[2]),
            product_code=r[3],
            amount_cents=int(r[5]),
            term_months=int(r[6]),
            channel=r[7],
            phone=phones.get(r[8], r[8]),
            device_id=r[9],
            ip=r[10],
            sms_verified=bool(r[11]),
            face_match_score=float(r[12]),
            device_fingerprint_ok=bool(r[13]),
            phone_owner_match=bool(r[14]),
            bureau_score=None if r[18] is None else int(r[18]),
            existing_debt_cents=None,
            address=addresses.get(r[15]),
            email=emails.get(r[16]),
            bank_account=accounts.get(r[17]),
        )
        out.append((request, r[4]))
    return out


def _opened(
    opener: IdentityOpener, kind: str, stored: list[str | None], check: Callable[[str, str], str]
) -> dict[str, str]:
    """Written values of the stored identifiers of ``kind`` a request can carry (``check`` accepts), by stored form.

    A token the vault does not hold is not carried, nor is a value the graph cannot link.
    """
    present = sorted({v for v in stored if v is not None})
    opened = opener(kind, present)
    out: dict[str, str] = {}
    for value in present:
        written = opened.get(value, value)  # a value the warehouse holds raw (tables written by another tool)
        if written.startswith(PROTECTED_PREFIXES):
            continue
        try:
            out[value] = check(written, kind)
        except ValidationError:
            continue
    return out
