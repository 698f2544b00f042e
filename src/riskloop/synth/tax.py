"""Tax (税务) tables: monthly VAT and annual CIT declarations, and annual tax credit grades."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.domain.tables import TAX_GRADES
from riskloop.synth.arrays import vocab_take
from riskloop.synth.calendar import VAT_MONTHS
from riskloop.synth.finance import Annual, Revenue
from riskloop.synth.firms import Firms, sigmoid
from riskloop.synth.params import Stream, UniverseParams, rng

_GRADE_CUTS = np.array([1.25, -0.2, -1.1, -1.8])  # tax view above cut k -> grade k (A, B, M, C; else D)


def tax_tables(
    params: UniverseParams, chunk: int, firms: Firms, *, revenue: Revenue, annual: Annual, codes: pa.Array
) -> dict[str, pa.Table]:
    """Build ``tax_declarations`` (VAT monthly, CIT annual) and ``tax_credit_grades`` for the chunk."""
    g = rng(params, chunk, Stream.TAX)
    return {
        "tax_declarations": pa.concat_tables([_vat(params, g, firms, revenue, codes), _cit(g, firms, annual, codes)]),
        "tax_credit_grades": _grades(params, g, firms, codes),
    }


def _vat(params: UniverseParams, g: np.random.Generator, firms: Firms, revenue: Revenue, codes: pa.Array) -> pa.Table:
    months = revenue.months[-VAT_MONTHS:]
    amount = revenue.amount[:, -VAT_MONTHS:]
    zt = firms.views["tax"]
    late = g.random(amount.shape) < sigmoid(-2.8 - 0.9 * zt)[:, None]
    filed = (months.astype("datetime64[D]") + np.timedelta64(31, "D")).astype("datetime64[M]").astype("datetime64[D]")[
        None, :
    ] + np.where(late, g.integers(15, 60, amount.shape), g.integers(0, 15, amount.shape)).astype("timedelta64[D]")
    alive = months[None, :] >= firms.established.astype("datetime64[M]")[:, None]
    row, col = np.nonzero(alive & (filed <= params.as_of_day))
    zero = g.random(len(row)) < sigmoid(-3.3 - 1.1 * zt[row])  # zero declarations (零申报) of weak firms
    declared = np.where(zero, 0.0, amount[row, col])
    rate = np.where(firms.individual[row], 0.01, np.where(firms.revenue0[row] > 375_000, 0.035, 0.03))
    payable = np.round(declared * rate * 100).astype(np.int64)
    arrears = g.random(len(row)) < sigmoid(-3.6 - 1.1 * zt[row])
    paid = np.where(arrears, np.round(payable * g.uniform(0.0, 0.7, len(row))).astype(np.int64), payable)
    return pa.table(
        {
            "credit_code": codes.take(pa.array(row)),
            "period": months[col].astype("datetime64[D]"),
            "tax_type": pa.array(["VAT"] * len(row), pa.string()),
            "declared_revenue_cents": np.round(declared * 100).astype(np.int64),
            "tax_payable_cents": payable,
            "tax_paid_cents": paid,
            "filed_date": filed[row, col],
        }
    )


def _cit(g: np.random.Generator, firms: Firms, annual: Annual, codes: pa.Array) -> pa.Table:
    payable = np.round(np.maximum(annual.net_profit_cents, 0) * 0.05).astype(np.int64)
    arrears = g.random(len(annual.row)) < sigmoid(-3.6 - 1.1 * firms.views["tax"][annual.row])
    paid = np.where(arrears, payable // 2, payable)
    return pa.table(
        {
            "credit_code": codes.take(pa.array(annual.row)),
            "period": np.array([np.datetime64(f"{y}-01-01", "D") for y in annual.year.tolist()], dtype="datetime64[D]"),
            "tax_type": pa.array(["CIT"] * len(annual.row), pa.string()),
            "declared_revenue_cents": annual.revenue_cents,
            "tax_payable_cents": payable,
            "tax_paid_cents": paid,
            "filed_date": annual.report_date,
        }
    )


def _grades(params: UniverseParams, g: np.random.Generator, firms: Firms, codes: pa.Array) -> pa.Table:
    as_of_year = params.as_of.year
    years = np.arange(as_of_year - 3, as_of_year)
    published = np.array([np.datetime64(f"{y + 1}-04-20", "D") for y in years])
    year_end = np.array([np.datetime64(f"{y}-12-31", "D") for y in years])
    graded = (~firms.individual | (g.random(firms.n) < 0.3))[:, None] & (firms.established[:, None] <= year_end)
    graded &= (published <= params.as_of_day)[None, :]
    row, col = np.nonzero(graded)
    score = firms.views["tax"][row] + g.normal(0.0, 0.45, len(row))
    grade = np.searchsorted(-_GRADE_CUTS, -score, side="left")
    new = firms.established[row] > year_end[col] - np.timedelta64(365, "D")
    grade = np.where(new & (grade < 3), 2, grade)  # firms in their first year are graded M
    return pa.table(
        {
            "credit_code": codes.take(pa.array(row)),
            "year": years[col].astype(np.int64),
            "grade": vocab_take(TAX_GRADES, grade),
            "published_date": published[col],
        }
    )
