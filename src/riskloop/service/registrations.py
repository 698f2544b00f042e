"""Screen registrations before they reach a decision: accept, ask for a second factor, or block, with reasons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

from riskloop.admission.keys import identifiers, registrant
from riskloop.admission.policy import Policy
from riskloop.admission.screen import Observation, record, screen
from riskloop.admission.state import Key, KeyState
from riskloop.domain.clock import Clock
from riskloop.domain.registration import Registration, Verdict
from riskloop.errors import ValidationError
from riskloop.service.registration_ports import ALLOWLIST_KINDS, Allowlist, VelocityStore

Keyer = Callable[[str, str], str]  # (kind, value) -> keyed token: what the state is stored under
SWEEP_EVERY = 10_000  # registrations between two sweeps of idle keys


class NoAllowlist:
    """An allow-list that lists nothing (no lists deployed)."""

    def allows(self, kind: str, value: str, at: dt.datetime) -> bool:
        """Nothing is listed."""
        return False


class RegistrationScreen:
    """The use case: one registration at a time, in arrival order, through the velocity store.

    Every attempt counts, blocked or not; keys idle beyond the policy's retention are forgotten, so the state
    stays bounded by the keys active within it (``expire`` every ``SWEEP_EVERY`` registrations).
    """

    def __init__(
        self,
        store: VelocityStore,
        clock: Clock,
        policy: Policy,
        keyer: Keyer,
        *,
        allowlist: Allowlist | None = None,
        infrastructure: Collection[str] = frozenset(),
    ) -> None:
        self._store, self._clock, self.policy, self._keyer = store, clock, policy, keyer
        self._allowlist = allowlist or NoAllowlist()
        self._infrastructure = frozenset(infrastructure)
        self._since_sweep = 0

    def screen(self, row: Mapping[str, Any]) -> Verdict:
        """Screen a registration given as a plain row (the API's body), arriving now."""
        return self.screen_registration(Registration.from_mapping(dict(row), self._clock.now()))

    def screen_registration(self, reg: Registration) -> Verdict:
        """Screen ``reg`` (at its own time) and record it."""
        obs = self.observe(reg)

        def step(states: Mapping[Key, KeyState | None]) -> tuple[dict[Key, KeyState], Verdict]:
            verdict = screen(obs, states, self.policy)
            return record(obs, verdict, states, self.policy), verdict

        verdict = self._store.update(obs.store_keys(), step)
        self._since_sweep += 1
        if self._since_sweep >= SWEEP_EVERY:
            self.expire(reg.at)
        return verdict

    def observe(self, reg: Registration) -> Observation:
        """What screening sees of ``reg``: its keys as tokens, and which of its values the allow-list holds."""
        raw = identifiers(reg, self.policy, self._infrastructure)
        allowed = frozenset(
            kind for kind in ALLOWLIST_KINDS if kind in raw and self._allowlist.allows(kind, raw[kind], reg.at)
        )
        return Observation(
            registration_id=reg.registration_id,
            at=int(reg.at.timestamp()),
            keys={kind: self._keyer(kind, value) for kind, value in raw.items()},
            enterprise=self._keyer("credit_code", reg.credit_code),
            registrant=self._keyer("registrant", registrant(reg)),
            rep=self._keyer("legal_rep_id", reg.legal_rep_id),
            allowed=allowed,
        )

    def expire(self, now: dt.datetime) -> int:
        """Forget keys idle for longer than the policy's retention before ``now``."""
        self._since_sweep = 0
        return self._store.expire(int(now.timestamp()) - self.policy.retention)


Replayed = tuple[int, Verdict | ValidationError]  # (row number, its verdict or why it was refused)


def replay(screen_: RegistrationScreen, rows: Iterable[Mapping[str, Any]]) -> Iterator[Replayed]:
    """Screen a registration log in time order, each row at its own ``registered_at`` (a timezone-aware datetime).

    A row that does not validate is yielded with its error and not screened; a row earlier than the one before
    it is such an error too (a log replays in time order).
    """
    latest: dt.datetime | None = None
    for number, row in enumerate(rows, start=1):
        try:
            at = row.get("registered_at")
            if not isinstance(at, dt.datetime):
                raise ValidationError("registered_at", "is required (a timestamp)")
            reg = Registration.from_mapping(dict(row), at)
            if latest is not None and reg.at < latest:
                raise ValidationError("registered_at", f"{reg.at.isoformat()} is before the row before it")
        except ValidationError as exc:
            yield number, exc
            continue
        latest = reg.at
        yield number, screen_.screen_registration(reg)
