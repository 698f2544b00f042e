"""Worker processes share arrivals through the log: a ring spread over workers, or over a restart, is seen whole.

Two ``WorkspaceGraphChecks`` over the same stored graph and database stand for two ``riskloop serve``
workers; decisions go through the intake and the SQL decision store, which logs each arrival.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.domain.decision_request import DecisionRequest
from riskloop.graph.build import GraphTables, build_graph
from riskloop.graph.tokens import Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.service.graph_checks import WorkspaceGraphChecks, load_graph_checks
from riskloop.service.intake import Intake, request_digest
from riskloop.storage.arrivals import SQLArrivalLog
from riskloop.storage.decisions import SQLDecisionStore
from riskloop.storage.engine import make_engine
from riskloop.storage.graph_store import SQLGraphStore
from riskloop.storage.migrate import upgrade
from riskloop.storage.models import graph_arrivals
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import make_decider
from riskloop.testing.graph_fixtures import TEST_KEY, universe_views
from riskloop.testing.keys import MemoryKeyProvider

TOKENS = Tokenizer(TEST_KEY)


class Ring:
    """A shared-contact ring (its members share one phone) applying after the graph was built."""

    def __init__(self, universe: Path, cut: int, tables: GraphTables, rows: list[dict[str, Any]]) -> None:
        self.universe, self.cut, self.tables, self.rows = universe, cut, tables, rows

    def requests(self) -> list[tuple[DecisionRequest, dt.datetime]]:
        return [
            (
                DecisionRequest(
                    application_id=r["application_id"],
                    credit_code=r["credit_code"],
                    product_code=r["product_code"],
                    amount_cents=int(r["requested_amount_cents"]),
                    term_months=int(r["term_months"]),
                    channel=r["channel"],
                    applicant_id=r["applicant_id"],
                    phone=r["phone"],
                    device_id=r["device_id"],
                    ip=r["ip"],
                ),
                r["applied_at"],
            )
            for r in self.rows
        ]


@pytest.fixture(scope="module")
def ring(graph_universe: Path, truth: tuple[dict[str, str], dict[str, str]]) -> Ring:
    ring_of, shape_of = truth
    full = universe_views(graph_universe)
    by_ring: dict[str, list[tuple[int, str]]] = {}
    for app_id, at in full.sql("SELECT application_id, epoch(applied_at) FROM applications").fetchall():
        if app_id in ring_of:
            by_ring.setdefault(ring_of[app_id], []).append((int(at), app_id))
    members = next(sorted(m) for r, m in sorted(by_ring.items()) if shape_of[r] == "shared_contact" and len(m) >= 5)
    cut = members[0][0]  # the graph is built just before the ring's first application
    late = full.sql(f"SELECT * FROM applications WHERE applied_at >= to_timestamp({cut})").to_arrow_table()
    rows = {r["application_id"]: r for r in late.to_pylist()}
    return Ring(
        graph_universe, cut, build_graph(universe_views(graph_universe, cut), TOKENS), [rows[a] for _, a in members]
    )


@pytest.fixture
def engine(db_url: str, ring: Ring) -> Iterator[sa.Engine]:
    """A migrated database holding the graph built at the ring's cut."""
    upgrade(db_url)
    engine = make_engine(db_url)
    SQLGraphStore(engine).write(ring.tables, "before-the-ring", dt.datetime.fromtimestamp(ring.cut, dt.UTC))
    yield engine
    engine.dispose()


Worker = Callable[..., WorkspaceGraphChecks]


@pytest.fixture
def worker(ring: Ring, engine: sa.Engine) -> Iterator[Worker]:
    """Loads what a ``riskloop serve`` worker loads: the stored graph, the batch's usage, the log when shared."""
    loaded: list[WorkspaceGraphChecks] = []

    def load(clock: SteppingClock, *, shared: bool = True) -> WorkspaceGraphChecks:
        con = universe_views(ring.universe, ring.cut)
        try:
            log = SQLArrivalLog(engine) if shared else None
            loaded.append(load_graph_checks(con, SQLGraphStore(engine), TOKENS, clock, log=log))
        finally:
            con.close()
        return loaded[-1]

    yield load
    for checks in loaded:
        checks.close()


def decide(intake: Intake, clock: SteppingClock, request: DecisionRequest, at: dt.datetime) -> dict[str, Any]:
    """Decide ``request`` at ``at`` through the intake; the graph signals stored with the decision."""
    clock.at = at
    submitted = intake.submit(
        key=f"key-{request.application_id}",
        request=request,
        digest=request_digest(request.to_dict()),
        render=lambda i, d: json.dumps({"id": i, **d.to_dict()}).encode(),
        actor="test",
    )
    assert submitted.created
    graph = intake.store.get(submitted.decision_id).inputs["graph"]  # type: ignore[attr-defined]
    assert graph is not None
    return dict(graph)


