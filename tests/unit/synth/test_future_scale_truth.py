"""Each enterprise's true future (generator 1.9.0): 12 months of sales after as-of and its 12-month outcomes.

Checked against the universe's own tables and truth: the future continues the declared revenue, dips at the
Spring Festival, shrinks before a default, defaults with the true PD and as the loan book says, and the
"grows >= 20 % without default" event is plausible and only partly predictable from history.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from riskloop.synth.calendar import seasonality
from riskloop.synth.future_scale import FUTURE_SCALE, PROSPECT_OUTCOMES, PURCHASE_SHARE, TRUTH_SCHEMAS
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import chunk_tables, generate_universe

N, SEED, CHUNK = 4_000, 18, 2_000
AS_OF = dt.date(2026, 6, 30)
MONTHS = np.datetime64("2026-06", "M") + np.arange(12)
WINDOW_END = dt.date(2027, 5, 31)


@pytest.fixture(scope="module")
def universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("future") / "u"
    generate_universe(UniverseParams(enterprises=N, seed=SEED, chunk_size=CHUNK), out, workers=1)
    return out


@pytest.fixture(scope="module")
def outcomes(universe: Path) -> pd.DataFrame:
    return pq.read_table(universe / "truth" / f"{PROSPECT_OUTCOMES}.parquet").to_pandas().set_index("credit_code")


@pytest.fixture(scope="module")
def sales(universe: Path) -> pd.DataFrame:
    """Future sales in CNY, enterprises x the 12 future months."""
    scale = pq.read_table(universe / "truth" / f"{FUTURE_SCALE}.parquet").to_pandas()
    return scale.pivot(index="credit_code", columns="month", values="sales_cents") / 100


def _vat(universe: Path) -> pd.DataFrame:
    vat = pq.read_table(universe / "tables" / "tax_declarations").to_pandas()
    vat = vat[vat.tax_type == "VAT"]
    return vat.assign(month=vat.period.to_numpy().astype("datetime64[M]"))


def _auc(score: pd.Series, label: pd.Series) -> float:
    ranks = score.rank()
    positives = int(label.sum())
    return float((ranks[label].sum() - positives * (positives + 1) / 2) / (positives * (len(label) - positives)))


def test_truth_files_have_the_seam_schema_and_one_row_per_enterprise_and_month(universe: Path) -> None:
    codes = pq.read_table(universe / "truth" / "enterprises.parquet")["credit_code"].to_pylist()
    scale = pq.read_table(universe / "truth" / f"{FUTURE_SCALE}.parquet")
    outcomes = pq.read_table(universe / "truth" / f"{PROSPECT_OUTCOMES}.parquet")
    assert scale.schema == TRUTH_SCHEMAS[FUTURE_SCALE]
    assert outcomes.schema == TRUTH_SCHEMAS[PROSPECT_OUTCOMES]
    assert outcomes["credit_code"].to_pylist() == codes
    frame = scale.to_pandas()
    assert (frame.groupby("credit_code").month.nunique() == 12).all()
    assert len(frame) == 12 * len(codes)
    assert sorted(set(frame.month)) == [m.item() for m in MONTHS.astype("datetime64[D]")]
    assert set(frame.credit_code) == set(codes)
    assert not (universe / "tables" / FUTURE_SCALE).exists()
    assert not (universe / "tables" / PROSPECT_OUTCOMES).exists()


def test_the_same_parameters_give_the_same_future_and_another_seed_another(tmp_path: Path) -> None:
    params = UniverseParams(enterprises=600, seed=3, chunk_size=300)
    first, again = chunk_tables(params, 1)[1], chunk_tables(params, 1)[1]
    other = chunk_tables(UniverseParams(enterprises=600, seed=4, chunk_size=300), 1)[1]
    for name in TRUTH_SCHEMAS:
        assert first[name].equals(again[name])
        assert not first[name].equals(other[name])


def test_sums_growth_purchases_and_dates_are_consistent(universe: Path, outcomes: pd.DataFrame) -> None:
    scale = pq.read_table(universe / "truth" / f"{FUTURE_SCALE}.parquet").to_pandas()
    summed = scale.groupby("credit_code").sales_cents.sum()
    assert (outcomes.sales_next_12m_cents == summed.reindex(outcomes.index)).all()
    has_past = outcomes.sales_last_12m_cents > 0
    expected = outcomes.sales_next_12m_cents / outcomes.sales_last_12m_cents - 1
    assert np.allclose(outcomes.growth_12m[has_past], expected[has_past])
    assert outcomes.growth_12m[~has_past].isna().all()
    assert outcomes.growth_12m[has_past].notna().all()
    assert (abs(scale.purchases_cents - PURCHASE_SHARE * scale.sales_cents) <= 1).all()
    assert (outcomes.default_date.notna() == outcomes.defaulted_12m).all()
    dates = outcomes.default_date.dropna()
    assert (dates > AS_OF).all()
    assert (dates <= WINDOW_END).all()


def test_last_12_months_are_what_the_vat_declarations_declare(universe: Path, outcomes: pd.DataFrame) -> None:
    vat = _vat(universe)
    last = vat[vat.month >= np.datetime64("2025-06", "M")].groupby("credit_code").declared_revenue_cents.sum()
    declared = last.reindex(outcomes.index, fill_value=0)
    # zero declarations and late filings only ever declare less; a firm filing every month declares it all
    assert (declared <= outcomes.sales_last_12m_cents).all()
    assert (declared == outcomes.sales_last_12m_cents).mean() > 0.4


def test_the_spring_festival_month_dips_and_december_rises(sales: pd.DataFrame) -> None:
    active = sales[(sales > 0).all(axis=1)]
    jan, feb, mar = (active[dt.date(2027, m, 1)] for m in (1, 2, 3))
    assert (feb / ((jan + mar) / 2)).median() < 0.75  # 2027-02-06
    assert (active[dt.date(2026, 12, 1)] / active[dt.date(2026, 11, 1)]).median() > 1.05


def test_defaulting_firms_shrink_against_their_own_trend(sales: pd.DataFrame, outcomes: pd.DataFrame) -> None:
    flat = sales / seasonality(MONTHS)[None, :]
    late_over_early = flat.iloc[:, -3:].mean(axis=1) / flat.iloc[:, :3].mean(axis=1)
    defaulted = outcomes.defaulted_12m.reindex(sales.index)
    assert defaulted.sum() > 60
    assert late_over_early[defaulted].median() < 0.8
    assert late_over_early[~defaulted].median() > 0.95


def test_defaults_follow_the_true_pd(universe: Path, outcomes: pd.DataFrame) -> None:
    truth = pq.read_table(universe / "truth" / "enterprises.parquet").to_pandas().set_index("credit_code")
    pd_12m = truth.pd_12m.reindex(outcomes.index)
    assert abs(outcomes.defaulted_12m.mean() - pd_12m.mean()) < 0.012
    risky = pd_12m > pd_12m.quantile(0.8)
    assert outcomes.defaulted_12m[risky].mean() > 3 * outcomes.defaulted_12m[~risky].mean()


def test_the_loan_book_decides_its_borrowers_defaults(universe: Path, outcomes: pd.DataFrame) -> None:
    loans = pq.read_table(universe / "tables" / "loans").to_pandas()
    book = pq.read_table(universe / "truth" / "loans.parquet").to_pandas().merge(loans, on="loan_id")
    inside = book[book.default_date.notna() & (book.default_date > AS_OF) & (book.default_date <= WINDOW_END)]
    assert len(inside) >= 3
    firm = outcomes.loc[inside.credit_code]
    assert firm.defaulted_12m.all()
    assert (firm.default_date.to_numpy() == inside.default_date.to_numpy()).all()
    # a loan still being paid through the whole window keeps its borrower out of default
    matures = book.disbursed_date.to_numpy().astype("datetime64[M]") + book.term_months.to_numpy()
    paying = book[~book.defaulted & (matures > np.datetime64("2027-06", "M"))]
    assert len(paying) > 50
    assert not outcomes.loc[paying.credit_code].defaulted_12m.any()


def test_growing_without_default_is_plausible_and_only_partly_predictable(
    universe: Path, outcomes: pd.DataFrame
) -> None:
    event = (outcomes.growth_12m >= 0.2) & ~outcomes.defaulted_12m
    assert 0.10 <= event.mean() <= 0.25
    vat = _vat(universe)
    last = vat[vat.month >= np.datetime64("2025-06", "M")].groupby("credit_code").declared_revenue_cents.sum()
    before = vat[(vat.month >= np.datetime64("2024-06", "M")) & (vat.month < np.datetime64("2025-06", "M"))]
    yoy = (last / before.groupby("credit_code").declared_revenue_cents.sum() - 1).reindex(outcomes.index)
    known = yoy.notna() & np.isfinite(yoy)
    auc = _auc(yoy[known], event[known])
    assert 0.55 < auc < 0.85  # past growth carries on, but much of the next year is news


def test_take_up_is_plausible_likelier_for_growers_and_never_for_revoked(
    universe: Path, outcomes: pd.DataFrame
) -> None:
    assert 0.15 < outcomes.borrows_12m.mean() < 0.4
    growing = outcomes.growth_12m >= 0.2
    assert outcomes.borrows_12m[growing].mean() > outcomes.borrows_12m[~growing].mean() + 0.05
    enterprises = pq.read_table(universe / "tables" / "enterprises", columns=["credit_code", "status"]).to_pandas()
    revoked = enterprises.credit_code[enterprises.status == "revoked"]
    assert len(revoked) > 10
    assert not outcomes.borrows_12m[revoked].any()
    assert (outcomes.sales_next_12m_cents[revoked] == 0).all()
