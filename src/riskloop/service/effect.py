"""Effect tracking (issue 14): the funnel, vintage curves and expected against realised loss as of a day.

Reads the applications and champion decisions on record (``EffectSource``) and the stored loan outcomes
(``OutcomeStore``, brought up to date by ``riskloop outcomes update``), nothing dated after the day D:
decisions made and reviews closed after D are left out or still open, loans disbursed after D are left
out, and each loan's status is its status on D. A stored record is valid from the day it was computed to
the last update; for an earlier D, a first bad day on or before D is exact, and a loan stored as repaid is
recomputed from the book as of D (repaid and defaulted never revert, so no other status can be one of them
on D). The computations are ``riskloop.monitoring.effect``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from riskloop.domain.effect import NONE, Decided
from riskloop.domain.outcome import DEFAULTED, LGD, REPAID, DecisionOutcome, loan_outcome
from riskloop.errors import NotFoundError, ValidationError
from riskloop.monitoring.effect import funnel, journeys, losses, vintage_curves
from riskloop.service.effect_ports import EffectSource
from riskloop.service.outcome_ports import LoanBook, OutcomeStore
from riskloop.service.outcomes import UPDATE_COMMAND

OPEN = "open"  # drawn, neither repaid nor defaulted on the day
IN_REVIEW = "in_review"  # the loss group of loans whose decision was not final on the day


class EffectTracker:
    """The effect report of the decisions on record as of a day."""

    def __init__(self, source: EffectSource, outcomes: OutcomeStore, book: LoanBook, lgd: float = LGD) -> None:
        self.source, self.outcomes, self.book, self.lgd = source, outcomes, book, lgd

    def report(self, as_of: dt.date) -> dict[str, Any]:
        """Funnel, vintage curves and losses as of ``as_of``; refused after the outcomes' last update."""
        last = self.outcomes.last_run()
        if last is None:
            raise NotFoundError(f"no outcomes stored yet (run: {UPDATE_COMMAND})")
        if as_of > last.as_of:
            raise ValidationError("as_of", f"outcomes are updated to {last.as_of}; run {UPDATE_COMMAND} first")
        loans = self.loans_on(as_of)
        decided = self.source.decisions(as_of)
        rows = journeys(self.source.applications(as_of), decided, loans, as_of)
        latest = {d.application_id: d for d in sorted(decided, key=lambda d: (d.decided_at, d.decision_id))}
        linked = [r for r in loans if r.outcome.application_id in latest]
        return {
            "as_of": as_of.isoformat(),
            "outcomes_updated_to": last.as_of.isoformat(),
            "lgd": self.lgd,
            "loans": len(loans),
            "loans_without_decision": len(loans) - len(linked),
            "note": _note(len(loans), len(linked)),
            "funnel": funnel(rows),
            "vintages": vintage_curves(loans, as_of),
            "loss": self._losses(linked, latest, as_of),
        }

    def _losses(self, loans: list[DecisionOutcome], latest: dict[str, Decided], day: dt.date) -> dict[str, Any]:
        def vintage(r: DecisionOutcome, _: Decided) -> str:
            return r.outcome.vintage

        def strategy(_: DecisionOutcome, d: Decided) -> str:
            return d.strategy

        def model(_: DecisionOutcome, d: Decided) -> str:
            return d.model

        def final(_: DecisionOutcome, d: Decided) -> str:
            return d.outcome_on(day) or IN_REVIEW  # the bank may lend on a declined or referred application

        overall = losses(loans, latest, day, self.lgd, lambda *_: "all")
        return {
            "definition": "expected: PD at decision × LGD × principal drawn; realised: LGD × principal defaulted",
            "overall": overall.get("all"),
            "by_vintage": losses(loans, latest, day, self.lgd, vintage),
            "by_strategy": losses(loans, latest, day, self.lgd, strategy),
            "by_model": losses(loans, latest, day, self.lgd, model),
            "by_decision": losses(loans, latest, day, self.lgd, final),
        }

    def loans_on(self, day: dt.date) -> list[DecisionOutcome]:
        """Every loan disbursed by ``day`` with its status on ``day`` (``open`` for current or delinquent)."""
        out: dict[str, DecisionOutcome] = {}
        recheck: list[str] = []
        for record in self.outcomes.all():
            o = record.outcome
            if o.disbursed_date > day:
                continue
            if o.first_bad_day is not None and o.first_bad_day <= day:
                status = DEFAULTED
            elif day >= o.as_of:
                status = o.status if o.status in (REPAID, DEFAULTED) else OPEN
            elif o.status == REPAID:
                recheck.append(o.loan_id)
                status = OPEN
            else:
                status = OPEN
            first_bad = o.first_bad_day if status == DEFAULTED else None
            view = dataclasses.replace(o, status=status, first_bad_day=first_bad, as_of=day)
            out[o.loan_id] = DecisionOutcome(view, record.decision)
        for rows in self.book.loans(recheck, day) if recheck else ():
            again = loan_outcome(rows.loan, rows.schedule, rows.payments, day)
            if again is not None and again.status == REPAID:
                stored = out[rows.loan.loan_id]
                out[rows.loan.loan_id] = dataclasses.replace(
                    stored, outcome=dataclasses.replace(stored.outcome, status=REPAID)
                )
        return [out[k] for k in sorted(out)]


def _note(loans: int, linked: int) -> str | None:
    if loans == linked:
        return None
    missing = loans - linked
    return (
        f"no stored decision for {missing:,} of {loans:,} loans: they count in the vintage curves, not in the "
        f"funnel's drawn or the losses (decided elsewhere, or before riskloop); "
        f"{NONE} groups hold applications without a stored decision"
    )
