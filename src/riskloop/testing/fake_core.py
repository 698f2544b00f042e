"""FakeCore: the CoreBanking port in memory, scripted per call or per instruction, counting every payout.

Modes: ``accept`` (confirmed, ``CORE-<n>``), ``reject`` (refused with ``reason``), ``pending`` (received; the test
settles it with ``settle``), ``timeout`` (received and paid but the answer is lost: ``UNANSWERED`` now, confirmed
to ``status``), ``unreceived`` (``UNANSWERED`` and never seen: ``status`` is ``UNKNOWN``), ``twice`` (confirmed,
its callback queued twice, as a core that retries its post-back does). A repeat of a received id answers its
current state and never pays again, whatever the mode. Every settlement queues the answer the core would post
back in ``callbacks`` for the test to deliver. ``CoreServer`` keeps its books in one of these.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass

from riskloop.domain.clock import Clock, SystemClock
from riskloop.domain.disbursal import CoreAnswer, CoreStatus, Instruction

MODES = ("accept", "reject", "pending", "timeout", "unreceived", "twice")
LOST = "timeout"  # the reason of an answer the caller never got: it cannot tell "paid" from "never arrived"

Notify = Callable[[list[CoreAnswer]], None]  # told the callbacks of each settlement, outside the lock


@dataclass(frozen=True)
class Receipt:
    """What the core did with one instruction: its answer (``None``: never received), whether it was new."""

    answer: CoreAnswer | None
    first: bool
    mode: str


def checked_mode(mode: str) -> str:
    """``mode`` if it is one of ``MODES`` (a typo in a test script must fail loudly, not accept)."""
    if mode not in MODES:
        raise ValueError(f"unknown core mode {mode!r}; valid: {', '.join(MODES)}")
    return mode


class FakeCore:
    """The core's books in memory; thread-safe; ``payments`` counts payouts per instruction id (never above 1)."""

    def __init__(
        self,
        mode: str = "accept",
        reason: str = "account frozen",
        latency: float = 0.0,
        clock: Clock | None = None,
        notify: Notify | None = None,
    ) -> None:
        self.mode = mode
        self.reason = reason
        self.latency = latency
        self.payments: Counter[str] = Counter()
        self.sent: list[Instruction] = []
        self.callbacks: list[CoreAnswer] = []
        self._answers: dict[str, CoreAnswer] = {}
        self._queued: deque[str] = deque()
        self._per_instruction: dict[str, str] = {}
        self._refs = 0
        self._clock: Clock = clock or SystemClock()
        self._notify = notify
        self._lock = threading.Lock()

    @property
    def mode(self) -> str:
        """The mode of every call that no script names."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        self._mode = checked_mode(mode)

    def script(self, *modes: str) -> None:
        """Answer the next new instructions in these modes, one each, then in ``mode`` again."""
        with self._lock:
            self._queued.extend(checked_mode(m) for m in modes)

    def script_for(self, instruction_id: str, mode: str) -> None:
        """Answer ``instruction_id`` in ``mode`` whenever it arrives new (before any per-call script)."""
        with self._lock:
            self._per_instruction[instruction_id] = checked_mode(mode)

    def disburse(self, instruction: Instruction) -> CoreAnswer:
        """The port: the answer the caller gets (a lost or never-received one is ``UNANSWERED``)."""
        self._wait()
        receipt = self.receive(instruction)
        if receipt.answer is None or (receipt.first and receipt.mode == "timeout"):
            return CoreAnswer(instruction.instruction_id, CoreStatus.UNANSWERED, reason=LOST)
        return receipt.answer

    def status(self, instruction_id: str) -> CoreAnswer:
        """The port: the instruction's current state, ``UNKNOWN`` when never received."""
        self._wait()
        return self.answer(instruction_id)

    def answer(self, instruction_id: str) -> CoreAnswer:
        """The current state of ``instruction_id`` on the core's books."""
        with self._lock:
            return self._answers.get(instruction_id) or CoreAnswer(instruction_id, CoreStatus.UNKNOWN)

    def receive(self, instruction: Instruction) -> Receipt:
        """Book ``instruction`` as its mode says, or answer a repeat with its current state (paying nothing)."""
        key = instruction.instruction_id
        with self._lock:
            known = self._answers.get(key)
            if known is not None:
                return Receipt(known, first=False, mode="repeat")
            mode = self._next_mode(key)
            if mode == "unreceived":
                return Receipt(None, first=True, mode=mode)
            self.sent.append(instruction)
            answer, posted = self._book(key, mode)
        self._post(posted)
        return Receipt(answer, first=True, mode=mode)

    def settle(self, instruction_id: str, confirmed: bool = True) -> CoreAnswer:
        """Settle a pending instruction (paid, or refused with ``reason``); a settled one stays as it is."""
        with self._lock:
            current = self._answers.get(instruction_id)
            if current is None:
                raise KeyError(f"the core never received {instruction_id!r}")
            if current.status is not CoreStatus.PENDING:
                return current
            answer, posted = self._book(instruction_id, "accept" if confirmed else "reject")
        self._post(posted)
        return answer

    def _next_mode(self, instruction_id: str) -> str:
        if instruction_id in self._per_instruction:
            return self._per_instruction[instruction_id]
        return self._queued.popleft() if self._queued else self._mode

    def _book(self, instruction_id: str, mode: str) -> tuple[CoreAnswer, list[CoreAnswer]]:
        """Record the state ``mode`` leads to (under the lock); the answer and the callbacks it posts."""
        if mode == "pending":
            answer = CoreAnswer(instruction_id, CoreStatus.PENDING)
        elif mode == "reject":
            answer = CoreAnswer(instruction_id, CoreStatus.REJECTED, reason=self.reason, at=self._clock.now())
        else:  # accept, timeout, twice: the money moves
            self._refs += 1
            self.payments[instruction_id] += 1
            answer = CoreAnswer(instruction_id, CoreStatus.CONFIRMED, f"CORE-{self._refs}", at=self._clock.now())
        self._answers[instruction_id] = answer
        posted = [] if mode == "pending" else [answer] * (2 if mode == "twice" else 1)
        self.callbacks.extend(posted)
        return answer, posted

    def _post(self, posted: list[CoreAnswer]) -> None:
        if posted and self._notify is not None:
            self._notify(posted)

    def _wait(self) -> None:
        if self.latency > 0:
            time.sleep(self.latency)
