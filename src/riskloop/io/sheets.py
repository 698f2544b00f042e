"""Tables as files people open in Excel: CSV in UTF-8 with a byte-order mark, and XLSX (openpyxl, write-only).

Text that a spreadsheet would run as a formula (starting with ``= + - @`` or a tab or carriage return) is kept as
text: quoted with an apostrophe in CSV, stored as a string cell in XLSX (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

Cell = str | int | float | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it: Chinese headers and names stay readable


def _risky(value: Cell) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    r"""``header`` and ``rows`` as CSV (UTF-8 with BOM, CRLF line ends; ``None`` as an empty field).

    Examples
    --------
    >>> csv_bytes(["排名", "名称"], [[1, "=1+1"]]).decode("utf-8-sig")
    "排名,名称\r\n1,'=1+1\r\n"

    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([("'" + v if isinstance(v, str) and _risky(v) else v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], *, title: str, widths: Sequence[int] = ()
) -> bytes:
    """``header`` (bold) and ``rows`` as one XLSX sheet called ``title``, written in streaming mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet's name
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    heading = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_text_cell(sheet, v) if _risky(v) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet: object, value: Cell) -> object:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would store it as a formula
    return cell
