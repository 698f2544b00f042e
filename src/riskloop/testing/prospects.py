"""Hand-built prospect runs for tests and benchmarks: ranked prospects with reasons and offers, seeded."""

from __future__ import annotations

import datetime as dt

import numpy as np

from riskloop.domain.audit import AuditEntry
from riskloop.domain.identifiers import uscc_check_char
from riskloop.domain.products import ProductOffer
from riskloop.domain.prospect import Prospect, ProspectReason, ProspectRun

AS_OF = dt.date(2026, 6, 30)
CREATED = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)
SECTIONS = "CEFI"
REGIONS = ("湖北省武汉市", "广东省深圳市", "浙江省杭州市", "四川省成都市")
GROWTH = ProspectReason("PROSPECT_GROWTH", "预测未来12个月销售额增长显著", "Sales forecast to grow strongly")
TAX_A = ProspectReason("PROSPECT_TAX_A", "纳税信用等级A", "Tax credit grade A")
OFFER = ProductOffer("TAX-LOAN", "税易贷", "Tax-based loan", 50_000_000, 12, 4.35, 6.5, "products@1")


def credit_code(i: int) -> str:
    """A valid credit code, distinct for each ``i``."""
    body = f"91420100{i:09d}"
    return body + uscc_check_char(body)


def sample_prospects(n: int, seed: int = 0) -> list[Prospect]:
    """``n`` prospects ranked by a falling score, sections cycling through ``SECTIONS``; every third without offer."""
    rng = np.random.default_rng(seed)
    scores = np.sort(rng.uniform(0.05, 0.95, n))[::-1]
    growth = rng.uniform(0.0, 0.8, n)
    out = []
    for i in range(n):
        g = float(growth[i])
        out.append(Prospect(
            rank=i + 1, credit_code=credit_code(i + 1), name=f"武汉市样例{i + 1}号商贸有限公司",
            section=SECTIONS[i % len(SECTIONS)], region=REGIONS[i % len(REGIONS)], score=float(scores[i]),
            p_growth=min(1.0, g + 0.1), pd=0.01 + 0.001 * (i % 20), last_12m_sales_cents=1_234_567_89 + i,
            forecast_12m_sales_cents=int((1_234_567_89 + i) * (1 + g)), growth_12m=g, growth_12m_lo=g - 0.1,
            growth_12m_hi=g + 0.15, tax_grade="A" if i % 2 == 0 else "B", years_in_business=3.5 + i % 7,
            related_risk=0.05, propagated_risk=0.02, bad_neighbours=i % 2,
            reasons=(GROWTH, TAX_A) if i % 2 == 0 else (GROWTH,), offer=None if i % 3 == 2 else OFFER,
        ))  # fmt: skip
    return out


def sample_run(run_id: str, n: int, *, as_of: dt.date = AS_OF, created_at: dt.datetime = CREATED) -> ProspectRun:
    """The run record of ``n`` ranked prospects screened on ``as_of``."""
    return ProspectRun(
        run_id=run_id, as_of=as_of, created_at=created_at, created_by="lead", screened=n + 7, ranked=n,
        excluded={"BLACKLISTED": 2, "NO_SALES": 5}, versions={"forecast": "forecast-v1", "products": "products@1"},
    )  # fmt: skip


def run_entry(run: ProspectRun) -> AuditEntry:
    """The audit row a screening writes with its run."""
    return AuditEntry(run.created_at, run.created_by, "prospects.screen", "prospect_run", run.run_id,
                      {"as_of": run.as_of.isoformat(), "ranked": run.ranked})  # fmt: skip
