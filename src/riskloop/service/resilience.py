"""Circuit breaker, token bucket and jittered backoff on the injected clock and a seeded generator (ADR 0027).

Small on purpose: the maintained libraries read the system clock themselves (``time.monotonic``), which a test
cannot move and a replay cannot pin; these read ``Clock.now()`` and draw jitter from a ``numpy`` Generator.
"""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np

from riskloop.domain.clock import Clock
from riskloop.domain.source_settings import Backoff, Breaker, RateLimit

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    """Closed → open after N consecutive failures → half-open (one trial) after the reset time → closed on success."""

    def __init__(self, settings: Breaker, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self._lock = threading.Lock()
        self.failures = 0
        self.opened_at: dt.datetime | None = None
        self._trial = False  # a half-open trial is in flight

    def state(self) -> str:
        """``closed``, ``open`` or ``half_open`` now."""
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self.opened_at is None:
            return CLOSED
        waited = (self.clock.now() - self.opened_at).total_seconds()
        return HALF_OPEN if waited >= self.settings.reset_after_seconds else OPEN

    def allow(self) -> bool:
        """Whether a call may go out now (in half-open, only the one trial)."""
        with self._lock:
            state = self._state()
            if state == CLOSED:
                return True
            if state == HALF_OPEN and not self._trial:
                self._trial = True
                return True
            return False

    def success(self) -> None:
        """A call succeeded: close."""
        with self._lock:
            self.failures, self.opened_at, self._trial = 0, None, False

    def failure(self) -> None:
        """A call failed: open at the threshold, or again after a failed trial."""
        with self._lock:
            self.failures += 1
            if self._trial or self.failures >= self.settings.failures_to_open:
                self.opened_at, self._trial = self.clock.now(), False

    def retry_after(self) -> float:
        """Seconds until a trial is allowed (0 when closed or half-open)."""
        with self._lock:
            if self.opened_at is None:
                return 0.0
            waited = (self.clock.now() - self.opened_at).total_seconds()
            return max(0.0, self.settings.reset_after_seconds - waited)


class TokenBucket:
    """``burst`` tokens refilled at ``per_second``; a call takes one or is refused (never queued)."""

    def __init__(self, settings: RateLimit, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self._lock = threading.Lock()
        self.tokens = float(settings.burst)
        self._at = clock.now()

    def take(self) -> bool:
        """Take one token if there is one."""
        with self._lock:
            self._refill()
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False

    def available(self) -> float:
        """Tokens available now."""
        with self._lock:
            self._refill()
            return self.tokens

    def _refill(self) -> None:
        now = self.clock.now()
        elapsed = max(0.0, (now - self._at).total_seconds())
        self.tokens = min(float(self.settings.burst), self.tokens + elapsed * self.settings.per_second)
        self._at = now


def backoff_delay(settings: Backoff, attempt: int, rng: np.random.Generator) -> float:
    """Seconds to wait after failed attempt ``attempt`` (0-based): capped exponential, scaled by jitter."""
    ceiling = min(settings.max_seconds, settings.base_seconds * 2.0**attempt)
    return float(ceiling * (1.0 - settings.jitter * rng.random()))
