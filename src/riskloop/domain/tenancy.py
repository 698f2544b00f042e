"""Tenancy of channels: who reads a decision, and that nobody reviews an application they submitted (ADR 0014).

A decision belongs to the channel principal that posted it (its ``owner``). Reviewers and auditors read every
decision; a channel reads its own champion decisions only. Anything else reads as missing: a NotFoundError
with the same message as an unknown id, so a channel cannot learn that another channel's decision exists.
"""

from __future__ import annotations

from riskloop.domain.access import AUDITOR, REVIEWER, Principal
from riskloop.domain.decision_record import CHAMPION
from riskloop.errors import ForbiddenError, NotFoundError

SEE_EVERY_DECISION = (REVIEWER, AUDITOR)  # the internal roles that read decisions


def missing(decision_id: str) -> NotFoundError:
    """The one answer for a decision that does not exist or that the reader may not see."""
    return NotFoundError(f"decision {decision_id} does not exist")


def visible(principal: Principal, decision_id: str, owner: str | None, role: str = CHAMPION) -> None:
    """Nothing when ``principal`` may read the decision; else the NotFoundError of a missing decision.

    Shadow decisions are never returned to a channel, and a decision without an owner (decided before
    owners were stored) is for the internal roles only.
    """
    if not principal.roles.isdisjoint(SEE_EVERY_DECISION):
        return
    if owner is None or owner != principal.name or role != CHAMPION:
        raise missing(decision_id)


def not_own(reviewer: str, owner: str | None, what: str, field: str = "reviewer") -> None:
    """A ForbiddenError when ``reviewer`` is the channel principal that submitted the application."""
    if owner is not None and owner == reviewer:
        raise ForbiddenError(
            f"{what}: {reviewer} submitted this application; nobody reviews an application they submitted",
            field=field,
        )
