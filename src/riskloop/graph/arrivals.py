"""The shared arrival log the graph checks of every worker tail: arrivals, the read cursor, the port.

Every decided application is logged (``graph_arrivals``, written by the decision store in the decision's
transaction) with the fields the graph checks read. Each ``WorkspaceGraphChecks`` keeps a ``Cursor`` and,
before each check, records the arrivals logged since into its in-memory graph, so a ring spread over
worker processes, or arriving before a restart, is seen whole. The SQL adapter is
``riskloop.storage.arrivals.SQLArrivalLog``; ADR 0006 explains the cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

# The request fields the graph checks read, and so what the log keeps (with the decision time as applied_at).
ARRIVAL_FIELDS = (
    "application_id",
    "credit_code",
    "applicant_id",
    "phone",
    "device_id",
    "ip",
    "address",
    "email",
    "bank_account",
)

# How long an unseen sequence number below the highest one read is waited for. A PostgreSQL sequence hands
# out numbers at insert time and rows appear at commit, so a reader can see 11 before 10 commits; a number
# can also never appear (a rolled-back decision, an insert that hit the unique application id). Decisions
# commit within milliseconds; a minute is far beyond any transaction the decision store runs.
GAP_SECONDS = 60.0
MAX_GAPS = 256  # at most this many unseen numbers are tracked (the highest ones): bounds the query


def application(
    *,
    application_id: str,
    credit_code: str,
    applicant_id: str | None,
    phone: str | None,
    device_id: str | None,
    ip: str | None,
    applied_at: dt.datetime,
    address: str | None = None,
    email: str | None = None,
    bank_account: str | None = None,
    ip_subnet: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """The ``applications`` mapping the graph checks read.

    Identifiers are raw (a request) or keyed tokens (a logged arrival). ``ip_subnet`` is the keyed token of the
    IP's /24 network, which a keyed IP cannot give; None: derived from a raw ``ip`` (or there is none).
    ``channel`` says whether the device and IP are the bank's own (``graph.infrastructure``; a logged arrival
    has none: its log row left them out).
    """
    return {
        "application_id": application_id,
        "credit_code": credit_code,
        "applicant_id": applicant_id,
        "phone": phone,
        "device_id": device_id,
        "ip": ip,
        "ip_subnet": ip_subnet,
        "address": address,
        "email": email,
        "bank_account": bank_account,
        "channel": channel,
        "applied_at": applied_at,
    }


@dataclass(frozen=True)
class Arrival:
    """One logged application: its position ``seq`` in the log and the fields the graph checks read.

    The identifiers are keyed tokens (``tok1:``, ADR 0016), or None; rows logged before migration 0019 have no
    address, e-mail, account or network.
    """

    seq: int
    application_id: str
    credit_code: str
    applicant_id: str | None
    phone: str | None
    device_id: str | None
    ip: str | None
    applied_at: dt.datetime
    address: str | None = None
    email: str | None = None
    bank_account: str | None = None
    ip_subnet: str | None = None

    def application(self) -> dict[str, Any]:
        """The mapping ``GraphChecks.check`` and ``GraphChecks.record`` take."""
        return application(
            application_id=self.application_id,
            credit_code=self.credit_code,
            applicant_id=self.applicant_id,
            phone=self.phone,
            device_id=self.device_id,
            ip=self.ip,
            applied_at=self.applied_at,
            address=self.address,
            email=self.email,
            bank_account=self.bank_account,
            ip_subnet=self.ip_subnet,
        )


@dataclass(frozen=True)
class Cursor:
    """How far a reader got: every number up to ``last`` was read, except the ``gaps`` still waited for.

    ``gaps`` holds ``(seq, give_up_at)`` pairs, ``give_up_at`` on the reader's monotonic clock.

    Examples
    --------
    >>> c = Cursor().after([1, 2, 4], now=0.0)
    >>> c.last, c.waiting
    (4, (3,))
    >>> c = c.after([3, 5], now=1.0)
    >>> c.last, c.waiting
    (5, ())
    >>> Cursor(5, ((3, 60.0),)).after([], now=61.0).waiting  # 3 never committed: given up
    ()

    """

    last: int = 0
    gaps: tuple[tuple[int, float], ...] = ()

    @property
    def waiting(self) -> tuple[int, ...]:
        """The unseen numbers below ``last`` still asked for."""
        return tuple(seq for seq, _ in self.gaps)

    def after(self, seen: Iterable[int], *, now: float, wait: float = GAP_SECONDS, max_gaps: int = MAX_GAPS) -> Cursor:
        """The cursor once the numbers ``seen`` were read at monotonic time ``now``.

        Numbers skipped on the way up to the highest one read become gaps, waited for ``wait`` seconds;
        gaps read now, or waited for too long, are dropped.
        """
        got = set(seen)
        kept = [(seq, until) for seq, until in self.gaps if seq not in got and until > now]
        top = max(got, default=self.last)
        new: list[tuple[int, float]] = []
        if top > self.last:
            lowest = max(self.last + 1, top - max_gaps)
            new = [(seq, now + wait) for seq in range(lowest, top) if seq not in got]
        gaps = sorted(kept + new)[-max_gaps:]
        return Cursor(max(top, self.last), tuple(gaps))


class ArrivalLog(Protocol):
    """The arrival log, read side."""

    def start(self, after: dt.datetime) -> Cursor:
        """A cursor from which ``since`` returns every arrival applied at or after ``after``.

        It may return a few earlier ones too: recording an arrival is idempotent.
        """
        ...

    def since(self, cursor: Cursor) -> tuple[list[Arrival], Cursor]:
        """Arrivals not read yet from ``cursor`` (in log order), and the cursor after them."""
        ...

    def close(self) -> None:
        """Release what the reader holds (a connection); reading again reopens it."""
        ...
