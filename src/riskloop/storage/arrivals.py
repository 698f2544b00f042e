"""SQLArrivalLog: the shared arrival log in ``graph_arrivals`` (SQLite and PostgreSQL).

``log_arrivals`` writes a batch's rows (``log_arrival`` one) on the decision store's connection, so they commit
with the decisions; an application id already logged is left as it is (``ON CONFLICT DO NOTHING``).
``SQLArrivalLog.since`` is the hot path of every graph check: one statement built once, an index range on the
primary key that usually returns nothing. It reads ``READ_ROWS`` rows at a time: the limit also keeps PostgreSQL on the
index once psycopg prepares the statement, whose generic plan guesses a third of the table for
``seq > $1`` and would otherwise scan and sort the whole log on every check (measured: 2.3 ms instead of
0.1 ms at 50k rows).

Reading ``seq > last`` alone would lose rows on PostgreSQL: the sequence numbers a row at insert and the
row appears at commit, so a reader can see 11 before 10 commits and would then never ask for 10 again.
The cursor (``riskloop.graph.arrivals.Cursor``) remembers the numbers it skipped and asks for them by
number, in a second statement (``seq IN (gaps)``; SQLite answers an ``OR`` of the two with a table scan),
until they appear or a minute has passed (a rolled-back decision, or a conflicting insert, burns a number
for good). Re-reading a trailing time window on every check would also be correct, but it returns every
row of the window on every check; the gaps are empty almost always, and then the read is the plain
``seq > last``. ADR 0006.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from riskloop.errors import DataSourceError
from riskloop.graph.arrivals import ARRIVAL_FIELDS, GAP_SECONDS, MAX_GAPS, Arrival, Cursor
from riskloop.graph.infrastructure import identifying
from riskloop.graph.normalize import normalize_one
from riskloop.graph.tokens import Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.storage.models import graph_arrivals
from riskloop.storage.protected import is_protected

_COLUMNS = ("seq", *ARRIVAL_FIELDS, "ip_subnet", "applied_at")
# (column, graph kind) of the identifiers stored as keyed tokens: every one the log keeps (ADR 0016)
TOKENISED = (
    ("applicant_id", "person"),
    ("phone", "phone"),
    ("device_id", "device"),
    ("ip", "ip"),
    ("address", "address"),
    ("email", "email"),
    ("bank_account", "bank_account"),
)
READ_ROWS = 1000  # rows per statement (a catch-up reads on until a statement returns fewer)
_INSERTS: dict[str, Any] = {
    "postgresql": postgresql.insert(graph_arrivals).on_conflict_do_nothing(index_elements=["application_id"]),
    "sqlite": sqlite.insert(graph_arrivals).on_conflict_do_nothing(index_elements=["application_id"]),
}


def arrival_row(
    request: Mapping[str, Any], at: dt.datetime, tokenizer: Tokenizer | None = None, sealer: Sealer | None = None
) -> dict[str, Any]:
    """The log row of a decided request (``DecisionRequest.to_dict()``) decided at ``at``.

    With ``tokenizer`` (the workspace's graph key), every identifier is stored as a keyed token with a masked
    label (``Tokenizer.keyed``), and the IP's /24 network as its own token (``ip_subnet``: a token cannot give
    it): the graph checks need nothing more, so no raw identifier is kept. Without it (a built graph whose key
    is missing: the graph checks are unavailable and nothing is approved), ``sealer`` seals them instead: the
    row still holds no raw identifier and links nothing. Identifiers the request does not hold are left out
    of the row (NULL).
    """
    own = identifying(request)  # an own channel's device and IP are the bank's (``graph.infrastructure``)
    row = {**{name: own.get(name) for name in ARRIVAL_FIELDS}, "applied_at": at}
    if tokenizer is not None:
        row["ip_subnet"] = subnet_token(tokenizer, row["ip"])
        for column, kind in TOKENISED:
            row[column] = keyed(tokenizer, kind, row[column])
    elif sealer is not None:
        row.update(sealer.seal_fields(row, tuple(c for c, _ in TOKENISED), "graph_arrivals"))
    return {name: value for name, value in row.items() if value is not None}


def keyed(tokenizer: Tokenizer, kind: str, raw: object) -> str | None:
    """The stored form of one identifier: its keyed token, or None when it does not normalise (unusable).

    A value stored protected already (a token, a sealed value) stays as it is.
    """
    if raw is None or is_protected(raw):
        return None if raw is None else str(raw)
    value = normalize_one(kind, raw)
    return None if value is None else tokenizer.keyed(kind, value)


def subnet_token(tokenizer: Tokenizer, ip: object) -> str | None:
    """The keyed token of a raw IP's /24 network (the graph's ``ip_subnet``); None for IPv6 or a protected IP."""
    if not isinstance(ip, str) or is_protected(ip):
        return None
    subnet = normalize_one("ip_subnet", ip)
    return None if subnet is None else tokenizer.keyed("ip_subnet", subnet)


def log_arrival(
    conn: sa.Connection,
    request: Mapping[str, Any],
    at: dt.datetime,
    tokenizer: Tokenizer | None = None,
    sealer: Sealer | None = None,
) -> None:
    """Log a decided request inside the transaction of ``conn``; an application id already logged stays."""
    log_arrivals(conn, [(request, at)], tokenizer, sealer)


def log_arrivals(
    conn: sa.Connection,
    arrivals: Sequence[tuple[Mapping[str, Any], dt.datetime]],
    tokenizer: Tokenizer | None = None,
    sealer: Sealer | None = None,
) -> None:
    """``log_arrival`` for each ``(request, decided at)``, in one statement (a group commit's batch).

    Every row names every column (an identifier a request lacks is NULL either way), as one statement needs.
    """
    rows = [arrival_row(request, at, tokenizer, sealer) for request, at in arrivals]
    if not rows:
        return
    columns = {name for row in rows for name in row}
    conn.execute(_INSERTS[conn.dialect.name], [{name: row.get(name) for name in columns} for row in rows])


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite hands back naive UTC


def _arrival(row: Sequence[Any]) -> Arrival:
    values = dict(zip(_COLUMNS, row, strict=True))
    return Arrival(**{**values, "seq": int(values["seq"]), "applied_at": _utc(values["applied_at"])})


class SQLArrivalLog:
    """ArrivalLog on a migrated database (``riskloop.storage.migrate.upgrade``); safe to share between threads.

    Reads run on one connection held in autocommit (each read is one statement, or a few that need no
    common snapshot): no pool checkout, ``BEGIN`` or ``ROLLBACK`` per check. A failed read drops the
    connection; the next read opens another.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        wait: float = GAP_SECONDS,
        max_gaps: int = MAX_GAPS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.wait, self.max_gaps, self.monotonic = wait, max_gaps, monotonic
        self._conn: sa.Connection | None = None
        self._lock = threading.Lock()
        t = graph_arrivals.c
        columns = [t[name] for name in _COLUMNS]
        self._tail = sa.select(*columns).where(t.seq > sa.bindparam("last")).order_by(t.seq).limit(READ_ROWS)
        self._gaps = sa.select(*columns).where(t.seq.in_(sa.bindparam("gaps", expanding=True))).order_by(t.seq)
        self._before = (
            sa.select(t.seq)
            .where(t.applied_at < sa.bindparam("at", type_=t.applied_at.type))
            .order_by(t.applied_at.desc(), t.seq.desc())
            .limit(1)
        )

    def start(self, after: dt.datetime) -> Cursor:
        """A cursor from which ``since`` returns every arrival applied at or after ``after``.

        It starts at the last arrival applied ``wait`` seconds before ``after``: a decision whose time
        is after ``after`` commits within ``wait`` seconds, so its number is above that one's. The few
        arrivals in between come back too, which costs nothing (recording is idempotent).
        """
        at = after - dt.timedelta(seconds=self.wait)
        with self._reading() as conn:
            found = conn.execute(self._before, {"at": at}).scalar()
        return Cursor(int(found) if found is not None else 0)

    def since(self, cursor: Cursor) -> tuple[list[Arrival], Cursor]:
        """Arrivals not read yet from ``cursor``, in log order, and the cursor after them."""
        gaps = cursor.waiting
        rows: list[Any] = []
        with self._reading() as conn:
            if gaps:  # below ``last``, so before every row of the tail
                rows += conn.execute(self._gaps, {"gaps": list(gaps)}).all()
            last = cursor.last
            while True:
                batch = conn.execute(self._tail, {"last": last}).all()
                rows += batch
                if len(batch) < READ_ROWS:
                    break
                last = batch[-1][0]
        if not rows and not gaps:
            return [], cursor
        found = [_arrival(r) for r in rows]
        after = cursor.after((a.seq for a in found), now=self.monotonic(), wait=self.wait, max_gaps=self.max_gaps)
        return found, after

    def close(self) -> None:
        """Release the held connection (the next read opens another)."""
        with self._lock:
            self._drop()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._lock:
            try:
                if self._conn is None or self._conn.closed or self._conn.invalidated:
                    self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                yield self._conn
            except sa.exc.SQLAlchemyError as exc:
                self._drop()
                raise DataSourceError(f"graph arrival log: {exc}") from exc

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                self._conn.close()
            self._conn = None
