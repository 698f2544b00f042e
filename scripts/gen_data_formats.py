"""Generate docs/data-formats.md from the table contract: ``python scripts/gen_data_formats.py [--check]``."""
# ruff: noqa: E501 (markdown table rows of the document cannot wrap)

from __future__ import annotations

import sys
from pathlib import Path

from riskloop.domain.tables import TABLES, Column, Table
from riskloop.ingest.mapping import GENERATOR_ZH, generator_mapping

DOC = Path(__file__).resolve().parent.parent / "docs" / "data-formats.md"

INTRO = """\
# Data formats for ingestion

How to hand data to `riskloop ingest DIR [--as-of YYYY-MM-DD] [--mapping FILE] [--json]`. This file is generated from the
table contract (`src/riskloop/domain/tables.py`) by `scripts/gen_data_formats.py`; a test fails when it drifts.

## Layout

`DIR` holds one entry per table, named after the table:

- `<table>.parquet`, `<table>.csv`, `<table>.jsonl` or `<table>.xlsx`, or
- a directory `<table>/` of part files (`part-00000.parquet`, `part-00001.csv`, ... in any mix of the formats),
  read in file-name order;
- with `--mapping`, also under the file names the mapping gives a table (`发票明细.xlsx` for `invoices`);
- `pboc_reports/` (or `pboc_reports.jsonl`): the credit bureau's report documents, which fill `credit_reports`,
  `credit_inquiries` and `credit_report_loans` (see *Credit bureau reports*).

A generated synthetic universe (`DIR/tables/<table>/part-*.parquet`, `DIR/truth/`, `DIR/manifest.json`) is accepted
as is; `truth/` and `manifest.json` are ignored, and `DIR` may also be the `tables` directory itself. Any other file
or directory is skipped with a warning that lists the valid table names. Every table is optional; tables are loaded
in the order below.

## File formats

| format | rules |
|---|---|
| Parquet | column names as below; any Arrow type that converts (e.g. int32 for int, string for anything) |
| CSV | header row with the column names, comma-separated, `"` quoting (newlines allowed inside quotes) |
| JSON Lines | UTF-8, one JSON object per line; a missing key is an empty value; blank lines are skipped |
| XLSX | one sheet (the mapping's `sheet`, else the one named as the table, else the first - a warning names the sheets when there are several); header row 1 or the mapping's `header_row`; empty rows skipped; row numbers are the sheet's, as Excel shows them |

CSV text may be UTF-8, UTF-8 with a byte-order mark, or GB18030/GBK (as exported by Chinese Excel and many bank
systems); the encoding is detected from the whole file and reported per table. UTF-16 is refused.

Every file must have exactly the table's columns, nullable ones included (a column may be empty, not absent);
only `valid_from` and a column with a default (added to a table later, e.g. `invoices.buyer_kind`) may be absent.
A missing, unknown or repeated column stops the run with an error naming the table, file and columns - nothing
is dropped silently. All files are opened and checked before anything is written.

## Values

| kind | accepted | stored as |
|---|---|---|
| str, category | any text; empty or blank = missing | string |
| int | `123`, `-7`, `123.0` | 64-bit integer |
| money | integer cents, e.g. `1050` for 10.50 yuan; `>= 0` | 64-bit integer |
| signed_money | integer cents, may be negative | 64-bit integer |
| float | decimal or scientific notation, finite | double |
| bool | `true`/`false`, `t`/`f`, `yes`/`no`, `y`/`n`, `1`/`0` (any case) | boolean |
| date | `2024-05-01`, `2024/05/01`, `20240501` (a real calendar date) | date |
| timestamp | ISO 8601, e.g. `2024-05-01T09:30:00+08:00`; without an offset the time is UTC (with `--mapping`: the mapping's zone, default Asia/Shanghai) | UTC, microseconds |

XLSX cells are read as Excel stores them: a number is its shortest round-trip text (`1234.56`, never float
arithmetic), a number in a date or timestamp column is an Excel serial day (1900 or 1904 epoch), a date or time
cell is that date or time.

Formats: `uscc` is the 18-character unified social credit code (GB 32100-2015: alphabet, authority 1/5/9/Y,
digits 3-8, check character); `resident_id` the 18-character citizen ID (GB 11643-1999: 17 digits + digit or X,
a province-level region code in digits 1-2, a real birth date from 1900 on and not after the as-of date, check
character; a lower-case x is upper-cased); `phone` a mainland mobile (11 digits, prefix 13-19) or landline (0 + area
code 10/2X + 8 digits, or 0 + 3-digit area code + 7-8 digits; the number never starts with 0 or 1), never one digit
repeated - spaces, dashes, dots, brackets and a `+86`/`0086` prefix are removed first; `ip` an IPv4 or IPv6 client
address (stored compressed, IPv4-mapped IPv6 as IPv4; unspecified, loopback, multicast, reserved and link-local
addresses are refused); `email` `name@domain.tld`; `month_start` the first day of a month. Credit codes, resident
IDs, phones and IPs written in any Unicode digit script (full-width, Arabic-Indic, Devanagari, ...), with full-width
letters or with spaces and zero-width characters are folded to one ASCII spelling first (ADR 0013); a control
character (NUL ...) fails the check. *Applicant age* means the person's age on the row's application date (China
time) is in the products' range (`RISKLOOP_APPLICANT_AGE`, default 18-70). *Not future* means on or before the
as-of date (`--as-of`, default today UTC; timestamps up to the end of that day, or up to now without `--as-of`).

## Quarantine

A row that fails any check is not loaded; it goes to the quarantine with its source file, 1-based row number
(data rows, header excluded; JSON Lines: the line number), the failing field(s) and the reason - one record per
row, every failing field named (`amount_cents: must be >= 0 (got -500); status: must be one of: normal, void, red
(got 'x')`). Every other row is loaded: one bad cell never drops a good row. Records are stored in the database
table `quarantine` (the raw row as JSON text) and in `<home>/quarantine/<run_id>/<table>.jsonl`.

Rows that cannot be split into fields are quarantined with no field: a CSV row with the wrong number of fields
(`wrong field count: expected 7 fields, got 3`, e.g. the cut last line of a truncated file) and a JSON line that does
not parse (`malformed JSON line: ...`). A Parquet file that is truncated or corrupt cannot be read row by row and
stops the run: `table invoices, file .../invoices.parquet: Parquet file is truncated or corrupt (...)`.

A **transcript** (`call_turns`) is one record spread over rows: a call with any malformed turn (a failing field such
as an unknown speaker or empty text, a repeated or missing `turn_no` - turns must run 1..n - or a `call_id` naming no
loaded call in `collection_calls`, loaded in the same run or before) is quarantined whole: every one of its turns
goes to the quarantine, none is dropped, with the call, the offending turn and field named (`call_id CL1: the whole
record is quarantined: turn_no 2: speaker: must be one of: agent, debtor, third_party`). Turn text is free text:
resident IDs, mobile numbers and e-mail addresses said in a call are masked on ingest (`138****8000`).

## Bank exports: the mapping file

`--mapping FILE` (or `Workspace.ingest(..., mapping=load_mapping(FILE))`) reads a bank's export as it is. The file
is JSON, checked before anything is read (an error names the file and the key, e.g. `mapping m.json:
tables.invoices.columns.金额(元).unit: 'rmb' is not a unit; valid: yuan, wan_yuan, cents, 元, 万元, 分`):

```json
{"kind": "riskloop.ingest.mapping", "version": 1, "timezone": "Asia/Shanghai",
 "tables": {"invoices": {"files": ["发票明细"], "sheet": "发票明细", "header_row": 1, "columns": {
   "发票号码": "invoice_no",
   "金额(元)": {"column": "amount_cents", "unit": "yuan"},
   "税额(元)": {"column": "tax_cents", "unit": "yuan", "rounding": "half_up"},
   "发票状态": {"column": "status", "values": {"正常": "normal", "作废": "void", "红冲": "red"}}}}}}
```

| key | meaning |
|---|---|
| `timezone` | IANA zone of times written without an offset (default `Asia/Shanghai`); stored UTC |
| `tables.T.files` | file names (without suffix) that hold table T, besides `T` itself |
| `tables.T.sheet`, `header_row` | XLSX: the sheet and the row of the headers (title rows above it are skipped) |
| `tables.T.columns` | header -> column, or header -> `{column, unit, rounding, values}`; headers match after NFKC (full-width brackets and digits as ASCII) and without spaces; a header equal to a column name needs no entry |
| `unit` | every money column: `yuan` (元), `wan_yuan` (万元) or `cents` (分) |
| `rounding` | `half_up`, `half_even` or `down`; without it a value finer than a cent is quarantined |
| `values` | source value -> contract value (categories, booleans: `是` -> `true`); another value is quarantined |

Amounts are read with Decimal from their text: thousands separators (`,` `，`), `¥`/`￥` and spaces are dropped,
`(1,234.56)` is negative; `1,234.56` yuan is `123456` cents exactly. Days may also be written `2024年5月1日`,
`2024/5/1` or with a midnight time (`2024-05-01 00:00:00`); times as `2024/05/01 09:30:00`. A refused value is quarantined with the
header and the value as read (`amount_cents: 金额(元): finer than a cent in yuan and the mapping names no rounding
(got '1,234.567')`). `riskloop.ingest.mapping.generator_mapping()` is the shipped mapping of the generator's tables
in Chinese (`src/riskloop/ingest/mappings/generator_zh.json`, listed at the end of this file). ADR 0028.

## Credit bureau reports

The bureau's (PBOC) enterprise report, one JSON document per line of `pboc_reports/*.jsonl` (or one per
`pboc_reports/*.json` file), UTF-8; amounts in yuan as numbers or text; categories as the bureau spells them
(`商业银行`, `流动资金贷款`, `关注`, `贷款审批`; the contract's values are accepted too):

```json
{"report_no": "...", "report_date": "2026-06-05", "enterprise": {"credit_code": "91420100..."},
 "loans": [{"account_no": "...", "institution": "工商银行武汉分行", "institution_type": "商业银行",
            "loan_type": "流动资金贷款", "opened_date": "2025-03-01", "maturity_date": "2027-03-01",
            "balance": "215257.90", "overdue": "0.00", "days_past_due": 0, "five_class": "正常"}],
 "guarantees": [{"account_no": "...", "institution": "...", "balance": "190213.47"}],
 "inquiries": [{"inquiry_id": "IQ...", "date": "2026-01-04", "institution_type": "商业银行", "reason": "贷款审批"}]}
```

Loans go to `credit_report_loans`, inquiries to `credit_inquiries`, and the report's `credit_reports` row is
derived from them: `lenders` = distinct institutions, `loans_outstanding`, `balance_cents`, `overdue_loans`,
`overdue_cents`, `max_days_past_due` over the loans, `guarantees_given` and `guarantee_balance_cents` over the
guarantees. A bad element is quarantined with the file, the document's line, the element path and field
(`report loans[0]: balance: finer than a cent in yuan ...`, `inquiries[0]: reason: must be one of ...`); a report
with an unreadable loan or guarantee gets no summary row (quarantined, naming the element); a line that is not
JSON or names no enterprise or report date is quarantined once, under `credit_reports`. A generated universe
holds such documents for a share of borrowers in `U/bureau/pboc_reports/` (`riskloop ingest U/bureau`).

## Duplicates and idempotency

Each table has a key (below). Within one run, the first row with a key (in file-name order, then row order) is kept
and later rows with the same key are quarantined: `duplicate key invoice_no=INV001 (the first occurrence, row 1, is
kept)` - exact copies included. Against what earlier runs loaded, a row whose key is present with **identical**
content is counted as *already present* and skipped, so re-ingesting the same files is a no-op; a row whose key is
present with **different** content is quarantined as a conflict naming the differing columns
(`conflicts with the row already loaded for key invoice_no=INV001: differs in amount_cents`). Loaded rows are never
updated by ingestion.

## Versioned master data

A **versioned** table (`enterprises`) keeps every version of a key, each with its `valid_from` day (optional on input;
empty: the run's as-of day, `--as-of` or today by the workspace clock). A row whose key is loaded is compared with the
version in force on its valid-from day: identical content is *already present*; different content loads as a **new
version** (counted in `loaded` and in the report's `new_versions`), whether its day is after the latest version or
before it (history backfill); only a different row for a key **and valid-from day** already loaded is a conflict
(`conflicts with the version already loaded for key credit_code=..., valid_from=2024-06-01: differs in status`).
Readers take the version in force on their day (the first version also stands for the days before it). ADR 0020.

## Storage

Every table is written to the analytical warehouse (`<home>/warehouse/<table>/part-*.parquet`, queried with
DuckDB). Tables marked `sql` are also loaded into the database (SQLite by default, PostgreSQL by URL). Each run is
recorded in `ingest_runs` with its per-table counts: rows read, loaded, already present, quarantined.

## Errors

| message | meaning |
|---|---|
| `input directory X does not exist or is not a directory` | bad `DIR` |
| `no table files in X: expected <table>.parquet, ...` | nothing to ingest |
| `table T, file F: missing columns a, b` / `unknown columns c` / `repeated columns d` | fix the export's header |
| `table T, file F: Parquet file is truncated or corrupt` | re-export or re-copy the file |
| `F: text is neither UTF-8 nor GB18030/GBK` / `UTF-16 text is not supported` | re-export as UTF-8 |
| `F: JSON Lines must be UTF-8` | re-export as UTF-8 |
| `table T, file F: not a readable XLSX workbook` / `no sheet 'X'; sheets: ...` | re-export, or fix the mapping's `sheet` |
| `mapping M: <key>: <problem>` | fix the mapping file at that key |

The command exits with a non-zero status (4 for an input that cannot be ingested) and prints the message on stderr.

## Tables
"""


