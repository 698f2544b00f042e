"""WatchedCore: the core banking port, remembering how its exchanges went, for ``/readyz``'s ``core`` line.

The decision path never calls the core, so its state never makes the process unready: the line tells an operator
whether drawdowns are being paid. It is passive (what the drawdowns and reconciliations saw), so a readiness probe
never waits on the core's timeout nor sends it traffic of its own.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from riskloop.domain.clock import Clock
from riskloop.domain.disbursal import CoreAnswer, CoreStatus, Instruction
from riskloop.service.disbursal_ports import CoreBanking

NOT_CONFIGURED = "no core configured: drawdowns are refused (set RISKLOOP_CORE_URL and RISKLOOP_CORE_SECRET)"


@dataclass(frozen=True)
class CoreHealth:
    """The last answer and the run of exchanges without one since (its length, when it began, its last reason)."""

    answered_at: dt.datetime | None = None
    unanswered: int = 0
    unanswered_since: dt.datetime | None = None
    reason: str | None = None

    def after(self, answer: CoreAnswer, at: dt.datetime) -> CoreHealth:
        """This health once ``answer`` came back at ``at``."""
        if answer.status is not CoreStatus.UNANSWERED:  # a refusal or "unknown" is an answer: the core is there
            return CoreHealth(answered_at=at)
        since = self.unanswered_since or at
        return CoreHealth(self.answered_at, self.unanswered + 1, since, answer.reason or "no answer")

    def describe(self) -> str:
        """One line for an operator, in UTC."""
        if self.unanswered:
            return (
                f"no answer {self.unanswered} time(s) in a row since {_utc(self.unanswered_since)} "
                f"({self.reason}); drawdowns stay unconfirmed, reserved, until reconciled"
            )
        if self.answered_at is None:
            return "configured; not called since the process started"
        return f"configured; last answered at {_utc(self.answered_at)}"


class WatchedCore:
    """A ``CoreBanking`` that passes every call to ``core`` and keeps the ``CoreHealth`` of the answers."""

    def __init__(self, core: CoreBanking, clock: Clock) -> None:
        self.core, self.clock = core, clock
        self._health = CoreHealth()
        self._lock = threading.Lock()

    def disburse(self, instruction: Instruction) -> CoreAnswer:
        """The core's answer to ``instruction``, noted."""
        return self._noted(self.core.disburse(instruction))

    def status(self, instruction_id: str) -> CoreAnswer:
        """What the core knows of ``instruction_id``, noted."""
        return self._noted(self.core.status(instruction_id))

    def health(self) -> CoreHealth:
        """How the exchanges have gone since this process started."""
        with self._lock:
            return self._health

    def _noted(self, answer: CoreAnswer) -> CoreAnswer:
        at = self.clock.now()
        with self._lock:
            self._health = self._health.after(answer, at)
        return answer


def core_state(core: WatchedCore | None) -> str:
    """The ``core`` line of ``/readyz``: never raises (the core never makes the decision process unready)."""
    return NOT_CONFIGURED if core is None else core.health().describe()


def _utc(at: dt.datetime | None) -> str:
    if at is None:
        return "?"
    aware = at if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
