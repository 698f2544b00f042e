"""The request's address, e-mail and settlement account reach the online graph checks: no skew against the batch.

Two ``riskloop serve`` workers (``WorkspaceGraphChecks`` over one stored graph, sharing the arrival log) decide
applications through the intake and the SQL decision store, which logs each arrival by keyed token. The ground
truth is ``graph_features`` over the whole universe (what the model is trained on); before the request carried
these identifiers, their reuse features were 0 online.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from riskloop.domain.decision_request import DecisionRequest
from riskloop.graph.build import build_graph
from riskloop.graph.features import graph_features
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Keyed, Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.privacy.envelope import Sealer
from riskloop.service.applications import recorded_requests
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
from riskloop.testing.pii import database_texts, hits

TOKENS = Tokenizer(TEST_KEY)
NEW = ("graph_address_reuse", "graph_email_reuse", "graph_bank_account_reuse")


def quantile(universe: Path, share: float) -> int:
    con = universe_views(universe)
    return int(con.sql(f"SELECT epoch(quantile_disc(applied_at, {share})) FROM applications").fetchall()[0][0])


@pytest.fixture(scope="module")
def cut(graph_universe: Path) -> int:
    """The graph is built from the first quarter of the applications; the rest arrive."""
    return quantile(graph_universe, 0.25)


@pytest.fixture(scope="module")
def batch(graph_universe: Path) -> dict[str, dict[str, Any]]:
    """The batch graph features of every application (the ground truth)."""
    con = universe_views(graph_universe)
    table = graph_features(read_usage(con, TOKENS), EnterpriseGraph(build_graph(con, TOKENS)), read_status(con), TOKENS)
    return {row["application_id"]: row for row in table.to_pylist()}


@pytest.fixture(scope="module")
def arriving(graph_universe: Path, cut: int) -> list[tuple[DecisionRequest, dt.datetime]]:
    """The recorded applications of the second quarter, in time order, as requests (the tables hold raw values).

    Every application before one of them is in the graph or among them, so each is checked knowing all it would
    know live.
    """
    recorded = recorded_requests(graph_universe / "tables", lambda kind, stored: {})
    end = quantile(graph_universe, 0.5)
    return [(r, at) for r, at in recorded if cut <= at.timestamp() < end]


@pytest.fixture
def engine(db_url: str, graph_universe: Path, cut: int) -> Iterator[sa.Engine]:
    """A migrated database holding the graph built at the cut."""
    upgrade(db_url)
    engine = make_engine(db_url)
    tables = build_graph(universe_views(graph_universe, cut), TOKENS)
    SQLGraphStore(engine).write(tables, "at-the-cut", dt.datetime.fromtimestamp(cut, dt.UTC))
    yield engine
    engine.dispose()


Workers = Callable[[SteppingClock], tuple[Intake, Intake]]


@pytest.fixture
def workers(engine: sa.Engine, graph_universe: Path, cut: int) -> Iterator[Workers]:
    """Two workers sharing the log, each deciding through its own intake into one protected decision store."""
    loaded: list[WorkspaceGraphChecks] = []
    store = SQLDecisionStore(engine, sealer=Sealer(MemoryKeyProvider()), tokenizer=TOKENS)

    def start(clock: SteppingClock) -> tuple[Intake, Intake]:
        for _ in range(2):
            con = universe_views(graph_universe, cut)
            try:
                loaded.append(load_graph_checks(con, SQLGraphStore(engine), TOKENS, clock, log=SQLArrivalLog(engine)))
            finally:
                con.close()
        a, b = loaded[-2:]
        return Intake(make_decider(clock=clock, graph=a), store), Intake(make_decider(clock=clock, graph=b), store)

    yield start
    for checks in loaded:
        checks.close()


def decide(intake: Intake, clock: SteppingClock, request: DecisionRequest, at: dt.datetime) -> dict[str, float]:
    """Decide ``request`` at ``at``; the model's graph features stored with the decision."""
    clock.at = at
    submitted = intake.submit(
        key=f"key-{request.application_id}",
        request=request,
        digest=request_digest(request.to_dict()),
        render=lambda i, d: json.dumps({"id": i}).encode(),
        actor="test",
    )
    assert submitted.created
    graph = intake.store.get(submitted.decision_id).inputs["graph"]  # type: ignore[attr-defined]
    return dict(graph["features"])


