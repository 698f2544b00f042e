"""The baseline decision never approves without its data, and orders tiers by PD."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from riskloop.domain.decision import TIER_ORDER, Tier
from riskloop.features.catalog import GROUPS
from riskloop.service.baseline_decision import DATA_UNAVAILABLE, DISHONEST_LIST, decide, tier_for_pd

SOURCES = [g.name for g in GROUPS]


@given(pd=st.floats(0, 1), missing=st.lists(st.sampled_from(SOURCES), min_size=1, unique=True))
def test_missing_source_never_approves(pd: float, missing: list[str]) -> None:
    d = decide("A1", pd, missing, dishonest=False)
    assert not d.tier.approves
    if tier_for_pd(pd).approves:
        assert d.tier is Tier.MANUAL_REVIEW
        assert d.reason.startswith(DATA_UNAVAILABLE)
        assert all(m in d.reason for m in missing)


@given(pd=st.floats(0, 1))
def test_dishonest_list_rejects_whatever_the_score(pd: float) -> None:
    d = decide("A1", pd, [], dishonest=True)
    assert d.tier is Tier.AUTO_REJECT
    assert d.reason == DISHONEST_LIST


@given(a=st.floats(0, 1), b=st.floats(0, 1))
def test_higher_pd_never_gets_a_better_tier(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert TIER_ORDER.index(tier_for_pd(low)) <= TIER_ORDER.index(tier_for_pd(high))


def test_band_edges() -> None:
    assert tier_for_pd(0.0) is Tier.AUTO_APPROVE
    assert tier_for_pd(0.02) is Tier.SUGGEST_APPROVE
    assert tier_for_pd(0.2499) is Tier.SUGGEST_REJECT
    assert tier_for_pd(0.25) is Tier.AUTO_REJECT
    assert tier_for_pd(1.0) is Tier.AUTO_REJECT
