"""ProductFit on the active catalogue: zen decides eligibility, the offer fits the terms, activations are followed."""

from __future__ import annotations

import datetime as dt
import json
import math
from importlib import resources
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskloop.domain.access import ANALYST, APPROVER
from riskloop.domain.product_conditions import normalise_profile
from riskloop.domain.products import PRODUCTS, Catalogue, ProductOffer, parse_catalogue
from riskloop.domain.tables import INDUSTRY_SECTIONS, TAX_GRADES
from riskloop.errors import NotFoundError
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.product_fit import ProductFit
from riskloop.service.strategies import StrategyLifecycle
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_strategies import MemoryStrategies, StoredStrategyLoader
from riskloop.testing.principals import person

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
SHIPPED = resources.files("riskloop.rules").joinpath("strategies", "products-v1.json").read_text("utf-8")
CATALOGUE = parse_catalogue(SHIPPED)
ANN, BOB = person("ann", ANALYST, APPROVER), person("bob", ANALYST, APPROVER)
HEALTHY: dict[str, Any] = {
    "tax_grade": "A", "years_in_business": 5.0, "pd": 0.01, "last_12m_sales": 4_000_000.0,
    "sales_12m_forecast": 5_000_000.0, "growth_12m": 0.25, "related_risk": 0.1, "propagated_risk": 0.05,
    "gang": False, "bad_neighbours": 0, "individual": False, "section": "C", "blacklisted": False, "excluded": False,
}  # fmt: skip


class Setup:
    """A memory store with the catalogue's lifecycle and a ProductFit over it (zen on the stored versions)."""

    def __init__(self) -> None:
        self.store = MemoryStrategies()
        self.lifecycle = StrategyLifecycle(self.store, SteppingClock(NOW), validators={PRODUCTS: parse_catalogue})
        loader = StoredStrategyLoader(self.store)
        self.rules = ZenRuleEngine(loader)
        self.fit = ProductFit(self.store, loader, self.rules)

    def release(self, content: str) -> int:
        version = self.lifecycle.create(ANN, PRODUCTS, content).version
        self.lifecycle.submit(ANN, PRODUCTS, version)
        self.lifecycle.approve(BOB, PRODUCTS, version)
        self.activate(version)
        return version

    def activate(self, version: int) -> None:
        self.lifecycle.approve_activation(BOB, self.lifecycle.request_activation(ANN, PRODUCTS, version))


@pytest.fixture(scope="module")
def setup() -> Setup:
    made = Setup()
    made.release(SHIPPED)
    return made


def profile(**changes: object) -> dict[str, Any]:
    return {**HEALTHY, **changes}


def test_without_an_active_catalogue_nothing_is_recommended_and_the_error_says_how() -> None:
    with pytest.raises(NotFoundError, match=r"no active version; author one with the content of .*products-v1"):
        Setup().fit.recommend(HEALTHY)


def test_a_healthy_taxpayer_gets_the_tax_loan_at_a_fifth_of_forecast_sales(setup: Setup) -> None:
    assert setup.fit.eligible(HEALTHY) == ["shuiyidai", "piaoyidai", "shoudai", "danbaodai"]
    offer = setup.fit.recommend(HEALTHY)
    assert offer == ProductOffer("shuiyidai", "税易贷", "Tax-credit loan", 100_000_000, 12, 3.45, 6.0, "products@1")
    assert offer.to_dict()["catalogue"] == "products@1"


