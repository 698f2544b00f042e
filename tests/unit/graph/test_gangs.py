import numpy as np

from riskloop.graph.gang_index import GangIndex
from riskloop.graph.gangs import GangSettings, detect_gangs
from riskloop.graph.usage import ROLE_CODE, Usage

HOUR = 3600


def usage(rows: list[tuple[int, str, int]], times: list[int]) -> Usage:
    """Applications at ``times``; rows are (application, role, identifier key)."""
    n = len(times)
    return Usage(
        application_id=[f"A{i}" for i in range(n)],
        credit_code=[f"C{i}" for i in range(n)],
        at=np.array(times, dtype=np.int64),
        app=np.array([r[0] for r in rows], dtype=np.int64),
        key=np.array([r[2] for r in rows], dtype=np.int64),
        role=np.array([ROLE_CODE[r[1]] for r in rows], dtype=np.int8),
    )


def test_shared_phone_in_a_burst_is_a_gang_labelled_by_its_identifier():
    u = usage([(i, "phone", 7) for i in range(4)] + [(4, "phone", 8)], [i * HOUR for i in range(5)])
    gangs = detect_gangs(u)
    assert len(gangs) == 1
    assert gangs[0].application_ids == ["A0", "A1", "A2", "A3"]
    assert gangs[0].label == "shared_contact"
    assert gangs[0].features["density"] == 1.0


def test_hub_identifiers_link_nothing():
    many = [(i, "ip", 1) for i in range(60)]  # a carrier NAT address: more users than max_degree
    spread = [(i, "device", 2) for i in range(60, 64)]  # a kiosk used over months
    times = [i * HOUR for i in range(60)] + [i * 40 * 86_400 for i in range(4)]
    assert detect_gangs(usage(many + spread, times)) == []


def test_weak_identifiers_need_a_crowd_in_a_burst():
    pair = [(0, "address", 5), (1, "address", 5), (1, "device", 6), (2, "device", 6)]
    assert detect_gangs(usage(pair, [0, HOUR, 2 * HOUR])) == []  # the address links only two
    crowd = [(i, "address", 5) for i in range(3)]
    assert len(detect_gangs(usage(crowd, [0, HOUR, 2 * HOUR]))) == 1
    slow = usage(crowd, [0, 3 * 86_400, 6 * 86_400])
    assert detect_gangs(slow) == []  # same three users, spread over six days


def test_index_grows_like_a_rebuild():
    rows = [(i, "device", 9) for i in range(5)]
    times = [i * HOUR for i in range(5)]
    full = detect_gangs(usage(rows, times))
    index = GangIndex(usage(rows[:2], times[:2]))
    for i in range(2, 5):
        index.add(f"A{i}", f"C{i}", times[i], [("device", 9)])
    assert [g.application_ids for g in index.gangs()] == [g.application_ids for g in full]
    assert index.component_size(4) == 5


def test_index_recomputes_when_an_identifier_becomes_a_hub():
    settings = GangSettings(max_degree=3)
    rows = [(i, "device", 9) for i in range(3)]
    index = GangIndex(usage(rows, [0, HOUR, 2 * HOUR]), settings)
    assert len(index.gangs()) == 1
    index.add("A3", "C3", 3 * HOUR, [("device", 9)])  # now four users: a hub
    assert index.gangs() == []
