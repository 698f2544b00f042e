"""How prospects are shown to people: the export's columns and values, and the JSON view of one prospect.

Headers are Chinese first, English on request; the JSON view has the industry name and the reasons in one language.

Money is yuan (exact in CSV: two decimals from the cents), growth in percent, score and PD as probabilities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from riskloop.domain.industries import section_name
from riskloop.domain.prospect import Prospect
from riskloop.errors import ValidationError
from riskloop.io.sheets import Cell, csv_bytes, xlsx_bytes

LANGS = ("zh", "en")
FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip
SHEET = {"zh": "潜在客户", "en": "Prospects"}


@dataclass(frozen=True)
class Column:
    """One column of the export: its headers and how a prospect's value is read (``exact``: for CSV)."""

    key: str
    zh: str
    en: str
    value: Callable[[Prospect, str, bool], Cell]
    width: int = 14


def check_lang(lang: str) -> str:
    """``lang`` when it is zh or en; a ValidationError naming ``lang`` otherwise."""
    if lang not in LANGS:
        raise ValidationError("lang", f"{lang!r} is not one of {', '.join(LANGS)}")
    return lang


def check_format(fmt: str) -> str:
    """``fmt`` when it is csv or xlsx; a ValidationError naming ``format`` otherwise."""
    if fmt not in FORMATS:
        raise ValidationError("format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def yuan(cents: int | None, exact: bool) -> Cell:
    """Cents as yuan: exact text with two decimals (CSV), or a number (XLSX); ``None`` stays empty."""
    if cents is None:
        return None
    if not exact:
        return round(cents / 100, 2)
    sign, whole = ("-" if cents < 0 else ""), abs(cents)
    return f"{sign}{whole // 100}.{whole % 100:02d}"


def percent(ratio: float | None) -> Cell:
    """A ratio as percent with one decimal (0.352 -> 35.2); ``None`` stays empty."""
    return None if ratio is None else round(ratio * 100, 1)


def reasons_text(p: Prospect, lang: str) -> list[str]:
    """The prospect's reasons in ``lang``."""
    return [r.en if lang == "en" else r.zh for r in p.reasons]


def _offer(p: Prospect, read: Callable[[Any], Cell]) -> Cell:
    return None if p.offer is None else read(p.offer)


def _product(p: Prospect, lang: str, _exact: bool) -> Cell:
    return _offer(p, lambda o: o.name_en if lang == "en" else o.name_zh)


def _rate_band(p: Prospect, _lang: str, _exact: bool) -> Cell:
    return _offer(p, lambda o: f"{o.rate_low:.2f}-{o.rate_high:.2f}")


def _reasons(p: Prospect, lang: str, _exact: bool) -> Cell:
    return ("; " if lang == "en" else "；").join(reasons_text(p, lang))


COLUMNS: tuple[Column, ...] = (
    Column("rank", "排名", "Rank", lambda p, _l, _e: p.rank, 6),
    Column("credit_code", "统一社会信用代码", "Credit code", lambda p, _l, _e: p.credit_code, 21),
    Column("name", "企业名称", "Name", lambda p, _l, _e: p.name, 30),
    Column("industry", "行业", "Industry", lambda p, lang, _e: section_name(p.section, lang), 22),
    Column("region", "地区", "Region", lambda p, _l, _e: p.region),
    Column("score", "评分", "Score", lambda p, _l, _e: round(p.score, 4), 8),
    Column("growth_12m", "预测12个月销售增长(%)", "Forecast 12m sales growth (%)",
           lambda p, _l, _e: percent(p.growth_12m)),
    Column("growth_12m_lo", "增长区间下限(%)", "Growth interval low (%)", lambda p, _l, _e: percent(p.growth_12m_lo)),
    Column("growth_12m_hi", "增长区间上限(%)", "Growth interval high (%)", lambda p, _l, _e: percent(p.growth_12m_hi)),
    Column("last_12m_sales", "近12个月销售额(元)", "Last 12 months' sales (yuan)",
           lambda p, _l, exact: yuan(p.last_12m_sales_cents, exact), 18),
    Column("pd", "违约概率(PD)", "PD", lambda p, _l, _e: round(p.pd, 4), 10),
    Column("tax_grade", "纳税信用等级", "Tax grade", lambda p, _l, _e: p.tax_grade, 8),
    Column("reasons", "推荐理由", "Reasons", _reasons, 50),
    Column("product", "推荐产品", "Recommended product", _product, 20),
    Column("limit", "参考额度(元)", "Indicative limit (yuan)",
           lambda p, _l, exact: _offer(p, lambda o: yuan(o.limit_cents, exact)), 16),
    Column("tenor_months", "期限(月)", "Tenor (months)", lambda p, _l, _e: _offer(p, lambda o: o.tenor_months), 8),
    Column("rate_band", "年利率区间(%)", "Rate band (% a year)", _rate_band),
)  # fmt: skip


def header(lang: str) -> list[str]:
    """The export's header row in ``lang``."""
    return [c.en if lang == "en" else c.zh for c in COLUMNS]


def rows(prospects: Iterable[Prospect], lang: str, *, exact: bool) -> list[list[Cell]]:
    """The export's rows of ``prospects`` in ``lang`` (``exact``: money as exact text)."""
    return [[c.value(p, lang, exact) for c in COLUMNS] for p in prospects]


def export_bytes(prospects: Sequence[Prospect], fmt: str, lang: str) -> bytes:
    """``prospects`` as a CSV (UTF-8 with BOM) or XLSX file with the header row in ``lang``."""
    if check_format(fmt) == "csv":
        return csv_bytes(header(lang), rows(prospects, lang, exact=True))
    return xlsx_bytes(header(lang), rows(prospects, lang, exact=False), title=SHEET[lang],
                      widths=[c.width for c in COLUMNS])  # fmt: skip


def prospect_view(p: Prospect, lang: str) -> dict[str, Any]:
    """A prospect's JSON fields, with its industry name and reasons' text in ``lang``."""
    return {**p.to_dict(), "industry": section_name(p.section, lang), "reason_text": reasons_text(p, lang)}