@pytest.mark.parametrize(
    ("changes", "code", "limit_yuan"),
    [
        ({"sales_12m_forecast": 50_000_000.0}, "shuiyidai", 3_000_000),  # capped at the maximum
        ({"sales_12m_forecast": 1_234_567.0}, "shuiyidai", 240_000),  # 246,913.4 rounded down to 10,000
        ({"sales_12m_forecast": 400_000.0}, "shoudai", 40_000),  # too small for the tax and invoice loans
        ({"sales_12m_forecast": 250_000.0}, None, None),  # 25,000 is below every minimum
        ({"tax_grade": "C"}, "shoudai", 500_000),  # graded C: the starter loan, at its maximum
        ({"tax_grade": "D", "years_in_business": 0.4}, None, None),
        ({"pd": 0.07, "tax_grade": "M"}, "danbaodai", 500_000),  # only the guarantee takes this PD
        ({"section": "K"}, None, None),  # real estate: no product
        ({"sales_12m_forecast": None}, None, None),
        ({"sales_12m_forecast": float("nan")}, None, None),
    ],
)
def test_the_offer_is_the_first_product_by_priority_whose_limit_fits(
    setup: Setup, changes: dict[str, object], code: str | None, limit_yuan: int | None
) -> None:
    offer = setup.fit.recommend(profile(**changes))
    assert ((offer.code, offer.limit_cents // 100) if offer else (None, None)) == (code, limit_yuan)


@pytest.mark.parametrize(
    "changes",
    [{"blacklisted": True}, {"excluded": True}, {"gang": True}, {"blacklisted": None}, {"excluded": "no"}, {}],
    ids=["blacklisted", "excluded", "gang", "unknown", "wrong-type", "missing"],
)
def test_blacklisted_excluded_and_gang_profiles_get_nothing_from_the_table_itself(
    setup: Setup, changes: dict[str, object]
) -> None:
    barred = profile(**changes) if changes else {k: v for k, v in HEALTHY.items() if k != "gang"}
    assert setup.fit.eligible(barred) == []
    assert setup.fit.recommend(barred) is None
    direct = setup.rules.evaluate("products@1", normalise_profile(barred))  # the table, without ProductFit's guard
    assert direct.ok
    assert direct.result["products"] == []


FLAG = st.sampled_from([*[False] * 8, True, None])  # mostly open, so that products come out


def _number(healthy: float, risky: float, marks: list[float]) -> st.SearchStrategy[float | None]:
    """A number from ``healthy`` (the simplest) to ``risky``; a tenth a catalogue threshold (or a float next to one),
    a tenth unknown."""
    spread = st.floats(0, 1).map(lambda f: healthy + (risky - healthy) * f)
    pick = st.tuples(st.integers(0, 9), spread, st.sampled_from(marks))
    return pick.map(lambda p: p[2] if p[0] == 8 else None if p[0] == 9 else p[1])


PROFILES = st.fixed_dictionaries({
    "tax_grade": st.sampled_from(["A", "A", "B", "B", *TAX_GRADES, None]),
    "years_in_business": _number(10, 0, [0.5, 1, 2, 1.9999999999999998]),
    "pd": _number(0, 0.1, [0.03, 0.05, 0.06, 0.08, 0.030000000000000002]),
    "last_12m_sales": _number(5e6, 0, [100_000, 300_000, 500_000, 1_000_000]),
    "sales_12m_forecast": _number(2e7, 0, [1_000_000, 2_000_000, 5e5, 3e5, 1e300]),
    "growth_12m": _number(1.5, -0.6, [-0.3]),
    "related_risk": _number(0, 0.8, [0.5, 0.6, 0.7]),
    "propagated_risk": _number(0, 0.7, [0.3, 0.4, 0.5, 0.6]),
    "gang": FLAG,
    "bad_neighbours": st.sampled_from([0, 0, 0, 1, 1, 2, 3, None]),
    "individual": st.sampled_from([True, False, False, None]),
    "section": st.sampled_from([*INDUSTRY_SECTIONS, None]),
    "blacklisted": FLAG,
    "excluded": FLAG,
})  # fmt: skip


def expected_offer(catalogue: Catalogue, raw: dict[str, Any]) -> tuple[list[str], str | None]:
    """Eligibility re-checked from the parsed terms, and the product that should be offered (independently of zen)."""
    seen = normalise_profile(raw)
    eligible = [p for p in catalogue.products if p.admits(seen)]
    forecast = seen["sales_12m_forecast"]
    fitting = []
    for product in eligible:
        if forecast is None:
            continue
        limit = math.floor(min(product.limit_multiple * forecast, product.amount_max) / 10_000) * 10_000
        if limit >= product.amount_min:
            fitting.append((product.priority, -limit, product.code))
    return [p.code for p in eligible], min(fitting)[2] if fitting else None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=PROFILES)
def test_recommend_never_offers_a_product_the_profile_is_not_eligible_for(setup: Setup, raw: dict[str, Any]) -> None:
    codes, best = expected_offer(CATALOGUE, raw)
    assert setup.fit.eligible(raw) == codes  # zen and the parsed conditions agree
    offer = setup.fit.recommend(raw)
    assert (offer.code if offer else None) == best
    if offer is None:
        return
    product = CATALOGUE.product(offer.code)
    assert offer.code in codes
    assert not any(raw[flag] is not False for flag in ("blacklisted", "excluded", "gang"))
    assert product.amount_min * 100 <= offer.limit_cents <= product.amount_max * 100
    assert offer.limit_cents % 1_000_000 == 0  # whole 10,000 yuan
    assert offer.limit_cents <= product.limit_multiple * raw["sales_12m_forecast"] * 100 + 1e-6
    assert (offer.tenor_months, offer.rate_low, offer.rate_high) == (
        product.tenor_default, product.rate_low, product.rate_high
    )  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(PROFILES, max_size=20))
def test_recommend_many_is_recommend_of_each(setup: Setup, batch: list[dict[str, Any]]) -> None:
    assert setup.fit.recommend_many(batch) == [setup.fit.recommend(p) for p in batch]
    assert setup.fit.eligible_many(batch) == [setup.fit.eligible(p) for p in batch]


def _version_two() -> str:
    """The shipped catalogue with a larger tax-loan multiple and no starter loan."""
    data = json.loads(SHIPPED)
    table = next(n for n in data["nodes"] if n["type"] == "decisionTableNode")["content"]
    next(r for r in table["rules"] if r["_id"] == "shuiyidai")["t_limit_multiple"] = "0.3"
    table["rules"] = [r for r in table["rules"] if r["_id"] != "shoudai"]
    return json.dumps(data, ensure_ascii=False, indent=1)


def test_an_activated_version_changes_the_recommendations_and_a_rollback_restores_them() -> None:
    made = Setup()
    made.release(SHIPPED)
    micro = profile(tax_grade="C")
    before = [made.fit.recommend(HEALTHY), made.fit.recommend(micro)]
    assert [(o.code, o.limit_cents, o.catalogue) if o else None for o in before] == [
        ("shuiyidai", 100_000_000, "products@1"), ("shoudai", 50_000_000, "products@1")
    ]  # fmt: skip
    assert made.release(_version_two()) == 2
    after = [made.fit.recommend(HEALTHY), made.fit.recommend(micro)]
    assert after[0] == ProductOffer("shuiyidai", "税易贷", "Tax-credit loan", 150_000_000, 12, 3.45, 6.0, "products@2")
    assert after[1] is not None
    assert (after[1].code, after[1].limit_cents) == ("danbaodai", 50_000_000)
    made.activate(1)  # a rollback, four eyes as any activation
    assert made.fit.recommend_many([HEALTHY, micro]) == before
