"""Exclusions and the prospect score: what never becomes a prospect, and the order of the rest."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from riskloop.domain.prospect import EXCLUSIONS
from riskloop.prospecting.policy import shipped_policy
from riskloop.prospecting.rank import NONE, Screened, exclusion_counts, exclusions, ranking, scores

POLICY = shipped_policy()


def _screened(n: int, **over: np.ndarray) -> Screened:
    base = {
        "blacklisted": np.zeros(n, bool),
        "active": np.ones(n, bool),
        "defaulted": np.zeros(n, bool),
        "dishonest": np.zeros(n, bool),
        "gang": np.zeros(n, bool),
        "years": np.full(n, 5.0),
        "last_12m_sales": np.full(n, 1e6),
        "p_growth": np.full(n, 0.5),
        "pd": np.full(n, 0.02),
        "related_risk": np.zeros(n),
        "propagated_risk": np.zeros(n),
        "bad_neighbours": np.zeros(n, np.int64),
    }
    return Screened(**(base | over))


def test_each_exclusion_applies_alone() -> None:
    n = 9
    flags = {
        "blacklisted": np.eye(n, dtype=bool)[0],
        "active": ~np.eye(n, dtype=bool)[1],
        "defaulted": np.eye(n, dtype=bool)[2],
        "dishonest": np.eye(n, dtype=bool)[3],
        "gang": np.eye(n, dtype=bool)[4],
        "years": np.where(np.eye(n, dtype=bool)[5], 0.5, 5.0),
        "last_12m_sales": np.where(np.eye(n, dtype=bool)[6], np.nan, 1e6),
        "pd": np.where(np.eye(n, dtype=bool)[7], 0.3, 0.02),
    }
    got = exclusions(_screened(n, **flags), POLICY)
    assert [EXCLUSIONS[i] if i != NONE else None for i in got] == [*EXCLUSIONS, None]
    assert exclusion_counts(got) == dict.fromkeys(EXCLUSIONS, 1)


def test_a_missing_input_excludes_rather_than_ranks() -> None:
    got = exclusions(_screened(3, pd=np.array([np.nan, 0.01, 0.01]), p_growth=np.array([0.5, np.nan, 0.5])), POLICY)
    assert got.tolist() == [EXCLUSIONS.index("PD_ABOVE_CEILING"), EXCLUSIONS.index("NO_SALES"), NONE]


def test_score_is_growth_times_survival_and_graph_risk_discounts() -> None:
    policy = replace(POLICY, related_risk=0.5, per_bad_neighbour=0.05, propagated_risk=0.5)
    s = _screened(4, related_risk=np.array([0.0, 0.4, 0.0, 0.0]), bad_neighbours=np.array([0, 0, 3, 0]),
                  propagated_risk=np.array([0.0, 0.0, 0.0, 0.2]))  # fmt: skip
    got = scores(s, policy)
    assert np.allclose(got, 0.5 * 0.98 * np.array([1.0, 1 - 0.5 * 0.4, 1 - 0.05 * 3, 1 - 0.5 * 0.2]))


def test_ranking_is_by_score_then_code_and_keeps_only_eligible() -> None:
    score = np.array([0.2, 0.9, 0.5, 0.5, 0.99])
    excluded = np.array([NONE, NONE, NONE, NONE, 0])
    codes = np.array(["e", "d", "c", "b", "a"], dtype=object)
    assert ranking(score, excluded, codes, keep=10).tolist() == [1, 3, 2, 0]
    assert ranking(score, excluded, codes, keep=2).tolist() == [1, 3]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_no_excluded_enterprise_is_ever_ranked(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 60))
    bools = st.lists(st.booleans(), min_size=n, max_size=n).map(np.array)
    floats = st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n).map(np.array)
    s = _screened(
        n,
        blacklisted=data.draw(bools),
        active=data.draw(bools),
        defaulted=data.draw(bools),
        dishonest=data.draw(bools),
        gang=data.draw(bools),
        years=data.draw(st.lists(st.floats(0.0, 30.0), min_size=n, max_size=n).map(np.array)),
        p_growth=data.draw(floats),
        pd=data.draw(floats),
        related_risk=data.draw(floats),
    )
    excluded = exclusions(s, POLICY)
    ranked = ranking(scores(s, POLICY), excluded, np.array([f"c{i:03d}" for i in range(n)], dtype=object), keep=n)
    for i in ranked:
        assert not s.blacklisted[i]
        assert not s.gang[i]
        assert not s.defaulted[i]
        assert not s.dishonest[i]
        assert s.active[i]
        assert s.years[i] >= POLICY.min_years
        assert s.pd[i] <= POLICY.pd_ceiling
    assert set(ranked.tolist()) == set(np.flatnonzero(excluded == NONE).tolist())
