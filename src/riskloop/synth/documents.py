"""Risk documents (判决书, 执行通知, 行政处罚决定书, 新闻/公告) of the chunk's firms, their analysts' reviews and truth.

Every document follows a recorded event of the universe: a litigation (the subject as defendant: the cause's
tag; as plaintiff or applicant for enforcement, a withdrawn suit: no tag), an enforcement, a dishonest listing
and its removal, an administrative penalty (only an environmental one is 环保处罚), an equity freeze and its
release, an abnormal-operation listing and its removal, tax arrears, a shareholding change (the actual
controller changes, or the announcement says it does not). News items repeat a firm's earlier events (several
tags in one text) among neutral sentences and hard negatives. Layout noise (page marks, stray spaces) falls
between parts, so the true spans stay exact. A 失信被执行人 listing is also 被执行.

Each tagged part is written in a wording family, recorded in the truth (``family``, ``held_out``); held-out
families (``document_unseen``) are never in the reviewed sample. The bank's analysts review a sample of documents
(``document_reviews``): each tag found with its evidence span, missing a few, or ``none``. Everything is drawn from
``Stream.TEXTTAGS_DOCUMENTS`` and ``Stream.TEXTTAGS_REVIEWS`` after every other table is built, so no earlier table
changes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from riskloop.domain.text_tags import NO_TAG
from riskloop.synth import document_phrases as dp
from riskloop.synth.document_unseen import is_held_out
from riskloop.synth.draws import Draws
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.vocab import vocab

DOCUMENT_TAGS, DOCUMENT_HARD_NEGATIVES = "document_tags", "document_hard_negatives"
TRUTH_SCHEMAS: dict[str, pa.Schema] = {
    DOCUMENT_TAGS: pa.schema(
        [
            ("doc_id", pa.string()),
            ("tag", pa.string()),
            ("span_start", pa.int64()),
            ("span_end", pa.int64()),
            ("family", pa.string()),
            ("held_out", pa.bool_()),
        ]
    ),
    DOCUMENT_HARD_NEGATIVES: pa.schema([("doc_id", pa.string()), ("kind", pa.string())]),
}
REVIEW_RATE, MISS_RATE, REVIEW_DAYS = 0.25, 0.03, (1, 30)
NEWS_RATE = 0.10  # news items per firm (more for firms with events)
WITHDRAWN = 0.15  # of suits against a firm that end in a withdrawal
CONTROL_CHANGES = 0.55  # of shareholder changes whose announcement names a new actual controller
ARREARS_NOTICE = 0.4  # of firms in tax arrears with an arrears announcement
_UNIFORMS = 96
_PAGE_MARKS = ("\n第1页 共2页\n", "\n- 1 -\n", "\n（此页无正文）\n", "  ", "\u3000", "\n")
_PERSONS = ("王海涛", "李明华", "张秀英", "刘建军", "陈立新", "孙志刚", "马晓东", "朱丽", "胡斌", "郭芳")


@dataclass
class Planned:
    """A document to write: the firm's code, the day it is published, and the composed text."""

    code: str
    day: dt.date
    doc: dp.Doc


class Context:
    """What composing needs: draws, names by code, other names to cite, districts, the as-of day."""

    def __init__(self, g: np.random.Generator, names: dict[str, str], as_of: dt.date) -> None:
        self.g, self.names, self.as_of = g, names, as_of
        self.others = list(names.values())
        self.districts = vocab().districts

    def draws(self) -> Draws:
        """A fresh row of uniforms for one document's wording."""
        return Draws(self.g.random(_UNIFORMS))

    def other(self, not_name: str) -> str:
        """Another firm's name to cite beside the subject."""
        name = self.others[int(self.g.integers(0, len(self.others)))]
        return name if name != not_name or len(self.others) == 1 else self.others[0] + "分公司"

    def district(self) -> str:
        """A district for a court's or an authority's name."""
        return str(self.districts[int(self.g.integers(0, len(self.districts)))])

    def later(self, day: dt.date, lo: int, hi: int) -> dt.date | None:
        """A day ``lo``-``hi`` days after ``day``; None when it falls after as-of (not published yet)."""
        out = day + dt.timedelta(days=int(self.g.integers(lo, hi + 1)))
        return out if out <= self.as_of else None


def _rows(table: pa.Table, columns: list[str]) -> list[tuple[Any, ...]]:
    return list(zip(*(table[c].to_pylist() for c in columns), strict=True))


