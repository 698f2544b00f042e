"""Hand-made VAT declarations and invoices of a few enterprises with known monthly series, for forecast tests.

As of ``AS_OF`` (2025-06-15) the 12-month window is 2024-06 .. 2025-05:

- ``STEADY`` (a company since 2020) declares 100,000 yuan a month, filed on the 10th of the next month; May 2025
  is filed after the as-of day, 2024-09 is a zero declaration; it invoices 50,000 yuan of sales every month
  (a void invoice too), so its declared-to-invoiced ratio is 2 and the two months fall back to 2 x 50,000;
  it buys 20,000 yuan in January 2025.
- ``YOUNG`` (an individual business since 2024-10-15) declares 5,000 yuan a month from October (December a zero
  declaration without invoices: 0), nothing for May; a sales invoice of August 2024 predates it (ignored).
- ``SILENT`` (since 2025-06-01) has no record; ``LATER`` is established after the as-of day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from riskloop.testing.tables import credit_code, row, write_table

AS_OF = dt.date(2025, 6, 15)
STEADY, YOUNG, SILENT, LATER, OTHER = (credit_code(n) for n in (101, 102, 103, 104, 105))
WINDOW = [dt.date(2024 + (5 + i) // 12, (5 + i) % 12 + 1, 1) for i in range(12)]  # 2024-06 .. 2025-05


def _next_month(day: dt.date, dom: int) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, dom)


def forecast_tables() -> dict[str, list[dict[str, Any]]]:
    """Rows of ``enterprises``, ``tax_declarations`` and ``invoices`` (see the module's docstring)."""
    enterprises = [
        row(
            "enterprises",
            credit_code=STEADY,
            kind="company",
            industry_section="C",
            established_date=dt.date(2020, 1, 1),
            valid_from=None,
        ),
        row(
            "enterprises",
            credit_code=YOUNG,
            kind="individual_business",
            industry_section="F",
            established_date=dt.date(2024, 10, 15),
            valid_from=None,
        ),
        row(
            "enterprises",
            credit_code=SILENT,
            kind="company",
            industry_section="I",
            established_date=dt.date(2025, 6, 1),
            valid_from=None,
        ),
        row(
            "enterprises",
            credit_code=LATER,
            kind="company",
            industry_section="I",
            established_date=dt.date(2025, 7, 1),
            valid_from=None,
        ),
        row(
            "enterprises",
            credit_code=OTHER,
            kind="company",
            industry_section="G",
            established_date=dt.date(2010, 1, 1),
            valid_from=None,
        ),
    ]
    vat = []
    for month in WINDOW:
        filed = dt.date(2025, 6, 20) if month == dt.date(2025, 5, 1) else _next_month(month, 10)
        revenue = 0 if month == dt.date(2024, 9, 1) else 100_000_00
        vat.append(_vat(STEADY, month, revenue, filed))
        if month >= dt.date(2024, 10, 1) and month != dt.date(2025, 5, 1):
            vat.append(_vat(YOUNG, month, 0 if month == dt.date(2024, 12, 1) else 5_000_00, _next_month(month, 12)))
    invoices = [_invoice(f"S{i:04d}", STEADY, OTHER, month.replace(day=5), 50_000_00) for i, month in enumerate(WINDOW)]
    invoices += [
        _invoice("V0001", STEADY, OTHER, dt.date(2025, 3, 8), 77_000_00, status="void"),
        _invoice("P0001", OTHER, STEADY, dt.date(2025, 1, 20), 20_000_00),
        _invoice("Y0001", YOUNG, OTHER, dt.date(2024, 8, 3), 9_000_00),
    ]
    return {"enterprises": enterprises, "tax_declarations": vat, "invoices": invoices}


def _vat(code: str, period: dt.date, cents: int, filed: dt.date) -> dict[str, Any]:
    return row(
        "tax_declarations",
        credit_code=code,
        period=period,
        tax_type="VAT",
        declared_revenue_cents=cents,
        tax_payable_cents=cents // 33,
        tax_paid_cents=cents // 33,
        filed_date=filed,
    )


def _invoice(
    number: str, seller: str, buyer: str | None, day: dt.date, cents: int, *, status: str = "normal"
) -> dict[str, Any]:
    return row(
        "invoices",
        invoice_no=number.ljust(20, "0"),
        seller_code=seller,
        buyer_code=buyer,
        issue_date=day,
        amount_cents=cents,
        tax_cents=cents * 3 // 100,
        status=status,
        buyer_kind="enterprise" if buyer else "consumer",
    )


def write_forecast_tables(root: Path, extra: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write the tables (plus ``extra`` rows) under ``root``; return ``root``."""
    for name, rows in forecast_tables().items():
        write_table(root, name, rows + (extra or {}).get(name, []))
    return root


def vat_row(code: str, period: dt.date, cents: int, filed: dt.date) -> dict[str, Any]:
    """One VAT declaration row."""
    return _vat(code, period, cents, filed)


def invoice_row(
    number: str, seller: str, buyer: str | None, day: dt.date, cents: int, *, status: str = "normal"
) -> dict[str, Any]:
    """One invoice row (a consumer invoice without a buyer)."""
    return _invoice(number, seller, buyer, day, cents, status=status)
