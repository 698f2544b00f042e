"""The GraphChecks port on the enterprise graph: ``riskloop.graph`` checks behind the decision pipeline.

``WorkspaceGraphChecks`` turns a decision request into the ``applications`` mapping the graph checks read,
and their signals (``GraphSignals.rule_inputs``), masked evidence and the model's graph features (the
``graph_*`` values ``graph.features.graph_features`` gives the application in batch, computed from what the
graph knows now) into the pipeline's ``GraphSignals``.
Each checked application is then recorded in the graph's overlay and gang index, so a ring applying in a
burst is seen while it applies, not at the next ``graph build``. With an arrival log
(``riskloop.graph.arrivals``), each check first records the applications other workers decided since the
last check (and, at load, everything decided since the graph was built), so every worker process, a
restarted one included, sees every arrival. The checks hold per-call scratch state and recording mutates the
graph, so calls are serialised with a lock (each takes well under 1 ms).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from riskloop.domain.clock import Clock
from riskloop.domain.decision_request import DecisionRequest, GraphSignals
from riskloop.errors import NotFoundError
from riskloop.graph.arrivals import ArrivalLog, Cursor, application
from riskloop.graph.checks import GraphChecks as EngineChecks
from riskloop.graph.checks import epoch
from riskloop.graph.explore import GraphView
from riskloop.service.stages import lap

if TYPE_CHECKING:
    import duckdb

    from riskloop.graph.store import GraphStore
    from riskloop.graph.tokens import Tokenizer

MAX_EVIDENCE = 12
_log = logging.getLogger(__name__)


class WorkspaceGraphChecks:
    """GraphChecks over a loaded ``riskloop.graph`` analytics object, tailing ``log`` when there is one."""

    def __init__(
        self,
        checks: EngineChecks,
        clock: Clock,
        log: ArrivalLog | None = None,
        cursor: Cursor | None = None,
        *,
        view: GraphView | None = None,
    ) -> None:
        self.checks = checks
        self.clock = clock
        self.log = log
        self.cursor = cursor or Cursor()
        self.view = view  # the same graph with what flags its nodes, for the console's reads (``reading``)
        self._lock = threading.Lock()

    @contextmanager
    def reading(self) -> Iterator[GraphView | None]:
        """The loaded graph for a read (the console's explorer), serialised with the checks that record into it.

        None when this graph was loaded without a view. The explorer's queries use the graph's shared scratch
        arrays, and checks add to the graph, so a read holds the checks' lock (a 2-hop read: milliseconds).
        """
        with self._lock:
            yield self.view

    def close(self) -> None:
        """Release the log's connection (a later check reopens it)."""
        if self.log is not None:
            self.log.close()

    def catch_up(self) -> int:
        """Record the logged arrivals not read yet; return how many were new to this graph."""
        with self._lock:
            return self._catch_up()

    @contextmanager
    def following(self, interval: float = 0.05) -> Iterator[None]:
        """Catch up on the log from a daemon thread every ``interval`` seconds while the block runs.

        Without it, a worker that served nothing for a while (its peer took the traffic) would record every
        arrival since inside its next request's check: a stall of a fraction of a millisecond per arrival.
        With it, a check catches up on what arrived in the last ``interval`` at most.
        """
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(interval):
                try:
                    self.catch_up()
                except Exception as exc:  # the next check catches up (and refers if the log is still down)
                    _log.warning("arrival log: background catch-up failed (%s)", exc)

        thread = threading.Thread(target=run, name="arrival-log", daemon=True)
        if self.log is not None:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread.is_alive():
                thread.join(timeout=5)

    def _catch_up(self) -> int:
        if self.log is None:
            return 0
        arrivals, cursor = self.log.since(self.cursor)
        lap("graph_log_read")
        new = sum(self.checks.record(a.application()) for a in arrivals)  # its own arrivals are known: no-ops
        self.cursor = cursor  # only once recorded: a failure part-way re-reads (recording is idempotent)
        return new

    def check(self, request: DecisionRequest) -> GraphSignals:
        """Signals and evidence of ``request`` as of now (after the arrivals logged by every worker)."""
        app = application(
            application_id=request.application_id,
            credit_code=request.credit_code,
            applicant_id=request.applicant_id,
            phone=request.phone,
            device_id=request.device_id,
            ip=request.ip,
            applied_at=self.clock.now(),
            address=request.address,
            email=request.email,
            bank_account=request.bank_account,
            channel=request.channel,
        )
        lap("graph")
        with self._lock:
            lap("graph_lock")  # waiting for the background catch-up (or a console read) to let go
            self._catch_up()  # a failing log fails the check: the pipeline refers rather than check half-blind
            lap("graph_catch_up")
            found = self.checks.check(app)
            lap("graph")
            self.checks.record(app)  # the next arrivals link to it (bursts are seen as they happen)
            lap("graph_record")
        inputs = found.rule_inputs()
        evidence = [f"{name}:{label}" for name, labels in sorted(found.evidence.items()) for label in labels]
        if found.gang:
            evidence.insert(0, f"gang:{found.gang.get('label', '')}:{found.gang.get('size', '')}")
        return GraphSignals(
            gang_member=bool(inputs["gang_member"]),
            gang_size=int(float(str(inputs["gang_size"]))),
            shared_phone_other_company=bool(inputs["shared_phone_other_company"]),
            shared_device_applicants=int(float(str(inputs["shared_device_applicants"]))),
            propagated_risk=min(1.0, max(0.0, float(str(inputs["propagated_risk"])))),
            related_party_risk=min(1.0, max(0.0, float(str(inputs["related_party_risk"])))),
            evidence=tuple(evidence[:MAX_EVIDENCE]),
            features=found.features,  # the model's graph source (computed before this application was recorded)
        )


def load_graph_checks(
    con: duckdb.DuckDBPyConnection,
    store: GraphStore,
    tokenizer: Tokenizer,
    clock: Clock,
    *,
    window_days: float | None = 30.0,
    log: ArrivalLog | None = None,
) -> WorkspaceGraphChecks:
    """Graph checks of the graph in ``store`` (usage and status from ``con``), caught up on ``log``.

    With a log, every arrival logged since the graph was built is recorded before this returns. Raises
    NotFoundError when no graph was built, DataSourceError when it was built under another key or lost edges.
    """
    from riskloop.service.graph import load_analytics
    from riskloop.service.graph_integrity import verify_graph
    from riskloop.service.prerequisites import NO_GRAPH

    build = store.latest_build()  # before the graph: a rebuild in between only makes the catch-up longer
    if build is None:
        raise NotFoundError(NO_GRAPH)
    verify_graph(store, lambda: tokenizer.fingerprint)  # another key's tokens, or lost edges: refused
    analytics = load_analytics(con, store, tokenizer, as_of=clock.now(), window_days=window_days)
    cursor = None if log is None else log.start(dt.datetime.fromisoformat(str(build["built_at"])))
    view = GraphView(analytics.graph, tokenizer, analytics.status, analytics.gangs)
    checks = WorkspaceGraphChecks(analytics.checks, clock, log, cursor, view=view)
    checks.catch_up()
    analytics.checks.prepare(epoch(clock.now()))  # this period's risk snapshot, with the arrivals caught up on
    return checks


def graph_checks_as_of(
    con: duckdb.DuckDBPyConnection, tokenizer: Tokenizer, clock: Clock, *, window_days: float | None = 30.0
) -> WorkspaceGraphChecks:
    """Graph checks of a graph built in memory from the tables on ``con`` as they stood at ``clock.now()``.

    Nothing is persisted and no arrival log is read: for replaying history (``Warehouse.connect(before=...)``
    gives the tables as they stood; a ``ReplayClock`` moved to each application's time makes the checks
    record it then). Statuses the tables date after ``clock.now()`` are not known yet and are left out.
    """
    from riskloop.graph.analytics import GraphAnalytics
    from riskloop.graph.build import build_graph
    from riskloop.graph.status import known_before, read_status
    from riskloop.graph.usage import read_usage

    at = epoch(clock.now())
    tables = build_graph(con, tokenizer)
    status = known_before(read_status(con), at)
    since = None if window_days is None else at - int(window_days * 86_400)
    analytics = GraphAnalytics.load(tables, read_usage(con, tokenizer), status, tokenizer, as_of=at, since=since)
    analytics.checks.prepare(at)
    view = GraphView(analytics.graph, tokenizer, analytics.status, analytics.gangs)
    return WorkspaceGraphChecks(analytics.checks, clock, view=view)
