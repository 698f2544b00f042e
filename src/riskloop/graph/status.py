"""Known-bad status of enterprises with the date each became known, for point-in-time reads.

Seeds of risk: dishonest-debtor listing (the public blacklist), court enforcement, and default observed in
the bank's own repayments (an instalment unpaid 90 days after it fell due). Litigation as defendant is a
weaker signal kept apart. A status counts at time ``t`` only if it was known by ``t``.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

from riskloop.graph.build import available

NEVER = np.iinfo(np.int64).max
RECENT_DAYS = 365
STATUSES = ("dishonest", "enforcement", "default", "litigation")

_SQL = {
    "dishonest": ("dishonest_list", "SELECT credit_code, min(listed_date) FROM dishonest_list GROUP BY 1"),
    "enforcement": ("enforcements", "SELECT credit_code, min(filed_date) FROM enforcements GROUP BY 1"),
    "litigation": (
        "litigations",
        "SELECT credit_code, min(filed_date) FROM litigations WHERE role = 'defendant' GROUP BY 1",
    ),
    "default": (
        "repayment_schedules",
        "SELECT l.credit_code, min(s.due_date + INTERVAL 90 DAY) "
        "FROM repayment_schedules s JOIN loans l USING (loan_id) "
        "LEFT JOIN (SELECT loan_id, installment_no, min(paid_date) AS paid FROM repayments GROUP BY 1, 2) r "
        "USING (loan_id, installment_no) WHERE r.paid IS NULL OR r.paid > s.due_date + INTERVAL 90 DAY GROUP BY 1",
    ),
}


@dataclass(frozen=True)
class EnterpriseStatus:
    """Per enterprise (``index`` maps credit code to row): establishment and first-known time of each status."""

    index: dict[str, int]
    established: np.ndarray  # epoch seconds
    since: dict[str, np.ndarray]  # status -> epoch seconds it became known (NEVER if not)

    def bad_since(self) -> np.ndarray:
        """Earliest time any bad status (dishonest, enforcement, default) was known, per enterprise."""
        out: np.ndarray = np.minimum.reduce([self.since[s] for s in ("dishonest", "enforcement", "default")])
        return out

    def rows(self, codes: list[str]) -> np.ndarray:
        """Rows of ``codes`` (-1 for unknown enterprises)."""
        return np.array([self.index.get(c, -1) for c in codes], dtype=np.int64)


def known_before(status: EnterpriseStatus, at: int) -> EnterpriseStatus:
    """``status`` with only what was known before ``at`` (epoch seconds): a later status time becomes NEVER.

    A graph built from the tables as they stood on a day still derives statuses dated after it (an instalment
    unpaid then counts as a default 90 days after it fell due, even if it was paid in between); cut them.
    """
    since = {name: np.where(values < at, values, NEVER) for name, values in status.since.items()}
    return EnterpriseStatus(status.index, status.established, since)


def empty_status() -> EnterpriseStatus:
    """Status of no enterprise."""
    none = np.zeros(0, dtype=np.int64)
    return EnterpriseStatus({}, none, dict.fromkeys(STATUSES, none))


def read_status(con: duckdb.DuckDBPyConnection) -> EnterpriseStatus:
    """Read establishment dates and status dates from the tables visible on ``con``."""
    have = available(con)
    if "enterprises" not in have:
        return empty_status()
    firms = con.sql(
        "SELECT credit_code, CAST(epoch(CAST(min(established_date) AS TIMESTAMP)) AS BIGINT) AS at FROM enterprises "
        "GROUP BY credit_code ORDER BY credit_code"  # one row per enterprise, however many versions
    ).to_arrow_table()
    codes = firms["credit_code"].to_pylist()
    index = {c: i for i, c in enumerate(codes)}
    since: dict[str, np.ndarray] = {}
    for name, (needed, sql) in _SQL.items():
        values = np.full(len(codes), NEVER, dtype=np.int64)
        if needed in have and (("loans" in have and "repayments" in have) or name != "default"):
            got = con.sql(f"SELECT c, CAST(epoch(CAST(d AS TIMESTAMP)) AS BIGINT) FROM ({sql}) t(c, d)").fetchnumpy()  # noqa: S608
            rows = np.array([index.get(c, -1) for c in got["c"].tolist()], dtype=np.int64)
            ok = rows >= 0
            values[rows[ok]] = got[list(got)[1]][ok]
        since[name] = values
    return EnterpriseStatus(index, firms["at"].to_numpy().astype(np.int64), since)