def replay(workers: Workers, cut: int, requests: list[tuple[DecisionRequest, dt.datetime]]) -> dict[str, Any]:
    """The stored graph features of each request, decided alternately by two workers."""
    clock = SteppingClock(dt.datetime.fromtimestamp(cut, dt.UTC))
    intakes = workers(clock)
    return {r.application_id: decide(intakes[k % 2], clock, r, at) for k, (r, at) in enumerate(requests)}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the log on both backends: the test below
def test_online_address_and_email_reuse_equal_the_batch_features(
    workers: Workers, cut: int, arriving: list[tuple[DecisionRequest, dt.datetime]], batch: dict[str, Any]
) -> None:
    assert len(arriving) > 350
    assert all(r.address is not None and r.bank_account is not None for r, _ in arriving)  # filled from the tables
    online = replay(workers, cut, arriving)
    want = {a: {n: batch[a][n] for n in NEW} for a in online}
    assert {a: {n: f[n] for n in NEW} for a, f in online.items()} == want
    reused = {n: sum(w[n] > 0 for w in want.values()) for n in NEW}
    assert reused["graph_address_reuse"] >= 5  # the comparison means something (the universe's accounts
    assert reused["graph_email_reuse"] >= 2  # are one per firm: no reuse; the test below shares one)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_without_the_fields_the_online_reuse_is_zero(
    workers: Workers, cut: int, arriving: list[tuple[DecisionRequest, dt.datetime]], batch: dict[str, Any]
) -> None:
    """The control: the requests as they were before (no address, e-mail or account) miss what the batch sees."""
    bare = [(dataclasses.replace(r, address=None, email=None, bank_account=None), at) for r, at in arriving]
    online = replay(workers, cut, bare)
    assert all(f[n] == 0.0 for f in online.values() for n in NEW)
    assert sum(batch[a]["graph_address_reuse"] > 0 for a in online) >= 5  # hub addresses (business centres) are no uses


def test_a_later_application_sharing_an_account_address_and_email_sees_the_reuse_through_the_log(
    workers: Workers, cut: int, arriving: list[tuple[DecisionRequest, dt.datetime]], engine: sa.Engine
) -> None:
    (first, at), (second, _) = (
        arriving[0],
        next((r, t) for r, t in arriving if r.credit_code != arriving[0][0].credit_code),
    )
    shared = {"bank_account": "6222 0299 0000 0000 017", "email": "Ring.Desk@example.com"}
    first = dataclasses.replace(first, address="湖北省武汉市洪山区测试路9999号 3楼", **shared)
    second = dataclasses.replace(
        second,
        address="武汉市洪山区测试路９９９９号501室",  # the same place written another way
        bank_account="6222029900000000017",
        email="ring.desk@example.com",
    )
    alone = dataclasses.replace(second, application_id="LONER-1", address=None, email=None, bank_account=None)
    clock = SteppingClock(dt.datetime.fromtimestamp(cut, dt.UTC))
    a, b = workers(clock)
    later = at + dt.timedelta(days=3)
    got = [decide(a, clock, first, at), decide(b, clock, second, later), decide(a, clock, alone, later)]
    assert [{n: f[n] for n in NEW} for f in got] == [
        dict.fromkeys(NEW, 0.0),
        dict.fromkeys(NEW, 1.0),  # b saw a's arrival through the log
        dict.fromkeys(NEW, 0.0),  # without them, as every request was before
    ]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(graph_arrivals).order_by(graph_arrivals.c.seq)).mappings().all()
    accounts = [Keyed.parse(r["bank_account"]) for r in rows[:2]]
    assert accounts[0] == accounts[1] is not None  # one token for the two spellings
    assert accounts[0].key64 == TOKENS.key64("bank_account", "6222029900000000017")  # type: ignore[union-attr]
    assert rows[2]["address"] is None
    raws = (
        "6222029900000000017",
        "6222 0299 0000 0000 017",
        "测试路9999号",
        "测试路９９９９号",
        "ring.desk@",
        "Ring.Desk@",
    )
    assert hits(database_texts(engine), raws) == {}  # sealed in the decisions, tokens in the log
