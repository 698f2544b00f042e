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


def test_hubs_are_judged_by_the_enterprises_behind_them_not_by_time():
    many = [(i, "device", 1) for i in range(40)]  # forty firms on one device within hours: infrastructure
    assert detect_gangs(usage(many, [i * HOUR for i in range(40)])) == []
    slow = [(i, "device", 2) for i in range(4)]  # four firms reusing one device over four months: linked
    gangs = detect_gangs(usage(slow, [i * 40 * 86_400 for i in range(4)]))
    assert [g.application_ids for g in gangs] == [["A0", "A1", "A2", "A3"]]


def test_identifiers_shared_by_nature_link_only_a_crowd_in_a_burst():
    pair = [(0, "address", 5), (1, "address", 5), (1, "device", 6), (2, "device", 6)]
    assert detect_gangs(usage(pair, [0, HOUR, 2 * HOUR])) == []  # the address links only two
    crowd = [(i, "address", 5) for i in range(3)]
    assert len(detect_gangs(usage(crowd, [0, 3 * 86_400, 6 * 86_400]))) == 1  # uses days apart, one burst
    assert detect_gangs(usage(crowd, [0, 10 * 86_400, 20 * 86_400])) == []  # neighbours over a month


def test_one_person_is_judged_as_applicant_apart_from_legal_representative():
    reps = [(i, "legal_rep", 3) for i in range(3)]  # a family's firms over a year: shared by nature, no link
    times = [i * 120 * 86_400 for i in range(3)]
    assert detect_gangs(usage(reps, times)) == []
    applying = [(i, "applicant", 3) for i in range(3)]  # the same person applying for three firms: personal
    assert len(detect_gangs(usage(reps + applying, times))) == 1


def test_one_enterprise_many_times_is_one_party():
    rows = [(i, "device", 4) for i in range(35)]
    u = usage(rows, [i * HOUR for i in range(35)])
    same = Usage(u.application_id, ["C0"] * 34 + ["C1"], u.at, u.app, u.key, u.role)
    assert detect_gangs(same, GangSettings(min_size=2))[0].credit_codes == ["C0", "C1"]  # two parties: no hub


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
    settings = GangSettings(max_parties=3)
    rows = [(i, "device", 9) for i in range(3)]
    index = GangIndex(usage(rows, [0, HOUR, 2 * HOUR]), settings)
    assert len(index.gangs()) == 1
    index.add("A3", "C3", 3 * HOUR, [("device", 9)])  # now four users: a hub
    assert index.gangs() == []


ROLE_NAMES = ("phone", "device", "address", "legal_rep", "applicant", "ip_subnet")


def random_usage(seed: int, n: int = 60) -> Usage:
    """Applications of a few firms over a few months sharing a few identifiers of every class."""
    g = np.random.default_rng(seed)
    times = np.sort(g.integers(0, 90 * 86_400, n))
    rows = [(a, ROLE_NAMES[r], int(g.integers(0, 12))) for a in range(n) for r in g.choice(6, 2, replace=False)]
    u = usage(rows, times.tolist())
    codes = [f"C{int(c)}" for c in g.integers(0, n // 2, n)]
    return Usage(u.application_id, codes, u.at, u.app, u.key, u.role)


def partition(labels: list[int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for app, label in enumerate(labels):
        groups.setdefault(label, set()).add(app)
    return {frozenset(g) for g in groups.values()}


def test_one_at_a_time_equals_the_vectorised_replay_and_the_batch():
    settings = GangSettings(max_parties=6, burst_gap_days=5.0)
    for seed in range(30):
        u = random_usage(seed)
        empty = usage([], [])
        index = GangIndex(empty, settings)
        for a in range(u.n_apps):
            uses = _uses_of(u, a)
            index.add(u.application_id[a], u.credit_code[a], int(u.at[a]), uses)
        replayed = GangIndex.replay(u, settings)
        assert partition([index.find(a) for a in range(u.n_apps)]) == partition(
            [replayed.find(a) for a in range(u.n_apps)]
        ), seed
        batch = [g.application_ids for g in detect_gangs(u, settings)]
        assert [g.application_ids for g in index.gangs()] == batch, seed


def _uses_of(u: Usage, a: int) -> list[tuple[str, int]]:
    names = {code: name for name, code in ROLE_CODE.items()}
    return [(names[int(r)], int(k)) for r, k in zip(u.role[u.app == a], u.key[u.app == a], strict=True)]


def test_a_check_links_what_adding_would_link():
    settings = GangSettings(max_parties=6, burst_gap_days=5.0)
    for seed in range(30):
        u = random_usage(seed)
        index = GangIndex(usage([], []), settings)
        for a in range(u.n_apps):
            uses = _uses_of(u, a)
            roots = index.linked_roots(uses, int(u.at[a]), u.credit_code[a])
            size = 1 + sum(index.component_size(r) for r in roots)
            index.add(u.application_id[a], u.credit_code[a], int(u.at[a]), uses)
            assert index.component_size(a) == size, (seed, a)