def _court(ctx: Context) -> str:
    return f"{ctx.district()}人民法院"


def _litigations(ctx: Context, t: pa.Table, out: list[Planned]) -> None:
    cols = ["case_no", "credit_code", "role", "filed_date", "cause", "amount_cents"]
    for case_no, code, role, filed, cause, amount in _rows(t, cols):
        if code not in ctx.names:
            continue
        s, d = ctx.names[str(code)], ctx.draws()
        other, court = ctx.other(s), _court(ctx)
        if role == "defendant" and d.random() < WITHDRAWN:
            day, doc = ctx.later(filed, 20, 90), dp.withdrawal(d, s, other, str(case_no), str(cause), court)
        elif role == "defendant" or d.random() < 0.7:
            day = ctx.later(filed, 60, 400)
            doc = dp.judgment(d, s, other, str(case_no), str(cause), role == "defendant", int(amount), court)
        else:
            day = ctx.later(filed, 90, 400)
            doc = dp.applicant(d, s, other, str(case_no).replace("民初", "执"), int(amount), court)
        if day is not None:
            out.append(Planned(str(code), day, doc))


def _enforcements(ctx: Context, tables: dict[str, pa.Table], out: list[Planned]) -> None:
    cols = ["case_no", "credit_code", "filed_date", "amount_cents", "closed_date"]
    for case_no, code, filed, amount, closed in _rows(tables["enforcements"], cols):
        if code in ctx.names:
            s, d = ctx.names[str(code)], ctx.draws()
            doc = dp.enforcement(d, s, ctx.other(s), str(case_no), int(amount), _court(ctx), closed is not None)
            out.append(Planned(str(code), min(filed + dt.timedelta(days=int(d.random() * 10)), ctx.as_of), doc))
    for case_no, code, listed, removed in _rows(
        tables["dishonest_list"], ["case_no", "credit_code", "listed_date", "removed_date"]
    ):
        if code in ctx.names:
            s, court = ctx.names[str(code)], _court(ctx)
            out.append(Planned(str(code), listed, dp.dishonest(ctx.draws(), s, str(case_no), court)))
            if removed is not None:
                out.append(Planned(str(code), removed, dp.dishonest_removed(ctx.draws(), s, str(case_no), court)))


def _penalties(ctx: Context, tables: dict[str, pa.Table], out: list[Planned]) -> None:
    cols = ["penalty_id", "credit_code", "penalty_date", "authority", "amount_cents"]
    for pid, code, day, authority, amount in _rows(tables["admin_penalties"], cols):
        if code in ctx.names:
            doc = dp.penalty(ctx.draws(), ctx.names[str(code)], str(authority), str(pid), int(amount), ctx.district())
            out.append(Planned(str(code), min(day + dt.timedelta(days=int(ctx.g.integers(0, 21))), ctx.as_of), doc))
    for code, listed, reason, removed in _rows(
        tables["abnormal_operations"], ["credit_code", "listed_date", "reason", "removed_date"]
    ):
        if code in ctx.names:
            s, district = ctx.names[str(code)], ctx.district()
            out.append(Planned(str(code), listed, dp.abnormal(ctx.draws(), s, str(reason), district)))
            if removed is not None:
                out.append(Planned(str(code), removed, dp.abnormal_removed(ctx.draws(), s, district)))


def _freezes(ctx: Context, tables: dict[str, pa.Table], out: list[Planned]) -> None:
    cols = ["freeze_id", "credit_code", "holder_code", "frozen_amount_cents", "freeze_date", "released_date"]
    for fid, code, holder_code, amount, day, released in _rows(tables["equity_freezes"], cols):
        if code not in ctx.names:
            continue
        s, court = ctx.names[str(code)], _court(ctx)
        holder = ctx.names.get(str(holder_code)) or _PERSONS[int(ctx.g.integers(0, len(_PERSONS)))]
        out.append(Planned(str(code), day, dp.freeze(ctx.draws(), s, holder, str(fid), int(amount), court)))
        if released is not None:
            out.append(Planned(str(code), released, dp.freeze_released(ctx.draws(), s, holder, str(fid), court)))


