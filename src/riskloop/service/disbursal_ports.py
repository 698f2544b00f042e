"""The port to the bank's core system that pays out drawdowns (``service.drawdowns``).

Over HTTP: ``riskloop.connectors.core_banking``; in memory, scripted: ``riskloop.testing.fake_core``; a real
HTTP fake on loopback for tests and benchmarks: ``riskloop.testing.core_server``.
"""

from __future__ import annotations

from typing import Protocol

from riskloop.domain.disbursal import CoreAnswer, Instruction


class CoreBanking(Protocol):
    """The core system that moves money.

    The contract (``tests/conformance/test_core_banking.py``): it never raises; the same ``instruction_id`` is
    paid at most once however often it is sent (a repeat answers as the first did); no answer in time, a
    network failure or a reply that is not an answer is ``CoreStatus.UNANSWERED`` with the reason.
    """

    def disburse(self, instruction: Instruction) -> CoreAnswer:
        """Send ``instruction``; the core's answer (``UNANSWERED`` when none came in time)."""
        ...

    def status(self, instruction_id: str) -> CoreAnswer:
        """What the core knows of ``instruction_id`` now (``UNKNOWN``: never received; ``UNANSWERED``: no answer)."""
        ...
