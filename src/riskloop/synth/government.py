"""Government-affairs (政务) tables: monthly social security and housing-provident-fund contributions."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.synth.calendar import GOV_MONTHS, last_months
from riskloop.synth.firms import Firms, sigmoid
from riskloop.synth.params import Stream, UniverseParams, rng


def government_tables(params: UniverseParams, chunk: int, firms: Firms, codes: pa.Array) -> dict[str, pa.Table]:
    """Build ``social_security`` and ``housing_fund`` for the chunk.

    Headcount follows a firm-specific trend driven by the government view of the latent score; weak firms
    fall into contribution arrears. A minority of (larger, stronger) firms pays into the housing fund.
    """
    g = rng(params, chunk, Stream.GOVERNMENT)
    months = last_months(params.as_of_day, GOV_MONTHS)
    zg = firms.views["gov"]
    t = np.arange(GOV_MONTHS, dtype=np.float64)[None, :] - GOV_MONTHS
    slope = 0.012 * zg + g.normal(0.0, 0.006, firms.n)  # monthly log growth of headcount; today's level is the base
    level = firms.headcount[:, None] * np.exp(slope[:, None] * t + g.normal(0.0, 0.08, (firms.n, GOV_MONTHS)))
    heads = np.round(level).astype(np.int64)
    alive = months[None, :] >= firms.established.astype("datetime64[M]")[:, None]
    insured = (firms.headcount > 0)[:, None] & alive
    row, col = np.nonzero(insured)
    count = np.maximum(heads[row, col], 0)
    base = g.uniform(950.0, 1400.0, firms.n)  # contributions per head per month (CNY)
    due = np.round(count * base[row] * 100).astype(np.int64)
    propensity = sigmoid(-3.4 - 1.1 * zg)
    late = g.random(len(row)) < propensity[row] * 3 * (g.random(firms.n) < 0.35)[row]
    arrears = np.where(late, np.round(due * g.uniform(0.3, 1.0, len(row))).astype(np.int64), 0)
    month_days = months.astype("datetime64[D]")
    social = pa.table(
        {
            "credit_code": codes.take(pa.array(row)),
            "month": month_days[col],
            "headcount": count,
            "paid_cents": due - arrears,
            "arrears_cents": arrears,
        }
    )
    joins = (~firms.individual) & (firms.headcount >= 3)
    joins &= g.random(firms.n) < sigmoid(-2.2 + 0.7 * zg + 0.35 * np.log1p(firms.headcount))
    fund_rows = np.isin(row, np.flatnonzero(joins))
    share = g.uniform(0.4, 1.0, firms.n)
    per_head = g.uniform(300.0, 900.0, firms.n)
    contributors = np.round(count[fund_rows] * share[row[fund_rows]]).astype(np.int64)
    fund = pa.table(
        {
            "credit_code": codes.take(pa.array(row[fund_rows])),
            "month": month_days[col[fund_rows]],
            "contributors": contributors,
            "paid_cents": np.round(contributors * per_head[row[fund_rows]] * 100).astype(np.int64),
        }
    )
    return {"social_security": social, "housing_fund": fund}
