"""Financial (财务) data: the monthly revenue path of every firm and annual statements consistent with it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from riskloop.synth.arrays import Arr
from riskloop.synth.calendar import REVENUE_MONTHS, last_months, seasonality, years_of
from riskloop.synth.firms import Firms, sigmoid
from riskloop.synth.params import Stream, UniverseParams, rng

NOISE_SD = 0.18  # month-to-month lognormal noise of revenue around its trend and seasonality


@dataclass(frozen=True)
class Revenue:
    """Monthly revenue (CNY) of each firm over the revenue window; zero before establishment."""

    months: Arr  # datetime64[M], ascending
    amount: Arr  # (firms, months) float CNY


@dataclass(frozen=True)
class Annual:
    """Filed annual statements: one entry per (firm row, fiscal year)."""

    row: Arr
    year: Arr
    report_date: Arr
    revenue_cents: Arr
    net_profit_cents: Arr


def revenue_path(params: UniverseParams, chunk: int, firms: Firms) -> Revenue:
    """Draw each firm's monthly revenue: base level, firm-specific growth, seasonality and noise."""
    g = rng(params, chunk, Stream.FINANCE)
    months = last_months(params.as_of_day, REVENUE_MONTHS)
    t = np.arange(REVENUE_MONTHS, dtype=np.float64)[None, :]
    amount = firms.revenue0[:, None] * np.exp(firms.growth[:, None] * t) * seasonality(months)[None, :]
    amount *= np.exp(g.normal(0.0, NOISE_SD, amount.shape))
    alive = months[None, :] >= firms.established.astype("datetime64[M]")[:, None]
    return Revenue(months=months, amount=np.where(alive, amount, 0.0))


def financial_statements(
    params: UniverseParams, chunk: int, firms: Firms, revenue: Revenue, codes: pa.Array
) -> tuple[pa.Table, Annual]:
    """Annual statements of companies for the last three fiscal years already filed by ``as_of``.

    Revenue equals the year's revenue path within a few per cent, so statements agree with VAT declarations.
    """
    g = rng(params, chunk, Stream.FINANCE_STATEMENTS)
    as_of = params.as_of_day
    last_fy = int(years_of(np.array([as_of]))[0]) - 1
    years = np.arange(last_fy - 2, last_fy + 1)
    month_years = years_of(revenue.months.astype("datetime64[D]"))
    annual = np.stack([revenue.amount[:, month_years == y].sum(axis=1) for y in years], axis=1)
    year_end = np.array([np.datetime64(f"{y}-12-31", "D") for y in years])
    report = np.array([np.datetime64(f"{y + 1}-04-01", "D") for y in years])[None, :] + g.integers(
        0, 61, (firms.n, len(years))
    ).astype("timedelta64[D]")
    has = (~firms.individual[:, None]) & (firms.established[:, None] < year_end[None, :] - np.timedelta64(60, "D"))
    has &= (report <= as_of) & (annual > 0)
    row, col = np.nonzero(has)
    zf = firms.views["fin"][row]
    k = len(row)
    rev = annual[row, col] * np.exp(g.normal(0.0, 0.03, k))
    gross = np.clip(0.2 + 0.05 * zf + g.normal(0.0, 0.05, k), 0.02, 0.7)
    margin = 0.03 + 0.035 * zf + g.normal(0.0, 0.03, k)
    assets = rev * np.exp(g.normal(np.log(0.9), 0.4, k)) + firms.capital_cents[row] / 100 * 0.3
    leverage = np.clip(1.15 * sigmoid(-0.2 - 0.7 * zf + g.normal(0.0, 0.35, k)), 0.02, 1.3)
    liabilities = assets * leverage
    current_assets = assets * np.clip(g.uniform(0.45, 0.8, k) + 0.05 * zf, 0.1, 1.0)
    current_liabilities = liabilities * g.uniform(0.55, 0.95, k)
    profit = rev * margin
    cash = profit * g.uniform(0.6, 1.4, k) + rev * (0.02 * zf + g.normal(0.0, 0.03, k))
    cents = {
        name: np.round(values * 100).astype(np.int64)
        for name, values in {
            "assets": assets,
            "liabilities": liabilities,
            "ca": current_assets,
            "cl": current_liabilities,
            "rev": rev,
            "cost": rev * (1 - gross),
            "profit": profit,
            "cash": cash,
        }.items()
    }
    table = pa.table(
        {
            "credit_code": codes.take(pa.array(row)),
            "fiscal_year": years[col].astype(np.int64),
            "report_date": report[row, col],
            "total_assets_cents": cents["assets"],
            "total_liabilities_cents": cents["liabilities"],
            "current_assets_cents": cents["ca"],
            "current_liabilities_cents": cents["cl"],
            "equity_cents": cents["assets"] - cents["liabilities"],
            "revenue_cents": cents["rev"],
            "operating_cost_cents": cents["cost"],
            "net_profit_cents": cents["profit"],
            "operating_cash_flow_cents": cents["cash"],
        }
    )
    return table, Annual(
        row=row,
        year=years[col],
        report_date=report[row, col],
        revenue_cents=cents["rev"],
        net_profit_cents=cents["profit"],
    )
