"""Outcomes back (issue 14): each drawn loan's performance as of a day, linked to the decision that granted it.

``update`` is incremental: it recomputes only the loans with rows in part files the last update had not seen
(late repayments included), the loans disbursed or with an instalment falling due since its day, and the
loans whose stored ``next_review`` has come (days past due grow, a horizon matures, months on book move on).
Nothing else can change between two days (``domain.outcome``), so an incremental update stores the same
records as a full recomputation; a re-run of the same day changes nothing; an interrupted run is resumed by
running it again (records are written in batches, the run record last).

One record per loan: applications declined or approved but never drawn have no outcome row (the funnel
counts them from the decisions); a loan without a stored riskloop decision (booked before riskloop, or
decided elsewhere) has a row with no decision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from riskloop.domain.clock import Clock
from riskloop.domain.outcome import (
    HORIZONS,
    DecisionOutcome,
    Horizon,
    LoanOutcome,
    LoanRows,
    OutcomeRun,
    horizon_view,
    loan_outcome,
)
from riskloop.errors import NotFoundError, ValidationError
from riskloop.service.outcome_ports import DecisionLinks, LoanBook, OutcomeStore
from riskloop.service.ports import Progress, no_progress

BATCH = 2000
UPDATE_COMMAND = "riskloop outcomes update --as-of DATE"


def same(a: DecisionOutcome, b: DecisionOutcome) -> bool:
    """Whether two records hold the same facts (the day each was computed on aside)."""
    return dataclasses.replace(a.outcome, as_of=b.outcome.as_of) == b.outcome and a.decision == b.decision


class OutcomeTracker:
    """Updates the stored outcomes as of a day and summarises them."""

    def __init__(self, book: LoanBook, links: DecisionLinks, store: OutcomeStore, clock: Clock) -> None:
        self.book, self.links, self.store, self.clock = book, links, store, clock

    def update(self, as_of: dt.date, *, full: bool = False, progress: Progress = no_progress) -> OutcomeRun:
        """Bring the stored outcomes to ``as_of``; ``full`` recomputes every loan (and may go back in time)."""
        started = self.clock.now()
        last = self.store.last_run()
        if not full and last is not None and as_of < last.as_of:
            raise ValidationError(
                "as_of", f"outcomes are updated to {last.as_of}; an earlier day needs a full recomputation (--full)"
            )
        parts = self.book.parts()
        ids: set[str] | None = None
        if not full and last is not None:
            ids = self.book.touched(parts - last.parts) | self.book.moving(last.as_of, as_of) | self.store.due(as_of)
        seen: set[str] = set()
        written = added = 0
        total = len(ids) if ids is not None else 0
        for batch in _batches(self.book.loans(ids, as_of), BATCH):
            records = self._records(batch, as_of)
            seen.update(r.loan_id for r in records)
            stored = self.store.get_many([r.loan_id for r in records])
            changed = [r for r in records if r.loan_id not in stored or not same(stored[r.loan_id], r)]
            self.store.put_many(changed)
            written += len(changed)
            added += sum(r.loan_id not in stored for r in changed)
            progress("outcomes", len(seen), max(total, len(seen)))
        removed = self.store.remove_except(seen) if ids is None else 0
        loans = len(seen) if ids is None else (0 if last is None else last.loans) + added
        run = OutcomeRun(as_of, parts, ids is None, started, self.clock.now(), loans, len(seen), written, removed)
        self.store.finish(run)
        return run

    def _records(self, batch: Sequence[LoanRows], as_of: dt.date) -> list[DecisionOutcome]:
        links = self.links.links([rows.loan.application_id for rows in batch])
        out = []
        for rows in batch:
            outcome = loan_outcome(rows.loan, rows.schedule, rows.payments, as_of)
            if outcome is not None:
                out.append(DecisionOutcome(outcome, links.get(rows.loan.application_id)))
        return out

    def _last(self) -> OutcomeRun:
        last = self.store.last_run()
        if last is None:
            raise NotFoundError(f"no outcomes stored yet (run: {UPDATE_COMMAND})")
        return last

    def summary(self, as_of: dt.date | None = None) -> dict[str, Any]:
        """Matured counts and bad rates by horizon: overall, by tier, strategy, model, channel and vintage.

        ``as_of`` defaults to the last update's day; an earlier day reads the stored records as they stood then
        (exact: a first bad day depends only on payments received by then); a later one is refused.
        """
        last = self._last()
        day = last.as_of if as_of is None else as_of
        if day > last.as_of:
            raise ValidationError("as_of", f"outcomes are updated to {last.as_of}; run {UPDATE_COMMAND} first")
        views = [_view(r, day) for r in self.store.all() if r.outcome.disbursed_date <= day]
        groups: dict[str, Callable[[DecisionOutcome], str | None]] = {
            "tier": lambda r: None if r.decision is None else r.decision.tier,
            "strategy": lambda r: None if r.decision is None else r.decision.strategy,
            "model": lambda r: None if r.decision is None else r.decision.model,
            "channel": lambda r: r.outcome.channel,
            "vintage": lambda r: r.outcome.vintage,
        }
        return {
            "as_of": day.isoformat(),
            "updated_to": last.as_of.isoformat(),
            "definition": "bad: an instalment not covered 90 days after its due date, by h months on book",
            "loans": len(views),
            "with_decision": sum(r.decision is not None for r in views),
            "overall": _rates(views),
            **{f"by_{name}": _grouped(views, key) for name, key in groups.items()},
        }

    def outcome_of(self, decision_id: str) -> dict[str, Any]:
        """The outcome record of the loan drawn on ``decision_id``, as of the last update; NotFoundError if none."""
        last = self._last()
        found = self.store.for_decision(decision_id)
        if found is None:
            raise NotFoundError(f"decision {decision_id} has no outcome: no loan drawn on it by {last.as_of}")
        return present(found, last.as_of)


def present(record: DecisionOutcome, as_of: dt.date) -> dict[str, Any]:
    """``record`` as of ``as_of`` (a day of its validity: from its computation to its next review)."""
    return DecisionOutcome(dataclasses.replace(record.outcome, as_of=as_of), record.decision).to_dict()


def _view(record: DecisionOutcome, day: dt.date) -> DecisionOutcome:
    o = record.outcome
    first_bad = o.first_bad_day if o.first_bad_day is not None and o.first_bad_day <= day else None
    horizons = horizon_view(o.disbursed_date, first_bad, day)
    return DecisionOutcome(dataclasses.replace(o, horizons=horizons, first_bad_day=first_bad), record.decision)


def _rates(records: Sequence[DecisionOutcome]) -> dict[str, Any]:
    out: dict[str, Any] = {"loans": len(records)}
    for months in HORIZONS:
        hs: list[Horizon] = [r.outcome.horizon(months) for r in records]
        matured = [h for h in hs if h.matured]
        bad = sum(bool(h.bad) for h in matured)
        out[f"{months}m"] = {"matured": len(matured), "bad": bad, "bad_rate": bad / len(matured) if matured else None}
    return out


def _grouped(records: Iterable[DecisionOutcome], key: Callable[[DecisionOutcome], str | None]) -> dict[str, Any]:
    groups: dict[str, list[DecisionOutcome]] = defaultdict(list)
    for r in records:
        value = key(r)
        groups["(none)" if value is None else value].append(r)
    return {k: _rates(v) for k, v in sorted(groups.items())}


def _batches(rows: Iterable[LoanRows], size: int) -> Iterable[list[LoanRows]]:
    batch: list[LoanRows] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def outcome_facts(outcome: LoanOutcome) -> dict[str, Any]:
    """The facts of ``outcome`` without the day it was computed on (what incremental and full runs agree on)."""
    facts = outcome.to_dict()
    facts.pop("as_of")
    return facts
