"""Read the bureau's (PBOC) enterprise report documents into credit_reports, credit_inquiries, credit_report_loans.

A document (one JSON object per line of a ``.jsonl`` file, or a whole ``.json`` file) holds the report's header,
its loans by institution, the guarantees the enterprise gave and the inquiries into it (docs/data-formats.md,
"Credit bureau reports"). The summary row is derived from the detail (lenders = distinct institutions, sums and
counts), so it never disagrees with it. A bad element is quarantined naming the file, the document's line, the
element path (``loans[2]``) and field; a report whose loans or guarantees cannot all be read gets no summary row
(quarantined, naming the element), since any figure of it would be wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from riskloop.domain.bureau_codes import FIVE_CLASS_ZH, INSTITUTION_ZH, LOAN_TYPE_ZH, REASON_ZH, from_zh
from riskloop.domain.tables import Table
from riskloop.errors import IngestError
from riskloop.ingest.mapped import RefusedError, to_cents
from riskloop.ingest.readers import BATCH_ROWS, Malformed, RawBatch

DOCUMENT_DIR = "pboc_reports"
TARGETS = ("credit_reports", "credit_inquiries", "credit_report_loans")
_INSTITUTIONS, _LOAN_TYPES = from_zh(INSTITUTION_ZH), from_zh(LOAN_TYPE_ZH)
_CLASSES, _REASONS = from_zh(FIVE_CLASS_ZH), from_zh(REASON_ZH)
# document key -> (contract column, how it is read)
_LOAN_FIELDS = {
    "account_no": ("account_no", "text"),
    "institution": ("institution", "text"),
    "institution_type": ("institution_type", _INSTITUTIONS),
    "loan_type": ("loan_type", _LOAN_TYPES),
    "opened_date": ("opened_date", "text"),
    "maturity_date": ("maturity_date", "text"),
    "balance": ("balance_cents", "yuan"),
    "overdue": ("overdue_cents", "yuan"),
    "days_past_due": ("days_past_due", "count"),
    "five_class": ("five_class", _CLASSES),
}
_GUARANTEE_FIELDS = {"balance": ("balance", "yuan")}
_INQUIRY_FIELDS = {
    "inquiry_id": ("inquiry_id", "text"),
    "date": ("inquiry_date", "text"),
    "institution_type": ("institution_type", _INSTITUTIONS),
    "reason": ("reason", _REASONS),
}


def is_document(path: Path) -> bool:
    """Whether ``path`` holds bureau report documents (under ``pboc_reports/``, or named so)."""
    return DOCUMENT_DIR in (path.parent.name, path.stem)


class ElementError(ValueError):
    """An element of a document that cannot be read: its path, field and problem."""

    def __init__(self, path: str, field: str | None, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}" if field else f"{path}: {problem}")
        self.path, self.field, self.problem = path, field, problem


@dataclass
class Parsed:
    """One document's rows per target table (text values), their element paths, and the elements refused."""

    rows: dict[str, list[tuple[str, dict[str, str | None]]]] = field(default_factory=dict)
    refused: dict[str, list[ElementError]] = field(default_factory=dict)

    def add(self, target: str, path: str, row: Mapping[str, str | None]) -> None:
        """Keep a row of ``target`` read from the element at ``path``."""
        self.rows.setdefault(target, []).append((path, dict(row)))

    def refuse(self, target: str, error: ElementError) -> None:
        """Keep an element of ``target`` that could not be read."""
        self.refused.setdefault(target, []).append(error)


def _value(raw: Any, how: str | dict[str, str], path: str, key: str) -> str:
    if isinstance(raw, bool) or raw is None or isinstance(raw, dict | list):
        raise ElementError(path, key, "missing" if raw is None else f"not a value (got {type(raw).__name__})")
    text = str(raw)
    if how == "yuan":
        try:
            return to_cents(text, "yuan", None, key)
        except RefusedError as exc:
            raise ElementError(path, key, f"{str(exc).removeprefix(f'{key}: ')} (got {text!r})") from None
    if how == "count":
        if not text.isdigit():
            raise ElementError(path, key, f"not a whole number of days (got {text!r})")
        return text
    if isinstance(how, dict):
        return how.get(text.strip(), text)  # an unknown spelling is kept: validation names the allowed values
    return text


def _element(obj: Any, fields: dict[str, tuple[str, Any]], path: str) -> dict[str, str]:
    if not isinstance(obj, dict):
        raise ElementError(path, None, f"not an object (got {type(obj).__name__})")
    return {column: _value(obj.get(key), how, path, key) for key, (column, how) in fields.items()}


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key, [])
    if not isinstance(value, list):
        raise ElementError(key, None, f"not a list (got {type(value).__name__})")
    return value


