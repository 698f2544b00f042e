"""Each enterprise's true future (truth only): its business scale over the next 12 months and its outcomes.

The future months are the 12 complete months after the revenue window's last month (the last complete month
before as-of): for as-of 2026-06-30, 2026-06 .. 2027-05. Each firm's revenue path (``finance.revenue_path``)
goes on from its trend level: its own growth persists but drifts (a part of the change follows its latent
creditworthiness, the rest is news), with the months' seasonality (Spring Festival dip, December push), the same
monthly noise, and shocks: a large customer lost or a contract won, a level change from a random month. The
post-loan plan and a scenario's regime are pure functions of the month, so they act on the future as on the past:
a borrower keeps its deterioration, its dip, a downturn its loss. A firm that defaults in the window shrinks
before its default date and stays low after; a revoked firm does no business.

Outcomes over the window (the days after as-of to the end of the last future month): a firm whose booked loan
defaults in it defaults that day; a firm whose loan is still performing on a drawn default day does not default
(its loan keeps being paid); every other firm defaults with its true 12-month PD (under a downturn the
scenario's) on a uniform day of the window. ``borrows_12m``, whether it would take up credit within 12 months if
offered, is likelier when it grows (working capital), when it is weaker (need), when it applied before, and less
likely for individual businesses; a revoked firm never borrows.

Everything is drawn from ``Stream.PROSPECT_FUTURE`` (the path) and ``Stream.PROSPECT_OUTCOMES`` (default,
take-up), so every other table and truth file keeps its bytes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.synth.arrays import Arr
from riskloop.synth.calendar import REVENUE_MONTHS, add_months, seasonality
from riskloop.synth.finance import NOISE_SD, Revenue
from riskloop.synth.firms import STATUS_REVOKED, Firms, sigmoid
from riskloop.synth.loans import LEAD_DAYS, LoanBook
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.postloan import PostLoan
from riskloop.synth.regime import Regime

FUTURE_MONTHS = 12
PURCHASE_SHARE = 0.45  # expected purchase-invoice volume per unit of sales (as ``invoices.py`` draws purchases)
GROWTH_CENTRE = 0.003  # monthly log growth of a firm with an average tax view (``firms.py``)
PERSISTENCE = 0.7  # share of a firm's deviation from the centre that carries on
QUALITY = 0.002  # extra monthly log growth per unit of latent creditworthiness
DRIFT_SD = 0.006  # the unpredictable part of the change of growth
LOSS_LOGIT, LOSS_SLOPE, LOSS_DEPTH = -2.4, 0.4, (0.2, 0.5)  # a large customer lost: ~9 %, weaker firms more often
WIN_LOGIT, WIN_SLOPE, WIN_LIFT = -2.6, 0.4, (0.2, 0.8)  # a contract won: ~7 %, stronger firms more often
DEFAULT_DEPTH = (0.2, 0.8)  # business lost by the default date by a firm defaulting in the window
TAKE_UP_LOGIT, TAKE_UP_GROWTH, TAKE_UP_NEED = -1.4, 2.0, 0.6
TAKE_UP_APPLIED, TAKE_UP_INDIVIDUAL = 0.8, -0.4
FUTURE_SCALE, PROSPECT_OUTCOMES = "future_scale", "prospect_outcomes"
TRUTH_SCHEMAS: dict[str, pa.Schema] = {
    FUTURE_SCALE: pa.schema(
        [
            ("credit_code", pa.string()),
            ("month", pa.date32()),
            ("sales_cents", pa.int64()),
            ("purchases_cents", pa.int64()),
        ]
    ),
    PROSPECT_OUTCOMES: pa.schema(
        [
            ("credit_code", pa.string()),
            ("sales_last_12m_cents", pa.int64()),
            ("sales_next_12m_cents", pa.int64()),
            ("growth_12m", pa.float64()),
            ("defaulted_12m", pa.bool_()),
            ("default_date", pa.date32()),
            ("borrows_12m", pa.bool_()),
        ]
    ),
}
_FAR = np.datetime64("2262-01-01", "D")
_NEVER = np.datetime64("1970-01-01", "D")


def future_months(as_of: np.datetime64) -> Arr:
    """The ``FUTURE_MONTHS`` months from the month of ``as_of`` on (datetime64[M], ascending)."""
    out: Arr = as_of.astype("datetime64[M]") + np.arange(FUTURE_MONTHS).astype("timedelta64[M]")
    return out


def future_truth(
    params: UniverseParams,
    chunk: int,
    firms: Firms,
    *,
    revenue: Revenue,
    plan: PostLoan,
    regime: Regime | None,
    book: LoanBook,
    term: Arr,
    applicants: Arr,
    codes: pa.Array,
) -> dict[str, pa.Table]:
    """The chunk's ``future_scale`` and ``prospect_outcomes`` truth tables.

    Parameters
    ----------
    params : UniverseParams
        Universe parameters.
    chunk : int
        Chunk number.
    firms : Firms
        The chunk's firms (after rings were planted).
    revenue : Revenue
        The revenue path as declared (post-loan distress and regime applied): its last 12 months are the past.
    plan : PostLoan
        The post-loan plan (a pure function of the month: applied to the future months as well).
    regime : Regime or None
        The scenario's regime, when one is active.
    book : LoanBook
        The loan book: loans defaulting in the window force their firm's default.
    term : numpy.ndarray
        Term in months of each loan of ``book``.
    applicants : numpy.ndarray
        Firm rows of the chunk's applications.
    codes : pyarrow.Array
        Credit codes of the firms.

    Returns
    -------
    dict of str to pyarrow.Table
        ``future_scale`` (one row per firm and future month) and ``prospect_outcomes`` (one row per firm).

    """
    g, o = rng(params, chunk, Stream.PROSPECT_FUTURE), rng(params, chunk, Stream.PROSPECT_OUTCOMES)
    months = future_months(params.as_of_day)
    window = (params.as_of_day + np.timedelta64(1, "D"), (months[-1] + 1).astype("datetime64[D]") - 1)
    defaulted, day, forced = _defaults(o, firms, book=book, term=term, regime=regime, window=window)
    sales = _path(g, firms, months)
    sales *= _shrink(g, months, window[0], day, defaulted & ~forced)
    factor, _ = plan.monthly(firms.n, months)
    if regime is not None:
        factor = factor * regime.monthly(firms.n, months)
    sales = np.where((firms.status == STATUS_REVOKED)[:, None], 0.0, sales * factor)
    sales_cents = np.round(sales * 100).astype(np.int64)
    last = np.round(revenue.amount[:, -FUTURE_MONTHS:] * 100).astype(np.int64).sum(axis=1)
    following = sales_cents.sum(axis=1)
    growth = following / np.maximum(last, 1) - 1.0
    applied = np.zeros(firms.n, dtype=bool)
    applied[applicants] = True
    borrows = _take_up(o, firms, np.where(last > 0, growth, 0.0), applied)
    rows = np.repeat(np.arange(firms.n), FUTURE_MONTHS)
    return {
        FUTURE_SCALE: pa.table(
            {
                "credit_code": codes.take(pa.array(rows)),
                "month": pa.array(np.tile(months.astype("datetime64[D]"), firms.n), pa.date32()),
                "sales_cents": sales_cents.ravel(),
                "purchases_cents": np.round(sales * PURCHASE_SHARE * 100).astype(np.int64).ravel(),
            }
        ),
        PROSPECT_OUTCOMES: pa.table(
            {
                "credit_code": codes,
                "sales_last_12m_cents": last,
                "sales_next_12m_cents": following,
                "growth_12m": pa.array(growth, pa.float64(), mask=last == 0),
                "defaulted_12m": defaulted,
                "default_date": pa.array(np.where(defaulted, day, window[0]), pa.date32(), mask=~defaulted),
                "borrows_12m": borrows,
            }
        ),
    }


def _defaults(
    o: np.random.Generator,
    firms: Firms,
    *,
    book: LoanBook,
    term: Arr,
    regime: Regime | None,
    window: tuple[np.datetime64, np.datetime64],
) -> tuple[Arr, Arr, Arr]:
    """Who defaults in ``window`` and when (far future when not), and whose default its loan book forced."""
    n, (first, last) = firms.n, window
    rows = np.arange(n)
    pd = firms.pd_12m if regime is None else regime.default_pd(firms, rows, np.full(n, first))
    span = (last - first).astype(np.int64) + 1
    drawn = o.random(n) < pd
    drawn_day = first + (o.random(n) * span).astype(np.int64).astype("timedelta64[D]")
    loan_day = np.where(np.isnat(book.default_date), _FAR, book.default_date)
    in_window = (loan_day >= first) & (loan_day <= last)
    forced_day = np.full(n, _FAR)
    np.minimum.at(forced_day, book.firm[in_window], loan_day[in_window])
    # a loan still being paid on a drawn default day (performing to maturity, or defaulting only later) rules it out
    paid_until = np.where(loan_day == _FAR, add_months(book.disbursed, term), loan_day)
    covered = np.full(n, _NEVER)
    np.maximum.at(covered, book.firm, paid_until)
    forced = forced_day <= last
    drawn &= ~forced & (drawn_day >= covered)
    day = np.where(forced, forced_day, np.where(drawn, drawn_day, _FAR))
    return forced | drawn, day, forced


def _path(g: np.random.Generator, firms: Firms, months: Arr) -> Arr:
    """Revenue (CNY) of every firm and future month before distress: trend, drifted growth, season, noise, shocks."""
    n, k = firms.n, len(months)
    growth = GROWTH_CENTRE + PERSISTENCE * (firms.growth - GROWTH_CENTRE) + QUALITY * firms.z
    growth = growth + g.normal(0.0, DRIFT_SD, n)
    ahead = np.arange(1, k + 1, dtype=np.float64)[None, :]
    level = firms.revenue0[:, None] * np.exp(firms.growth[:, None] * (REVENUE_MONTHS - 1) + growth[:, None] * ahead)
    amount = level * seasonality(months)[None, :] * np.exp(g.normal(0.0, NOISE_SD, (n, k)))
    col = np.arange(k)[None, :]
    lost = g.random(n) < sigmoid(LOSS_LOGIT - LOSS_SLOPE * firms.z)
    lost_from, depth = g.integers(0, k, n), g.uniform(*LOSS_DEPTH, n)
    won = g.random(n) < sigmoid(WIN_LOGIT + WIN_SLOPE * firms.z)
    won_from, lift = g.integers(0, k, n), g.uniform(*WIN_LIFT, n)
    amount *= np.where(lost[:, None] & (col >= lost_from[:, None]), 1.0 - depth[:, None], 1.0)
    out: Arr = amount * np.where(won[:, None] & (col >= won_from[:, None]), 1.0 + lift[:, None], 1.0)
    return out


def _shrink(g: np.random.Generator, months: Arr, first: np.datetime64, day: Arr, shrinking: Arr) -> Arr:
    """Business factor of firms defaulting in the window by themselves: falling to a depth by the default date.

    The fall starts ``LEAD_DAYS`` before the default date, but never before the window: the past is as drawn.
    """
    n = len(day)
    lead = g.integers(LEAD_DAYS[0], LEAD_DAYS[1] + 1, n).astype("timedelta64[D]")
    depth = g.uniform(*DEFAULT_DEPTH, n)
    start = np.maximum(day - lead, first)
    mid = months.astype("datetime64[D]") + np.timedelta64(14, "D")
    span = np.maximum((day - start).astype(np.int64), 1)
    progress = np.clip((mid[None, :] - start[:, None]).astype(np.int64) / span[:, None], 0.0, 1.0)
    out: Arr = np.where(shrinking[:, None], 1.0 - depth[:, None] * progress, 1.0)
    return out


def _take_up(o: np.random.Generator, firms: Firms, growth: Arr, applied: Arr) -> Arr:
    """Whether each firm would take up credit within 12 months if offered."""
    logit = (
        TAKE_UP_LOGIT
        + TAKE_UP_GROWTH * np.clip(growth, -0.5, 1.0)
        - TAKE_UP_NEED * firms.z
        + TAKE_UP_APPLIED * applied
        + TAKE_UP_INDIVIDUAL * firms.individual
    )
    out: Arr = (o.random(firms.n) < sigmoid(logit)) & (firms.status != STATUS_REVOKED)
    return out
