"""Effect tracking as pure computations (issue 14): the funnel, vintage curves, expected against realised loss.

Everything is as of one day D and reads only what its inputs hold; the use case (``service.effect``) gives
the applications and decisions on record by D and each drawn loan's outcome *as of D* (its status exact then).

- **Funnel** per application: applied → decided → approved → drawn → repaid / defaulted, by channel, tier,
  strategy and model version. An application counts as drawn when approved and a loan was disbursed on it;
  a loan on an application the decision declined (or still in review) is counted apart
  (``drawn_not_approved``), as is a loan with no stored decision at all (``loans_without_decision``).
- **Vintage curves**: per disbursal month, the cumulative bad rate at k months on book among the loans whose
  k-th month has passed by D (bad: ``domain.outcome``; at k = 3, 6, 12 the same figures as the outcome summary).
- **Loss**: expected = PD at decision × LGD × principal drawn; realised = LGD × principal of the loans
  defaulted by D, over the loans with a PD; also over the loans matured at 12 months (realised: bad by 12).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from riskloop.domain.effect import APPROVED, NONE, Applied, Decided
from riskloop.domain.outcome import DEFAULTED, REPAID, DecisionOutcome, add_months

STAGES = ("applied", "decided", "approved", "drawn", "repaid", "defaulted")
MAX_MONTHS = 24  # months on book drawn on the vintage curves
FUNNEL_GROUPS = ("channel", "tier", "strategy", "model")
LOSS_HORIZON = 12  # months on book of the matured loss comparison


@dataclass(frozen=True)
class Journey:
    """One application's way through the funnel as of a day."""

    application_id: str
    channel: str
    tier: str
    strategy: str
    model: str
    decided: bool
    approved: bool
    in_review: bool
    drawn: bool  # approved and a loan disbursed
    drawn_not_approved: bool  # a loan on a declined application, or one still in review
    repaid: bool
    defaulted: bool


def journeys(
    applied: Iterable[Applied], decided: Iterable[Decided], loans: Iterable[DecisionOutcome], day: dt.date
) -> list[Journey]:
    """Each application on record by ``day`` (applied or decided by then) with its stages as of ``day``.

    ``loans`` are outcomes as of ``day`` (disbursed by it); an application is repaid when all its loans
    are, defaulted when any is.
    """
    apps = {a.application_id: a for a in applied if a.applied_on <= day}
    decisions = _latest(d for d in decided if d.decided_at.date() <= day)
    drawn: dict[str, list[DecisionOutcome]] = defaultdict(list)
    for loan in loans:
        if loan.outcome.disbursed_date <= day:
            drawn[loan.outcome.application_id].append(loan)
    out = []
    for app_id in sorted(apps.keys() | decisions.keys()):
        d, a = decisions.get(app_id), apps.get(app_id)
        outcome = None if d is None else d.outcome_on(day)
        approved, has_loan = outcome == APPROVED, bool(drawn.get(app_id))
        statuses = [r.outcome.status for r in drawn.get(app_id, ())]
        channel = d.channel if d is not None and d.channel else (a.channel if a is not None else None)
        out.append(
            Journey(
                app_id,
                channel or NONE,
                NONE if d is None else d.tier,
                NONE if d is None else d.strategy,
                NONE if d is None else d.model,
                d is not None,
                approved,
                d is not None and outcome is None,
                approved and has_loan,
                d is not None and has_loan and not approved,
                approved and has_loan and all(s == REPAID for s in statuses),
                approved and has_loan and any(s == DEFAULTED for s in statuses),
            )
        )
    return out


def _latest(decided: Iterable[Decided]) -> dict[str, Decided]:
    out: dict[str, Decided] = {}
    for d in sorted(decided, key=lambda d: (d.decided_at, d.decision_id)):
        out[d.application_id] = d  # the latest champion decision of an application wins (as outcomes link it)
    return out


def funnel_counts(rows: Sequence[Journey]) -> dict[str, Any]:
    """Counts of each stage and the rate of each stage over the one before it."""
    counts = {
        "applied": len(rows),
        "decided": sum(r.decided for r in rows),
        "in_review": sum(r.in_review for r in rows),
        "approved": sum(r.approved for r in rows),
        "drawn": sum(r.drawn for r in rows),
        "repaid": sum(r.repaid for r in rows),
        "defaulted": sum(r.defaulted for r in rows),
        "drawn_not_approved": sum(r.drawn_not_approved for r in rows),
    }
    rates = {
        "decided_rate": _rate(counts["decided"], counts["applied"]),
        "approval_rate": _rate(counts["approved"], counts["decided"]),
        "draw_rate": _rate(counts["drawn"], counts["approved"]),
        "repaid_rate": _rate(counts["repaid"], counts["drawn"]),
        "default_rate": _rate(counts["defaulted"], counts["drawn"]),
    }
    return counts | rates