def _arrears(ctx: Context, tables: dict[str, pa.Table], out: list[Planned]) -> None:
    latest: dict[str, tuple[dt.date, int]] = {}
    cols = ["credit_code", "tax_payable_cents", "tax_paid_cents", "filed_date"]
    for code, payable, paid, filed in _rows(tables["tax_declarations"], cols):
        if code in ctx.names and int(payable) - int(paid) >= 100_000 and filed >= latest.get(str(code), (filed, 0))[0]:
            latest[str(code)] = (filed, int(payable) - int(paid))
    for code in sorted(latest):
        filed, owed = latest[code]
        day = ctx.later(filed, 30, 120)
        if ctx.g.random() < ARREARS_NOTICE and day is not None:
            out.append(Planned(code, day, dp.arrears(ctx.draws(), ctx.names[code], owed, ctx.district())))


def _control(ctx: Context, tables: dict[str, pa.Table], out: list[Planned]) -> None:
    for code, day, kind in _rows(tables["registration_changes"], ["credit_code", "change_date", "change_type"]):
        if kind == "shareholder" and code in ctx.names:
            s, d = ctx.names[str(code)], ctx.draws()
            person = _PERSONS[int(d.random() * len(_PERSONS))]
            doc = dp.control_change(d, s, ctx.other(s), person, d.random() < CONTROL_CHANGES)
            out.append(Planned(str(code), day, doc))


def _news(ctx: Context, codes: list[str], planned: list[Planned], out: list[Planned]) -> None:
    """News items: a firm's earlier tagged events retold, among fillers and hard negatives."""
    events: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for p in planned:
        events[p.code].extend((p.day, tag) for _, tag, _ in p.doc.parts if tag)
    for code in codes:
        mine = events.get(code, [])
        for _ in range(int(ctx.g.poisson(NEWS_RATE * (3.0 if mine else 1.0)))):
            d = ctx.draws()
            day = ctx.as_of - dt.timedelta(days=int(d.random() * 1500))
            known = sorted({t for e, t in mine if e <= day})
            tags = tuple(t for t in known if d.random() < 0.6)[:3]
            s = ctx.names[code]
            doc = dp.news(d, s, ctx.other(s), _PERSONS[int(d.random() * len(_PERSONS))], tags, int(d.random() * 4))
            out.append(Planned(code, day, doc))


Span = tuple[str, int, int, str]  # tag, start, end, wording family


def _render(d: Draws, doc: dp.Doc) -> tuple[str, list[Span]]:
    """The body and the true spans with their wording families: parts joined, layout noise between some of them."""
    body: list[str] = []
    spans: list[Span] = []
    at = 0
    for part, tag, family in doc.parts:
        text = part
        if d.random() < 0.06:
            mark = d.pick(_PAGE_MARKS)
            body.append(mark)
            at += len(mark)
        if d.random() < 0.08 and len(text) > 4:  # text extraction breaks a line or spaces out a word
            cut = 1 + int(d.random() * (len(text) - 2))
            text = text[:cut] + d.pick((" ", "\n", "  ")) + text[cut:]
        if tag:
            spans.append((tag, at, at + len(text), family or f"{tag}.unnamed"))
        body.append(text)
        at += len(text)
    tags = {t for t, _, _, _ in spans}
    if "失信" in tags and "被执行" not in tags:  # a dishonest debtor is by definition under enforcement
        spans += [("被执行", a, b, f) for t, a, b, f in spans if t == "失信"][:1]
    return "".join(body), spans


