"""Applications on record as decision requests: the warehouse's applications with their bureau scores."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from riskloop.domain.decision_request import DecisionRequest
from riskloop.errors import DataSourceError
from riskloop.features.backends.duckdb import open_tables
from riskloop.service.ports import IdentityOpener

_QUERY = """
SELECT a.application_id, a.credit_code, a.applicant_id, a.product_code, a.applied_at,
       a.requested_amount_cents, a.term_months, a.channel, a.phone, a.device_id, a.ip,
       a.sms_verified, a.face_match_score, a.device_fingerprint_ok, a.phone_owner_match,
       (SELECT b.score FROM bureau_scores b
         WHERE b.application_id = a.application_id AND b.queried_at <= a.applied_at + INTERVAL 1 DAY
         ORDER BY b.queried_at DESC LIMIT 1) AS bureau_score
FROM applications a
ORDER BY a.applied_at, a.application_id
"""


def recorded_requests(
    tables: Path, opener: IdentityOpener, limit: int | None = None
) -> list[tuple[DecisionRequest, dt.datetime]]:
    """Every application under ``tables`` (oldest first) as a request, with its application time.

    The warehouse keeps the applicant's identifiers as keyed tokens (ADR 0016); ``opener`` gives back the written
    values a request carries (one audited opening per kind), so a recorded application is decided as it was posted.
    """
    con, present = open_tables(tables, ["applications", "bureau_scores"])
    try:
        if "applications" not in present or "bureau_scores" not in present:
            raise DataSourceError(f"{tables}: applications and bureau_scores are needed")
        query = _QUERY + (f" LIMIT {int(limit)}" if limit is not None else "")
        rows = [tuple(r.values()) for r in con.sql(query).to_arrow_table().to_pylist()]
    finally:
        con.close()
    people = opener("person", sorted({r[2] for r in rows if r[2] is not None}))
    phones = opener("phone", sorted({r[8] for r in rows if r[8] is not None}))
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
            bureau_score=None if r[15] is None else int(r[15]),
            existing_debt_cents=None,
        )
        out.append((request, r[4]))
    return out