def funnel(rows: Sequence[Journey]) -> dict[str, Any]:
    """The funnel overall and by channel, tier, strategy and model version."""
    out: dict[str, Any] = {"overall": funnel_counts(rows)}
    for name in FUNNEL_GROUPS:
        groups: dict[str, list[Journey]] = defaultdict(list)
        for r in rows:
            groups[getattr(r, name)].append(r)
        out[f"by_{name}"] = {k: funnel_counts(v) for k, v in sorted(groups.items())}
    return out


def vintage_curves(
    loans: Iterable[DecisionOutcome], day: dt.date, max_months: int = MAX_MONTHS
) -> dict[str, list[dict[str, Any]]]:
    """Per disbursal month, the cumulative bad rate at 1..``max_months`` months on book (matured loans only).

    A point at k months has the loans whose k-th month on book ended by ``day`` (``matured``) and those of
    them bad by then; months no loan of the vintage has reached are left out.
    """
    by_vintage: dict[str, list[DecisionOutcome]] = defaultdict(list)
    for loan in loans:
        if loan.outcome.disbursed_date <= day:
            by_vintage[loan.outcome.vintage].append(loan)
    out: dict[str, list[dict[str, Any]]] = {}
    for vintage, members in sorted(by_vintage.items()):
        points = []
        for k in range(1, max_months + 1):
            ends = [(add_months(m.outcome.disbursed_date, k), m.outcome.first_bad_day) for m in members]
            matured = [(end, bad) for end, bad in ends if end <= day]
            if not matured:
                break
            bad = sum(first is not None and first <= end for end, first in matured)
            points.append({"months_on_book": k, "matured": len(matured), "bad": bad, "bad_rate": bad / len(matured)})
        out[vintage] = points
    return out


def losses(
    loans: Iterable[DecisionOutcome],
    decided: Mapping[str, Decided],
    day: dt.date,
    lgd: float,
    key: Callable[[DecisionOutcome, Decided], str],
) -> dict[str, dict[str, Any]]:
    """Expected (PD × LGD × principal) against realised (LGD × principal defaulted by ``day``) loss, by ``key``.

    Only loans whose application has a stored decision with a PD are priced; ``decided`` maps application id
    to that decision. ``matured_12m`` compares the same over the loans whose 12th month on book has passed,
    realised counting those bad by then.
    """
    groups: dict[str, list[tuple[DecisionOutcome, Decided]]] = defaultdict(list)
    for loan in loans:
        d = decided.get(loan.outcome.application_id)
        if d is not None and d.pd is not None and loan.outcome.disbursed_date <= day:
            groups[key(loan, d)].append((loan, d))
    return {name: _loss(members, day, lgd) for name, members in sorted(groups.items())}


def _loss(members: Sequence[tuple[DecisionOutcome, Decided]], day: dt.date, lgd: float) -> dict[str, Any]:
    def expected(rows: Sequence[tuple[DecisionOutcome, Decided]]) -> float:
        return sum((d.pd or 0.0) * lgd * r.outcome.principal_cents for r, d in rows)

    defaulted = [r for r, _ in members if r.outcome.status == DEFAULTED]
    matured = [(r, d) for r, d in members if add_months(r.outcome.disbursed_date, LOSS_HORIZON) <= day]
    bad = [r for r, _ in matured if _bad_by(r, LOSS_HORIZON)]
    return {
        "loans": len(members),
        "principal_cents": sum(r.outcome.principal_cents for r, _ in members),
        "expected_loss_cents": round(expected(members)),
        "defaulted": len(defaulted),
        "realised_loss_cents": round(lgd * sum(r.outcome.principal_cents for r in defaulted)),
        f"matured_{LOSS_HORIZON}m": {
            "loans": len(matured),
            "expected_loss_cents": round(expected(matured)),
            "bad": len(bad),
            "realised_loss_cents": round(lgd * sum(r.outcome.principal_cents for r in bad)),
        },
    }


def _bad_by(record: DecisionOutcome, months: int) -> bool:
    first = record.outcome.first_bad_day
    return first is not None and first <= add_months(record.outcome.disbursed_date, months)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
