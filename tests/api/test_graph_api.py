"""GET /v1/graph/...: a generated universe's graph as the serving process holds it, checked against ground truth.

Ground truth: breadth-first distances over the graph's plain adjacency (scipy), the universe's planted rings
(``truth/ring_members``), and its registrations (names) loaded as an ingest stores them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path

from riskloop.api.app import create_app
from riskloop.api.graph_schemas import EXAMPLE_CODE, EXAMPLE_OTHER, EXAMPLE_PATH, GraphOut, PathOut
from riskloop.config import Settings
from riskloop.domain.alert import RaisedAlert
from riskloop.graph.explore import HUB_DEGREE, GraphView
from riskloop.graph.kinds import EDGE_KINDS, NODE_CODE, NODE_KINDS
from riskloop.graph.tokens import TOKEN_HEX, Tokenizer
from riskloop.service.alert_propagation import facts_from, propagated_alerts
from riskloop.service.alerts import AlertDesk
from riskloop.service.graph_checks import WorkspaceGraphChecks
from riskloop.storage.decision_models import audit_log
from riskloop.testing.alerts import credit_code, propagated, raised
from riskloop.testing.api_keys import Caller, authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider
from riskloop.testing.graph_explorer import example_source, loaded_checks, register, universe
from riskloop.testing.graph_fixtures import TEST_KEY
from riskloop.workspace import Workspace

TOKENS = Tokenizer(TEST_KEY)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return universe(tmp_path_factory.mktemp("graph-api") / "u", 800)


@pytest.fixture(scope="module")
def checks(world: Path) -> WorkspaceGraphChecks:  # reads never change the graph: loaded once
    return loaded_checks(world, TOKENS, SteppingClock(NOW))


@pytest.fixture(scope="module")
def view(checks: WorkspaceGraphChecks) -> GraphView:
    assert checks.view is not None
    return checks.view


@pytest.fixture
def people(tmp_path: Path, world: Path, checks: WorkspaceGraphChecks) -> Iterator[dict[str, Caller]]:
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(settings, decider=make_decider(clock=SteppingClock(NOW), graph=checks))
    with TestClient(app, raise_server_exceptions=False) as client:
        with Workspace.open(settings, migrate=False) as ws:
            register(ws.engine, world, TOKENS, ws.sealer())
        yield authenticate(client)


def distances(view: GraphView, source: int, *, through_hubs: bool = True) -> np.ndarray:
    """Hops from ``source`` to every node over the plain adjacency (optionally never passing through a hub)."""
    g = view.graph
    n = g.n_nodes
    src, dst = g.src, g.dst
    if not through_hubs:
        degree = np.bincount(np.r_[src, dst], minlength=n)
        inner = degree > HUB_DEGREE
        inner[source] = False
        keep = ~inner[src]  # an edge leaving a hub is never followed (it may still be the path's last)
        back = ~inner[dst]
        rows, cols = np.r_[src[keep], dst[back]], np.r_[dst[keep], src[back]]
    else:
        rows, cols = np.r_[src, dst], np.r_[dst, src]
    adjacency = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    found: np.ndarray = shortest_path(adjacency, unweighted=True, indices=[source])[0]
    return found


def enterprises(view: GraphView) -> list[int]:
    return np.flatnonzero(view.graph.kind == NODE_CODE["enterprise"]).tolist()


def code_of(view: GraphView, node: int) -> str:
    return view.graph.token[node]


def node_of(view: GraphView, node_id: str) -> int:
    kind, token = node_id.split(":", 1)
    g = view.graph
    if kind in ("enterprise", "application"):
        found = g.lookup(TOKENS.key64(kind, token))
    else:
        found = g.lookup(int.from_bytes(bytes.fromhex(token[:16]), "little", signed=True))
    assert found is not None
    assert NODE_KINDS[g.kind[found]] == kind
    return found


def test_the_neighbourhood_is_the_ball_of_its_radius(people: dict[str, Caller], view: GraphView) -> None:
    g = view.graph
    degree = np.diff(g.indptr)
    quiet = next(e for e in enterprises(view) if 50 <= len(distances(view, e)[distances(view, e) <= 2]) <= 400
                 and degree[distances(view, e) <= 1].max() <= HUB_DEGREE)  # fmt: skip
    far = distances(view, quiet)
    for hops in (1, 2):
        r = people["cat"].get(f"/v1/graph/enterprises/{code_of(view, quiet)}/neighbourhood", params={"hops": hops})
        assert r.status_code == 200, r.text
        body = r.json()
        GraphOut.model_validate(body)  # the route dumps its body itself: held to the documented model here
        got = {node_of(view, n["id"]) for n in body["nodes"]}
        assert got == set(np.flatnonzero(far <= hops).tolist())  # no node farther, none nearer left out
        assert (body["capped"], body["counts"]["nodes"]) == (False, len(got))
        ids = {n["id"] for n in body["nodes"]}
        assert all(e["source"] in ids and e["target"] in ids for e in body["edges"])
        assert all(e["kind"] in EDGE_KINDS for e in body["edges"])
        [centre] = [n for n in body["nodes"] if n["flags"]["applicant"]]
        assert centre["ref"] == code_of(view, quiet)


def test_the_node_limit_caps_and_says_so(people: dict[str, Caller], view: GraphView) -> None:
    big = max(enterprises(view)[:300], key=lambda e: int((distances(view, e) <= 2).sum()))
    r = people["paul"].get(f"/v1/graph/enterprises/{code_of(view, big)}/neighbourhood", params={"limit": 50})
    assert r.status_code == 200, r.text
    assert (len(r.json()["nodes"]), r.json()["capped"]) == (50, True)


def test_a_path_found_is_a_real_shortest_path(people: dict[str, Caller], view: GraphView) -> None:
    g = view.graph
    firms = enterprises(view)
    checked = 0
    for source in firms[:40]:
        far = distances(view, source, through_hubs=False)
        for target in [t for t in firms if 2 <= far[t] <= 6][:2]:
            r = people["dan"].get("/v1/graph/paths", params={"source": code_of(view, source),
                                                              "target": code_of(view, target)})  # fmt: skip
            assert r.status_code == 200, r.text
            body = r.json()
            PathOut.model_validate(body)
            nodes = [node_of(view, n["id"]) for n in body["nodes"]]
            assert (nodes[0], nodes[-1], len(body["edges"])) == (source, target, int(far[target]))
            for a, b, edge in zip(
                nodes[:-1], nodes[1:], body["edges"], strict=True
            ):  # each step is an edge of the graph
                nbr, eid = g.neighbors(a)
                assert edge["kind"] in {EDGE_KINDS[k] for k in g.ekind[eid[nbr == b]].tolist()}
            checked += 1
    assert checked >= 20


def test_the_nearest_known_bad_is_nearest(people: dict[str, Caller], view: GraphView) -> None:
    at = int(NOW.timestamp())
    firms = np.array(enterprises(view), dtype=np.int64)
    bad = set(firms[view.bad(firms, at)].tolist())
    assert len(bad) >= 20
    seen = 0
    for start in [f for f in firms.tolist() if f not in bad][:25]:
        far = distances(view, start, through_hubs=False)
        nearest = min((far[b] for b in bad), default=np.inf)
        r = people["paul"].get(f"/v1/graph/enterprises/{code_of(view, start)}/nearest-bad")
        if nearest > 4:
            assert r.status_code == 404, r.text
            continue
        assert r.status_code == 200, r.text
        body = r.json()
        PathOut.model_validate(body)
        end = body["nodes"][-1]
        assert end["flags"]["known_bad"] is True
        assert node_of(view, end["id"]) in bad
        assert len(body["edges"]) == nearest
        seen += 1
    assert seen >= 10


def test_a_planted_ring_is_flagged(people: dict[str, Caller], view: GraphView, world: Path) -> None:
    members = pq.read_table(world / "truth" / "ring_members.parquet").to_pylist()
    rings: dict[str, set[str]] = {}
    for m in members:
        rings.setdefault(m["ring_id"], set()).add(m["credit_code"])
    planted = set().union(*rings.values())
    flagged_in_truth = total_flagged = found = 0
    for codes in rings.values():
        code = sorted(codes)[0]
        r = people["cat"].get(f"/v1/graph/enterprises/{code}/neighbourhood", params={"hops": 3})
        assert r.status_code == 200, r.text
        firms = [n for n in r.json()["nodes"] if n["kind"] == "enterprise"]
        flagged = {n["ref"] for n in firms if n["flags"]["gang_member"]}
        total_flagged += len(flagged)
        flagged_in_truth += len(flagged & planted)  # a neighbourhood may reach another ring too
        found += len(flagged & codes) >= 3
        assert all(n["flags"]["gang_id"] for n in firms if n["flags"]["gang_member"])
    assert found >= len(rings) - 1  # every ring (but one at most) is seen with three of its members or more
    assert flagged_in_truth >= 0.8 * total_flagged  # and what is flagged is mostly the planted rings


def test_shared_identifiers_link_two_enterprises_or_more(people: dict[str, Caller], view: GraphView) -> None:
    g = view.graph
    start = max(enterprises(view)[:200], key=lambda e: int((distances(view, e) <= 2).sum()))
    r = people["cat"].get(f"/v1/graph/enterprises/{code_of(view, start)}/neighbourhood")
    nodes = r.json()["nodes"]
    identifiers = [n for n in nodes if n["kind"] in ("phone", "address", "device", "ip", "email", "bank_account")]
    assert 0 < sum(n["flags"]["shared"] for n in identifiers) < len(identifiers)
    applied = {int(a): int(e) for a, e, k in zip(g.src, g.dst, g.ekind, strict=True) if EDGE_KINDS[k] == "applied_for"}
    for n in identifiers:
        nbr, _ = g.neighbors(node_of(view, n["id"]))
        firms = {int(x) for x in nbr if g.kind[x] == NODE_CODE["enterprise"]} | {applied[int(x)] for x in nbr
                                                                                  if int(x) in applied}  # fmt: skip
        assert n["flags"]["shared"] == (len(firms) >= 2), n


def test_names_masked_for_reviewers_whole_for_auditors_audited(
    people: dict[str, Caller], view: GraphView, world: Path
) -> None:
    firms = pq.read_table(world / "tables" / "enterprises").to_pylist()
    code, name = firms[0]["credit_code"], firms[0]["name"]
    url = f"/v1/graph/enterprises/{code}/neighbourhood"
    masked = people["cat"].get(url, params={"hops": 1}).json()["nodes"]
    whole = people["dan"].get(url, params={"hops": 1}).json()["nodes"]
    assert [n["label"] for n in masked if n["ref"] == code] == [name]  # an enterprise's name is not personal data
    persons = pq.read_table(world / "tables" / "persons").to_pylist()
    names = {p["name"] for p in persons}
    masked_people = [n["label"] for n in masked if n["kind"] == "person"]
    whole_people = [n["label"] for n in whole if n["kind"] == "person"]
    assert masked_people
    assert all(label.endswith("**") for label in masked_people)
    assert not names & set(masked_people)
    assert all(label in names for label in whole_people)
    services = people["dan"].client.app.state.services  # type: ignore[attr-defined]
    with services.engine.connect() as conn:
        rows = conn.execute(sa.select(audit_log.c.actor, audit_log.c.entity_id).where(
            audit_log.c.action == "pii.reveal")).all()  # fmt: skip
    assert rows == [("dan", f"graph:neighbourhood:{code}")]  # only the whole names were opened, and audited


def test_search_by_code_prefix_and_name(people: dict[str, Caller], world: Path) -> None:
    firms = pq.read_table(world / "tables" / "enterprises").to_pylist()
    code, name = firms[3]["credit_code"], firms[3]["name"]
    exact = people["cat"].get("/v1/graph/enterprises", params={"q": code.lower()}).json()
    assert (exact["match"], [i["credit_code"] for i in exact["items"]], exact["items"][0]["in_graph"]) == (
        "credit_code", [code], True)  # fmt: skip
    prefix = code[:8]
    page = people["cat"].get("/v1/graph/enterprises", params={"q": prefix, "limit": 5}).json()
    expected = sorted({f["credit_code"] for f in firms if f["credit_code"].startswith(prefix)})
    assert (page["total"], [i["credit_code"] for i in page["items"]]) == (len(expected), expected[:5])
    named = people["cat"].get("/v1/graph/enterprises", params={"q": f" {name} "}).json()
    assert named["match"] == "name"
    assert code in [i["credit_code"] for i in named["items"]]
    assert all(i["name"] == name for i in named["items"])


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/graph/enterprises/91420100000000001Y/neighbourhood?hops=0", "hops"),
        ("/v1/graph/enterprises/91420100000000001Y/neighbourhood?hops=9", "hops"),
        ("/v1/graph/enterprises/91420100000000001Y/neighbourhood?limit=0", "limit"),
        ("/v1/graph/enterprises/91420100000000001Z/neighbourhood", "credit_code"),
        ("/v1/graph/enterprises/9142010000000001/nearest-bad", "credit_code"),
        ("/v1/graph/paths?source=91420100000000001Y&target=nope", "target"),
        ("/v1/graph/enterprises?q=", "q"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(people: dict[str, Caller], url: str, field: str) -> None:
    r = people["cat"].get(url)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


def test_roles_and_unknown_enterprises(people: dict[str, Caller]) -> None:
    url = "/v1/graph/enterprises/91420100000000001Y/neighbourhood"
    assert people["channel"].get(url).status_code == 403
    assert people["cat"].get(url).status_code == 404  # valid, but not in the graph


def test_no_graph_is_a_503_naming_the_command(client: TestClient, as_: Callable[[str], Caller]) -> None:
    r = as_("cat").get("/v1/graph/enterprises/91420100000000001Y/neighbourhood")
    assert r.status_code == 503, r.text
    assert "riskloop graph build" in r.json()["detail"]
    r = as_("cat").get("/v1/graph/enterprises", params={"q": "91420100000000001Y"})
    assert (r.status_code, r.json()["total"]) == (200, 0)  # search reads the registrations: no graph needed


def through_person(alert: RaisedAlert) -> bool:
    return any(len(hop.dst) == TOKEN_HEX for hop in alert.evidence.path)  # a keyed token, not a credit code


def test_a_propagated_alert_carries_its_path_on_the_graph(people: dict[str, Caller], view: GraphView) -> None:
    g = view.graph
    at = dt.date(2025, 12, 31)
    direct, derived = next(
        (alert, found)
        for e in enterprises(view)
        if (alert := raised(1, level="warning", credit_code=code_of(view, e))) is not None
        and (found := [a for a in propagated_alerts([alert], g, facts_from({}), as_of=at) if through_person(a)])
    )  # an enterprise whose warning spreads through a person (its legal representative, a shareholder)
    desk: AlertDesk = people["paul"].client.app.state.services.alerts  # type: ignore[attr-defined]
    stored = desk.raise_many([direct, derived[0]], actor="job:monitor").alerts
    detail = people["paul"].get(f"/v1/alerts/{stored[1].alert_id}").json()
    drawn = detail["propagation"]
    hops = detail["evidence"]["path"]
    assert [n["ref"] for n in drawn["nodes"]] == [hops[0]["from"], *[h["to"] for h in hops]]
    assert [e["kind"] for e in drawn["edges"]] == [h["edge_kind"] for h in hops]
    assert (drawn["nodes"][0]["ref"], drawn["nodes"][-1]["ref"]) == (direct.credit_code, derived[0].credit_code)
    assert all(node_of(view, n["id"]) >= 0 for n in drawn["nodes"])  # every node is the graph's
    assert any(n["kind"] == "person" and n["label"].endswith("**") for n in drawn["nodes"])
    direct_detail = people["paul"].get(f"/v1/alerts/{stored[0].alert_id}").json()
    assert direct_detail["propagation"] is None


def test_without_a_graph_the_path_is_drawn_from_the_alert(client: TestClient, as_: Callable[[str], Caller]) -> None:
    desk: AlertDesk = client.app.state.services.alerts  # type: ignore[attr-defined]
    source = raised(1, level="warning")
    stored = desk.raise_many([source, propagated(source, 4)], actor="job:monitor").alerts
    drawn = as_("paul").get(f"/v1/alerts/{stored[1].alert_id}").json()["propagation"]
    assert [n["ref"] for n in drawn["nodes"]] == [credit_code(1), credit_code(4)]
    assert [(e["kind"], e["group"]) for e in drawn["edges"]] == [("guarantee", "guarantee")]


def test_the_documented_examples_answer_on_the_example_graph(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(settings, decider=make_decider(clock=SteppingClock(NOW)), graph_source=example_source())
    with TestClient(app, raise_server_exceptions=False) as client:
        cat = authenticate(client)["cat"]
        drawn = cat.get(f"/v1/graph/enterprises/{EXAMPLE_CODE}/neighbourhood").json()
        assert {(n["kind"], n["flags"]["known_bad"], n["flags"]["shared"]) for n in drawn["nodes"]} == {
            ("enterprise", False, False), ("person", False, False), ("enterprise", True, False),
            ("phone", False, True)}  # fmt: skip
        bad = cat.get(f"/v1/graph/enterprises/{EXAMPLE_CODE}/nearest-bad").json()
        assert (bad["nodes"][-1]["ref"], len(bad["edges"])) == (EXAMPLE_OTHER, 2)
        path = cat.get("/v1/graph/paths", params={"source": EXAMPLE_CODE, "target": EXAMPLE_OTHER})
        assert path.status_code == 200, path.text
        assert set(path.json()) == set(EXAMPLE_PATH)