def _checks(col: Column) -> str:
    parts = []
    if col.values:
        parts.append("one of " + ", ".join(f"`{v}`" for v in col.values))
    if col.min is not None:
        parts.append(f">= {col.min:g}")
    if col.max is not None:
        parts.append(f"<= {col.max:g}")
    if col.max_length is not None:
        parts.append(f"at most {col.max_length} chars")
    if col.format is not None:
        parts.append(f"format `{col.format}`")
    if col.not_future:
        parts.append("not future")
    if col.age_at is not None:
        parts.append(f"applicant age on `{col.age_at}`")
    if col.present_when is not None:
        parts.append(f"required when `{col.present_when[0]}` is `{col.present_when[1]}`, empty otherwise")
    if col.default is not None:
        parts.append(f"absent or empty: `{col.default}`")
    return "; ".join(parts)


def _table(spec: Table) -> str:
    lines = [
        f"### {spec.name}",
        "",
        spec.doc,
        "",
        f"Key: `{', '.join(spec.key)}` · store: `{spec.store}` · dimension: {spec.dimension}"
        + (f" · dated by `{spec.partition_date}`" if spec.partition_date else "")
        + (f" · versioned by `{spec.valid_from}`" if spec.valid_from else ""),
        "",
        "| column | kind | nullable | checks | description |",
        "|---|---|---|---|---|",
    ]
    for col in spec.columns:
        key = " (key)" if col.name in spec.key else ""
        lines.append(
            f"| `{col.name}`{key} | {col.kind} | {'yes' if col.nullable else 'no'} | {_checks(col)} | {col.doc} |"
        )
    if spec.references:
        lines += ["", "References: " + ", ".join(f"`{c}` → `{t}`" for c, t in spec.references.items())]
    return "\n".join(lines) + "\n"


def _mapping() -> str:
    """The shipped Chinese headers of the generator's tables."""
    mapping = generator_mapping()
    lines = ["## The generator's tables in Chinese", "", f"`{GENERATOR_ZH}`: {mapping.name}.", ""]
    for mapped in mapping.tables.values():
        lines.append(
            f"- `{mapped.table}` (file {', '.join(f'`{f}`' for f in mapped.files)}): "
            + ", ".join(f"{c.header} → `{c.column}`" + (f" ({c.unit})" if c.unit else "") for c in mapped.columns)
        )
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole document."""
    return INTRO + "\n" + "\n".join(_table(t) for t in TABLES) + "\n" + _mapping()


def main(argv: list[str]) -> int:
    """Write the document, or with ``--check`` exit 1 when the committed one differs."""
    text = render()
    if "--check" in argv:
        return 0 if DOC.read_text(encoding="utf-8") == text else 1
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