def parse_document(doc: Any) -> Parsed:
    """Rows of every target table in one report document; raise ElementError when its header is unusable."""
    if not isinstance(doc, dict):
        raise ElementError("document", None, f"not a JSON object (got {type(doc).__name__})")
    enterprise = doc.get("enterprise")
    code = enterprise.get("credit_code") if isinstance(enterprise, dict) else None
    day = doc.get("report_date")
    if not isinstance(code, str) or not code.strip():
        raise ElementError("enterprise", "credit_code", "missing")
    if not isinstance(day, str) or not day.strip():
        raise ElementError("document", "report_date", "missing")
    head = {"credit_code": code, "report_date": day}
    out = Parsed()
    loans = _details(out, doc, "loans", _LOAN_FIELDS, "credit_report_loans", head)
    guarantees = _details(out, doc, "guarantees", _GUARANTEE_FIELDS, None, head)
    _details(out, doc, "inquiries", _INQUIRY_FIELDS, "credit_inquiries", {"credit_code": code})
    blocking = out.refused.get("credit_report_loans", []) + out.refused.get("", [])
    if blocking:
        first = blocking[0]
        reason = f"no summary: {first} (a report's figures need every loan and guarantee)"
        out.refuse("credit_reports", ElementError("document", first.field, reason))
    else:
        out.add("credit_reports", "summary", head | _summary(loans, guarantees))
    return out


def _details(  # noqa: PLR0917
    out: Parsed, doc: dict[str, Any], key: str, fields: dict[str, Any], target: str | None, head: dict[str, str]
) -> list[dict[str, str]]:
    read: list[dict[str, str]] = []
    try:
        elements = _list(doc, key)
    except ElementError as exc:
        out.refuse(target or "", exc)
        return read
    for i, obj in enumerate(elements):
        path = f"{key}[{i}]"
        try:
            row = _element(obj, fields, path)
        except ElementError as exc:
            out.refuse(target or "", exc)
            continue
        read.append(row)
        if target is not None:
            out.add(target, path, head | row)
    return read


def _summary(loans: list[dict[str, str]], guarantees: list[dict[str, str]]) -> dict[str, str]:
    overdue = [int(r["overdue_cents"]) for r in loans]
    return {
        "lenders": str(len({r["institution"] for r in loans})),
        "loans_outstanding": str(len(loans)),
        "balance_cents": str(sum(int(r["balance_cents"]) for r in loans)),
        "overdue_loans": str(sum(1 for v in overdue if v > 0)),
        "overdue_cents": str(sum(overdue)),
        "max_days_past_due": str(max((int(r["days_past_due"]) for r in loans), default=0)),
        "guarantees_given": str(len(guarantees)),
        "guarantee_balance_cents": str(sum(int(r["balance"]) for r in guarantees)),
    }


class PbocReportReader:
    """Reads report documents as rows of one of the target tables, in batches, numbered by document line."""

    encoding: str | None = "utf-8"

    def __init__(self, path: Path, spec: Table, batch_rows: int = BATCH_ROWS) -> None:
        if spec.name not in TARGETS:
            raise IngestError(f"table {spec.name}, file {path}: bureau report documents fill only {', '.join(TARGETS)}")
        self.path, self.spec, self.batch_rows = path, spec, batch_rows
        self.total_rows: int | None = None

    def _documents(self) -> Iterator[tuple[int, str]]:
        try:
            with self.path.open(encoding="utf-8") as fh:
                if self.path.suffix == ".json":
                    yield 1, fh.read()
                    return
                for number, line in enumerate(fh, start=1):
                    if line.strip():
                        yield number, line
        except UnicodeDecodeError as exc:
            raise IngestError(f"table {self.spec.name}, file {self.path}: documents must be UTF-8 ({exc})") from None

    def batches(self) -> Iterator[RawBatch]:
        """Yield this table's rows of every document; a document's own faults are reported once, by the summary."""
        rows: list[dict[str, str | None]] = []
        numbers: list[int] = []
        paths: list[str] = []
        bad: list[Malformed] = []
        owner = self.spec.name == "credit_reports"
        for number, text in self._documents():
            try:
                parsed = parse_document(json.loads(text, parse_float=Decimal))
            except json.JSONDecodeError as exc:
                if owner:
                    bad.append(Malformed(number, f"malformed JSON document: {exc.msg} at column {exc.colno}", text))
                continue
            except ElementError as exc:
                if owner:
                    bad.append(Malformed(number, f"report {exc}", text[:2000], exc.field))
                continue
            for path, row in parsed.rows.get(self.spec.name, []):
                rows.append(row)
                numbers.append(number)
                paths.append(path)
            refused = parsed.refused.get(self.spec.name, [])
            bad.extend(Malformed(number, f"report {e}", text[:2000], e.field) for e in refused)
            if len(rows) >= self.batch_rows:
                yield self._batch(rows, numbers, paths, bad)
                rows, numbers, paths, bad = [], [], [], []
        if rows or bad:
            yield self._batch(rows, numbers, paths, bad)

    def _batch(
        self, rows: list[dict[str, str | None]], numbers: list[int], paths: list[str], bad: list[Malformed]
    ) -> RawBatch:
        data = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in self.spec.column_names})
        return RawBatch(data, np.array(numbers, dtype=np.int64), bad, paths)