def document_tables(
    params: UniverseParams, chunk: int, tables: dict[str, pa.Table]
) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """The chunk's ``risk_documents`` and ``document_reviews``, and the truth: tags with spans, hard negatives."""
    g = rng(params, chunk, Stream.TEXTTAGS_DOCUMENTS)
    ent = tables["enterprises"]
    codes = [str(c) for c in ent["credit_code"].to_pylist()]
    ctx = Context(g, dict(zip(codes, (str(n) for n in ent["name"].to_pylist()), strict=True)), params.as_of)
    planned: list[Planned] = []
    _litigations(ctx, tables["litigations"], planned)
    _enforcements(ctx, tables, planned)
    _penalties(ctx, tables, planned)
    _freezes(ctx, tables, planned)
    _arrears(ctx, tables, planned)
    _control(ctx, tables, planned)
    _news(ctx, codes, list(planned), planned)
    planned.sort(key=lambda p: (p.code, p.day))
    docs: dict[str, list[object]] = defaultdict(list)
    truth: dict[str, list[object]] = defaultdict(list)
    hard: dict[str, list[object]] = defaultdict(list)
    seq: dict[str, int] = defaultdict(int)
    for p in planned:
        seq[p.code] += 1
        doc_id = f"DC{p.code}{seq[p.code]:03d}"
        body, spans = _render(ctx.draws(), p.doc)
        for name, value in (
            ("doc_id", doc_id),
            ("credit_code", p.code),
            ("subject_name", ctx.names[p.code]),
            ("doc_type", p.doc.doc_type),
            ("published_date", p.day),
            ("title", p.doc.title),
            ("body", body),
        ):
            docs[name].append(value)
        for tag, a, b, family in spans:
            truth["doc_id"].append(doc_id)
            truth["tag"].append(tag)
            truth["span_start"].append(a)
            truth["span_end"].append(b)
            truth["family"].append(family)
            truth["held_out"].append(is_held_out(family))
        for kind in p.doc.hard:
            hard["doc_id"].append(doc_id)
            hard["kind"].append(kind)
    documents = pa.table({k: docs.get(k, []) for k in ("doc_id", "credit_code", "subject_name", "doc_type")})
    documents = documents.append_column("published_date", pa.array(docs.get("published_date", []), pa.date32()))
    documents = documents.append_column("title", pa.array(docs.get("title", []), pa.string()))
    documents = documents.append_column("body", pa.array(docs.get("body", []), pa.string()))
    tag_truth = pa.table(
        {k: truth.get(k, []) for k in TRUTH_SCHEMAS[DOCUMENT_TAGS].names}, schema=TRUTH_SCHEMAS[DOCUMENT_TAGS]
    )
    hard_truth = pa.table(
        {k: hard.get(k, []) for k in ("doc_id", "kind")}, schema=TRUTH_SCHEMAS[DOCUMENT_HARD_NEGATIVES]
    )
    reviews = reviews_table(rng(params, chunk, Stream.TEXTTAGS_REVIEWS), documents, tag_truth, params.as_of)
    tables_out = {"risk_documents": documents, "document_reviews": reviews}
    return tables_out, {DOCUMENT_TAGS: tag_truth, DOCUMENT_HARD_NEGATIVES: hard_truth}


def reviews_table(g: np.random.Generator, documents: pa.Table, tags: pa.Table, as_of: dt.date) -> pa.Table:
    """Analysts' reviews of about ``REVIEW_RATE`` of the documents, each tag with its first span or ``none``.

    A document with a part in a held-out wording family is never reviewed: those wordings stay unseen by training.
    """
    found: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    unseen: set[str] = set()
    for doc_id, tag, a, b, held in _rows(tags, ["doc_id", "tag", "span_start", "span_end", "held_out"]):
        found[str(doc_id)].setdefault(str(tag), (int(a), int(b)))
        if held:
            unseen.add(str(doc_id))
    out: dict[str, list[object]] = defaultdict(list)
    for doc_id, published in _rows(documents, ["doc_id", "published_date"]):
        u = g.random(2 + len(found.get(str(doc_id), {})))
        reviewed = dt.datetime.combine(published, dt.time(9), dt.UTC) + dt.timedelta(
            days=REVIEW_DAYS[0] + float(u[1]) * (REVIEW_DAYS[1] - REVIEW_DAYS[0])
        )
        if u[0] >= REVIEW_RATE or reviewed.date() > as_of or str(doc_id) in unseen:
            continue
        kept = [(t, s) for (t, s), x in zip(found.get(str(doc_id), {}).items(), u[2:], strict=True) if x >= MISS_RATE]
        for k, (tag, span) in enumerate(kept or [(NO_TAG, None)], start=1):
            out["review_id"].append(f"RV{str(doc_id)[2:]}{k:02d}")
            out["doc_id"].append(doc_id)
            out["reviewed_at"].append(reviewed)
            out["tag"].append(tag)
            out["span_start"].append(span[0] if span else None)
            out["span_end"].append(span[1] if span else None)
    return pa.table(
        {
            "review_id": pa.array(out.get("review_id", []), pa.string()),
            "doc_id": pa.array(out.get("doc_id", []), pa.string()),
            "reviewed_at": pa.array(out.get("reviewed_at", []), pa.timestamp("us", tz="UTC")),
            "tag": pa.array(out.get("tag", []), pa.string()),
            "span_start": pa.array(out.get("span_start", []), pa.int64()),
            "span_end": pa.array(out.get("span_end", []), pa.int64()),
        }
    )
