"""Reasons a relationship manager reads, in Chinese and English: why this enterprise is a prospect."""

from __future__ import annotations

import math

from riskloop.domain.prospect import ProspectReason

GOOD_GRADES = ("A", "B")


def prospect_reasons(
    *,
    growth: float | None,
    growth_lo: float | None,
    growth_hi: float | None,
    last_12m_sales: float,
    tax_grade: str | None,
    pd: float,
    years: float,
    bad_neighbours: int,
) -> tuple[ProspectReason, ...]:
    """The reasons of one prospect, most telling first: growth, scale, tax grade, PD, graph, age."""
    out = []
    if growth is not None and math.isfinite(growth):
        band = ""
        if growth_lo is not None and growth_hi is not None:
            band = f"（80%区间 {_pct(growth_lo)}～{_pct(growth_hi)}）"
        band_en = f" (80 % interval {_pct(growth_lo)} to {_pct(growth_hi)})" if band else ""
        verb_zh, verb_en = ("增长", "up") if growth >= 0 else ("下降", "down")
        zh = f"预测未来12个月销售{verb_zh} {_pct(abs(growth))}{band}"
        en = f"sales forecast {verb_en} {_pct(abs(growth))} over the next 12 months{band_en}"
        out.append(ProspectReason("SALES_GROWTH", zh, en))
    out.append(ProspectReason("SALES_SCALE", f"近12个月销售 {_wan(last_12m_sales)}",
                              f"sales of the last 12 months {_million(last_12m_sales)}"))  # fmt: skip
    if tax_grade in GOOD_GRADES:
        out.append(ProspectReason("TAX_GRADE", f"纳税信用 {tax_grade} 级", f"tax credit grade {tax_grade}"))
    out.append(
        ProspectReason(
            "PD", f"违约概率 {_pct(pd, 1)}（无申请画像）", f"PD {_pct(pd, 1)} (profile without an application)"
        )
    )
    if bad_neighbours == 0:
        out.append(ProspectReason("NO_RELATED_RISK", "无关联方风险", "no related-party risk"))
    else:
        zh = f"关联企业中 {bad_neighbours} 家有失信、被执行、违约或涉诉记录"
        en = f"{bad_neighbours} related firms dishonest, under enforcement, in default or sued"
        out.append(ProspectReason("RELATED_RISK", zh, en))
    out.append(ProspectReason("YEARS", f"经营 {years:.0f} 年", f"{years:.0f} years in business"))
    return tuple(out)


def _pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value * 100:.{digits}f}%"


def _wan(yuan: float) -> str:
    return f"{yuan / 10_000:,.1f} 万元"


def _million(yuan: float) -> str:
    return f"{yuan / 1_000_000:,.2f} million yuan"
