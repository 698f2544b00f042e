"""Collection's batch jobs (issue 16): plan every open case, check the calls, train the transcript QA.

- ``plan_open_cases``: the logged rounds (ingested and recorded) give each case's state at a moment; every case
  still open then gets its next round's context and the active policy's choice, stored as its open plan.
- ``check_calls``: every call in the warehouse (started in a window) through the active transcript QA, the
  findings stored and QA cases opened for the lead, as ``POST /v1/collections/transcripts`` does one at a time.
- ``train_transcript_qa``: the QA classifier trained on the bank's reviewed sample (``call_reviews``), never on
  anything else, registered for the four-eyes release like every model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from riskloop.collection.context import case_context
from riskloop.collection.rounds import logged_rounds, open_rounds
from riskloop.domain.collection import QA_KIND
from riskloop.domain.collection_work import RecordedAction
from riskloop.errors import NotFoundError, ValidationError
from riskloop.io.warehouse import Warehouse
from riskloop.scoring.registry import UNKNOWN_AUTHOR, model_id
from riskloop.service.collection_ports import Checker, Chooser
from riskloop.service.collections import CollectionDesk
from riskloop.service.ports import ModelHome, Progress, no_progress

CALL_TABLES = ("collection_calls", "call_turns")
CONTEXT_TABLES = ("collection_actions", "collection_cases", "loans", "enterprises")
OPTIONAL_TABLES = ("abnormal_operations", "financial_statements")  # read when ingested
_CHECK_PROGRESS_EVERY = 200


def plan_open_cases(desk: CollectionDesk, chooser: Chooser, tables: Mapping[str, pd.DataFrame],
                    records: Sequence[RecordedAction], *, at: dt.datetime, seed: int) -> dict[str, Any]:  # fmt: skip
    """Plan the next round of every case open at ``at`` with the active policy."""
    rounds = logged_rounds(records, tables["collection_cases"], tables["collection_actions"])
    upcoming = open_rounds(tables["collection_cases"], rounds, at)
    if upcoming.empty:
        return {"open_cases": 0, "at": at.isoformat(), **desk.plan([], upcoming, chooser, seed=seed)}
    contexts = case_context(upcoming, {**tables, "collection_actions": rounds})
    cases = list(zip(contexts["case_id"].tolist(), contexts["round_no"].tolist(), strict=True))
    return {"open_cases": len(upcoming), "at": at.isoformat(), **desk.plan(cases, contexts, chooser, seed=seed)}


def read_calls(warehouse: Warehouse, since: dt.date | None, until: dt.date | None) -> pd.DataFrame:
    """Calls started in ``[since, until)`` (UTC days) with their turns as lists, by call id."""
    present = set(warehouse.tables())
    if any(t not in present for t in CALL_TABLES):
        raise NotFoundError("the warehouse holds no call transcripts (run: riskloop ingest <universe>)")
    where = []
    if since is not None:
        where.append(f"c.started_at >= TIMESTAMPTZ '{since.isoformat()} 00:00:00+00'")
    if until is not None:
        where.append(f"c.started_at < TIMESTAMPTZ '{until.isoformat()} 00:00:00+00'")
    query = f"""
        SELECT c.call_id, c.started_at, list(t.turn_no ORDER BY t.turn_no) AS turn_nos,
               list(t.speaker ORDER BY t.turn_no) AS speakers, list(t.text ORDER BY t.turn_no) AS texts
        FROM collection_calls c JOIN call_turns t ON t.call_id = c.call_id
        {"WHERE " + " AND ".join(where) if where else ""}
        GROUP BY c.call_id, c.started_at ORDER BY c.started_at, c.call_id
    """  # noqa: S608 - dates are formatted from date objects
    con = warehouse.connect()
    try:
        frame: pd.DataFrame = con.sql(query).to_arrow_table().to_pandas()
    finally:
        con.close()
    return frame


def check_calls(desk: CollectionDesk, checker: Checker, calls: pd.DataFrame,
                progress: Progress = no_progress) -> dict[str, Any]:  # fmt: skip
    """Check every call of ``calls`` (``read_calls``); counts of findings by issue and of QA cases opened."""
    by_issue: dict[str, int] = {}
    opened = 0
    columns = (calls[c].tolist() for c in ("call_id", "started_at", "turn_nos", "speakers", "texts"))
    for i, (call_id, started_at, numbers, speakers, texts) in enumerate(zip(*columns, strict=True)):
        if i % _CHECK_PROGRESS_EVERY == 0:
            progress("check", i, len(calls))
        turns = [(int(n), str(who), str(text)) for n, who, text in zip(numbers, speakers, texts, strict=True)]
        out = desk.check(None, checker, str(call_id), pd.Timestamp(started_at).to_pydatetime(), turns)
        for f in out["findings"]:
            by_issue[f["issue_type"]] = by_issue.get(f["issue_type"], 0) + 1
        opened += out["qa_case"] is not None
    progress("check", len(calls), len(calls))
    return {"calls": len(calls), "findings_by_issue": dict(sorted(by_issue.items())), "calls_with_qa_case": opened}


@dataclass(frozen=True)
class QaTraining:
    """Train the transcript QA on the reviews made before a day (all when None)."""

    before: dt.date | None = None
    seed: int = 0
    author: str = UNKNOWN_AUTHOR


def train_transcript_qa(home: ModelHome, options: QaTraining, progress: Progress = no_progress) -> dict[str, Any]:
    """Train the QA classifier on the reviewed sample, save and register it (released by another person)."""
    from riskloop.collection.qa_model import read_artifact
    from riskloop.collection.qa_train import train_qa

    progress("read", 0, 1)
    tables = read_tables_named(Warehouse(home.warehouse), ("collection_calls", "call_turns", "call_reviews"))
    reviews = tables["call_reviews"]
    if options.before is not None:
        reviews = reviews[pd.to_datetime(reviews["reviewed_at"], utc=True) < pd.Timestamp(options.before, tz="UTC")]
    if reviews["call_id"].nunique() < 50:
        raise ValidationError("call_reviews", f"{reviews['call_id'].nunique()} reviewed calls; at least 50 are needed")
    progress("train", 0, 1)
    version = max([m.version for m in home.registry.list(QA_KIND)], default=0) + 1
    folder = home.models / model_id(QA_KIND, version)
    train_qa(tables["call_turns"], reviews, tables["collection_calls"], folder, options.seed)
    spec, _ = read_artifact(folder)
    training = spec.get("training", {})
    metrics = {"reviewed_calls": int(reviews["call_id"].nunique()), "out_of_fold": training.get("out_of_fold", {}),
               "threshold": spec.get("threshold")}  # fmt: skip
    window = {"trained_on": "workspace", "reviews_before": str(options.before), "seed": options.seed}
    registered = home.registry.register(folder, QA_KIND, QA_KIND, metrics, window, ["call_turns.text"],
                                        registered_by=options.author)  # fmt: skip
    progress("done", 1, 1)
    return {"model_id": registered, "bundle": str(folder), **metrics}


def read_tables(warehouse: Path | Warehouse) -> dict[str, pd.DataFrame]:
    """The observable tables a round's context reads (the optional ones when ingested)."""
    wh = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
    present = set(wh.tables())
    return read_tables_named(wh, [*CONTEXT_TABLES, *(t for t in OPTIONAL_TABLES if t in present)])


def read_tables_named(warehouse: Warehouse, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Whole warehouse tables by name; NotFoundError naming the first missing one."""
    present = set(warehouse.tables())
    missing = [n for n in names if n not in present]
    if missing:
        raise NotFoundError(f"the warehouse holds no {', '.join(missing)} (run: riskloop ingest <universe>)")
    con = warehouse.connect()
    try:
        return {n: con.sql(f"SELECT * FROM {n}").to_arrow_table().to_pandas() for n in names}  # noqa: S608
    finally:
        con.close()