def one_process(ring: Ring, worker: Worker) -> list[dict[str, Any]]:
    """The signals one worker deciding the whole ring gives (it records each arrival itself)."""
    clock = SteppingClock(dt.datetime.fromtimestamp(ring.cut, dt.UTC))
    alone = worker(clock, shared=False)
    out = []
    for request, at in ring.requests():
        clock.at = at
        out.append(json.loads(json.dumps(alone.check(request).to_dict())))  # as stored with a decision
    return out


def arrivals_part(signals: dict[str, Any]) -> dict[str, Any]:
    """The signals arrivals change (propagated and related-party risk are batch figures as of the load)."""
    return {k: v for k, v in signals.items() if k not in ("propagated_risk", "related_party_risk")}


def protected_store(engine: sa.Engine) -> SQLDecisionStore:
    """The decision store as a workspace builds it: inputs sealed, arrivals logged by keyed token (ADR 0016)."""
    return SQLDecisionStore(engine, sealer=Sealer(MemoryKeyProvider()), tokenizer=TOKENS)


def logged(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(graph_arrivals.c.application_id).order_by(graph_arrivals.c.seq)).scalars())


def test_workers_see_each_others_arrivals_and_a_restart_catches_up(
    ring: Ring, engine: sa.Engine, worker: Worker
) -> None:
    want = one_process(ring, worker)
    assert len(want) >= 5
    assert want[0]["gang_size"] == 0
    assert not want[0]["shared_phone_other_company"]
    assert all(s["shared_phone_other_company"] for s in want[1:])  # each shares the phone with the ones before
    assert [s["gang_size"] for s in want[2:]] == [k + 1 for k in range(2, len(want))]

    clock = SteppingClock(dt.datetime.fromtimestamp(ring.cut, dt.UTC))
    store = protected_store(engine)
    a, b = worker(clock), worker(clock)
    intakes = [Intake(make_decider(clock=clock, graph=g), store) for g in (a, b)]
    requests = ring.requests()
    got = [decide(intakes[k % 2], clock, r, at) for k, (r, at) in enumerate(requests[:-1])]  # alternately
    assert got == want[:-1]  # exactly what one process seeing every arrival gives
    assert logged(engine) == [r.application_id for r, _ in requests[:-1]]
    with engine.connect() as conn:  # the other worker saw them through tokens: no raw phone in the log
        phones = conn.execute(sa.select(graph_arrivals.c.phone)).scalars().all()
    assert phones
    assert all(str(p).startswith("tok1:") for p in phones)
    assert not {str(r.phone) for r, _ in requests} & set(phones)

    restarted = worker(clock)  # loads after the arrivals: catches up on all of them
    assert all(restarted.checks.index.position(r.application_id) is not None for r, _ in requests[:-1])
    last = decide(Intake(make_decider(clock=clock, graph=restarted), store), clock, *requests[-1])
    assert arrivals_part(last) == arrivals_part(want[-1])  # the batch risks are as of the later load
    assert last["gang_size"] == len(requests)

    again = intakes[1].submit(  # a retried Idempotency-Key: the stored response, no second log row
        key=f"key-{requests[0][0].application_id}",
        request=requests[0][0],
        digest=request_digest(requests[0][0].to_dict()),
        render=lambda i, d: b"unused",
        actor="test",
    )
    assert not again.created
    assert logged(engine) == [r.application_id for r, _ in requests]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the control needs no second backend
def test_without_the_log_a_ring_spread_over_workers_is_partly_missed(
    ring: Ring, engine: sa.Engine, worker: Worker
) -> None:
    clock = SteppingClock(dt.datetime.fromtimestamp(ring.cut, dt.UTC))
    store = protected_store(engine)
    a, b = worker(clock, shared=False), worker(clock, shared=False)
    intakes = [Intake(make_decider(clock=clock, graph=g), store) for g in (a, b)]
    got = [decide(intakes[k % 2], clock, r, at) for k, (r, at) in enumerate(ring.requests())]
    assert not got[1]["shared_phone_other_company"]  # b never saw a's first member: the case the log fixes
    assert got[-1]["gang_size"] < len(got)


def test_an_idle_worker_follows_the_log_in_the_background(ring: Ring, engine: sa.Engine, worker: Worker) -> None:
    clock = SteppingClock(dt.datetime.fromtimestamp(ring.cut, dt.UTC))
    store = protected_store(engine)
    busy, idle = worker(clock), worker(clock)
    intake = Intake(make_decider(clock=clock, graph=busy), store)
    requests = ring.requests()
    with idle.following(interval=0.01):
        for request, at in requests:
            decide(intake, clock, request, at)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(
            idle.checks.index.position(r.application_id) is not None for r, _ in requests
        ):
            time.sleep(0.01)
    assert all(idle.checks.index.position(r.application_id) is not None for r, _ in requests)  # no check needed
    assert idle.catch_up() == 0  # nothing left for its next request to record
