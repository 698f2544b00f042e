"""ProspectScreen over in-memory inputs: who is never listed (and why), the order, the offers, what a run keeps."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import pytest

from riskloop.domain.access import ANALYST, APPROVER, CHANNEL
from riskloop.domain.clock import FixedClock
from riskloop.domain.lists import BLACK, new_entry
from riskloop.domain.product_conditions import normalise_profile
from riskloop.domain.products import PRODUCTS, parse_catalogue
from riskloop.errors import ForbiddenError
from riskloop.prospecting.policy import shipped_policy
from riskloop.rules.zen import ZenRuleEngine
from riskloop.service.product_fit import ProductFit
from riskloop.service.prospect_inputs import ListBlacklist
from riskloop.service.prospects import ProspectScreen, ScreenInputs
from riskloop.service.strategies import StrategyLifecycle
from riskloop.testing.clock import SteppingClock
from riskloop.testing.memory_lists import MemoryListStore
from riskloop.testing.memory_prospects import MemoryProspectStore
from riskloop.testing.memory_strategies import MemoryStrategies, StoredStrategyLoader
from riskloop.testing.principals import person
from riskloop.testing.prospect_inputs import FixedForecasts, FixedGraphSignals, FixedPds
from riskloop.testing.tables import credit_code, row, write_table

AS_OF = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 7, 15, 9, tzinfo=dt.UTC)  # the run is made two weeks after the data's day
ANN, BOB = person("ann", ANALYST, APPROVER), person("bob", ANALYST, APPROVER)
CODES = {name: credit_code(200 + i) for i, name in enumerate(
    ("best", "good", "fair", "black_late", "inactive", "dishonest", "gang", "young", "risky", "silent"))}  # fmt: skip


def _warehouse(root: Path) -> Path:
    status = {"inactive": "abnormal"}
    born = {"young": dt.date(2026, 3, 1)}
    write_table(root, "enterprises", [
        row("enterprises", credit_code=code, name=f"{name}有限公司", kind="company", industry_section="C",
            established_date=born.get(name, dt.date(2018, 5, 1)), status=status.get(name, "active"), valid_from=None)
        for name, code in CODES.items()])  # fmt: skip
    write_table(root, "tax_credit_grades", [
        row("tax_credit_grades", credit_code=code, year=2025, grade="A", published_date=dt.date(2026, 4, 1))
        for code in CODES.values()])  # fmt: skip
    return root


def _forecasts() -> FixedForecasts:
    p = {"best": 0.9, "good": 0.6, "fair": 0.3}
    rows = {
        code: {"last_12m_sales": 4_000_000.0, "sales_12m": 5_000_000.0, "growth_12m": 0.25, "growth_12m_lo": 0.05,
               "growth_12m_hi": 0.45, "p_growth_20": p.get(name, 0.95)}
        for name, code in CODES.items() if name != "silent"
    }  # fmt: skip
    return FixedForecasts(rows)


def _products() -> ProductFit:
    store = MemoryStrategies()
    lifecycle = StrategyLifecycle(store, SteppingClock(NOW), validators={PRODUCTS: parse_catalogue})
    shipped = resources.files("riskloop.rules").joinpath("strategies", "products-v1.json").read_text("utf-8")
    version = lifecycle.create(ANN, PRODUCTS, shipped).version
    lifecycle.submit(ANN, PRODUCTS, version)
    lifecycle.approve(BOB, PRODUCTS, version)
    lifecycle.approve_activation(BOB, lifecycle.request_activation(ANN, PRODUCTS, version))
    loader = StoredStrategyLoader(store)
    return ProductFit(store, loader, ZenRuleEngine(loader))


@pytest.fixture
def screen(tmp_path: Path) -> tuple[ProspectScreen, MemoryProspectStore]:
    lists = MemoryListStore()
    listed = new_entry(BLACK, "credit_code", CODES["black_late"], reason="fraud confirmed after the data's day",
                       source="manual", provenance={"by": "lisa"}, valid_from=NOW - dt.timedelta(days=3))  # fmt: skip
    lists.save([listed], action="add", actor="lisa", at=NOW, detail={})
    pds = {code: (0.25 if name == "risky" else 0.01) for name, code in CODES.items()}
    inputs = ScreenInputs(
        root=_warehouse(tmp_path / "warehouse"),
        forecasts=_forecasts(),
        pds=FixedPds(pds),
        graph=FixedGraphSignals(
            gang=frozenset({CODES["gang"]}),
            troubled={CODES["dishonest"]: "dishonest"},
            bad_neighbours={CODES["fair"]: 2},
        ),
        blacklist=ListBlacklist(lists),
        products=_products(),
    )
    store = MemoryProspectStore()
    return ProspectScreen(inputs, shipped_policy, store, FixedClock(NOW)), store


def test_a_run_lists_the_healthy_by_score_and_every_excluded_one_under_its_reason(screen) -> None:
    s, store = screen
    run = s.run(ANN, AS_OF)
    listed = store.prospects(run.run_id)
    assert [p.credit_code for p in listed] == [CODES["best"], CODES["good"], CODES["fair"]]
    assert [p.rank for p in listed] == [1, 2, 3]
    assert run.excluded == {"BLACKLISTED": 1, "STATUS_NOT_ACTIVE": 1, "DISHONEST": 1, "GANG_MEMBER": 1,
                            "TOO_YOUNG": 1, "NO_SALES": 1, "PD_ABOVE_CEILING": 1}  # fmt: skip
    assert (run.screened, run.ranked) == (10, 3)
    assert run.versions["forecast"] == "fixed-forecast"
    assert run.versions["screening_policy"].startswith(shipped_policy().version)
    assert listed[0].score == pytest.approx(0.9 * 0.99)
    assert listed[2].score == pytest.approx(0.3 * 0.99 * (1 - 2 * shipped_policy().per_bad_neighbour))
    codes = [r.code for r in listed[2].reasons]
    assert codes[:2] == ["SALES_GROWTH", "SALES_SCALE"]
    assert "RELATED_RISK" in codes
    assert "NO_RELATED_RISK" in [r.code for r in listed[0].reasons]


def test_every_offer_is_a_product_the_prospect_is_eligible_for_within_its_terms(screen) -> None:
    s, store = screen
    run = s.run(ANN, AS_OF)
    fit = s.inputs.products
    _, catalogue = fit.catalogue()  # type: ignore[attr-defined]
    listed = store.prospects(run.run_id)
    assert all(p.offer is not None for p in listed)
    screening = s.screening(AS_OF, shipped_policy())
    for position, prospect in zip(screening.order, listed, strict=True):
        profile = screening.frame.profile(int(position))
        product = catalogue.product(prospect.offer.code)
        assert product.admits(normalise_profile(profile))
        assert product.amount_min * 100 <= prospect.offer.limit_cents <= product.amount_max * 100


def test_only_analysts_screen(screen) -> None:
    s, store = screen
    with pytest.raises(ForbiddenError):
        s.run(person("chan", CHANNEL), AS_OF)
    assert store.latest_run() is None
