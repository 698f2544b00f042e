"""Screen registrations before they reach a decision: accept, ask for a second factor, or block, with reasons.

A block does not end at the sign-up: the registration's personal identifiers (credit code, phone, device, legal
representative; not a white-listed one, not an own channel's device) are grey-listed on the bank's lists for the
policy's ``hold`` days, one audited list version per block (source ``registration_screen``, provenance the
registration id and its reasons). A later application using any of them is referred with ``LIST_GREY`` by the
lists' screen on the decision path (``service.list_floor``), never approved unseen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from riskloop.admission.keys import identifiers, registrant
from riskloop.admission.policy import Policy
from riskloop.admission.screen import Observation, record, screen
from riskloop.admission.state import Key, KeyState
from riskloop.domain.clock import Clock
from riskloop.domain.lists import BLACK, GREY, ListEntry, new_entry
from riskloop.domain.registration import BLOCK, Registration, Verdict
from riskloop.errors import ValidationError
from riskloop.service.registration_ports import (
    ALLOWLIST_KINDS,
    ActivePolicy,
    Allowlist,
    HoldList,
    PolicySource,
    VelocityStore,
)

Keyer = Callable[[str, str], str]  # (kind, value) -> keyed token: what the state is stored under
SWEEP_EVERY = 10_000  # registrations between two sweeps of idle keys
HOLD_SOURCE, HOLD_ACTION = "registration_screen", "registration.block"  # a block's list entries and audit rows


class NoAllowlist:
    """An allow-list that lists nothing (no lists deployed)."""

    def allows(self, kind: str, value: str, at: dt.datetime) -> bool:
        """Nothing is listed."""
        return False


class FixedPolicy:
    """One policy for good: a file given with ``--policy``, or the shipped one (a replay, tests)."""

    def __init__(self, policy: Policy, source: str = "given") -> None:
        self._active = ActivePolicy(policy, source)

    def current(self) -> ActivePolicy:
        """The policy."""
        return self._active


class RegistrationScreen:
    """The use case: one registration at a time, in arrival order, through the velocity store.

    Every attempt counts, blocked or not; keys idle beyond the policy's retention are forgotten, so the state
    stays bounded by the keys active within it (``expire`` every ``SWEEP_EVERY`` registrations). ``policy`` is
    one policy, or a source asked on every registration (the registry's active version: a release takes effect
    without a restart). With ``holds`` a block grey-lists the registration's identifiers (module doc).
    """

    def __init__(
        self,
        store: VelocityStore,
        clock: Clock,
        policy: Policy | PolicySource,
        keyer: Keyer,
        *,
        allowlist: Allowlist | None = None,
        infrastructure: Collection[str] = frozenset(),
        holds: HoldList | None = None,
    ) -> None:
        self._store, self._clock, self._keyer = store, clock, keyer
        self._policies: PolicySource = FixedPolicy(policy) if isinstance(policy, Policy) else policy
        self._allowlist = allowlist or NoAllowlist()
        self._infrastructure = frozenset(infrastructure)
        self._holds = holds
        self._since_sweep = 0

    @property
    def policy(self) -> Policy:
        """The thresholds in force now."""
        return self._policies.current().policy

    def policy_state(self) -> str:
        """One line for ``/readyz``: the thresholds in force and where they come from; never raises."""
        try:
            return f"registrations screened under {self._policies.current().label}"
        except Exception as exc:  # informational: a broken policy answers 503 on /v1/registrations, not here
            return f"registration policy unusable: {exc}"

    def screen(self, row: Mapping[str, Any]) -> Verdict:
        """Screen a registration given as a plain row (the API's body), arriving now."""
        return self.screen_registration(Registration.from_mapping(dict(row), self._clock.now()))

    def screen_registration(self, reg: Registration) -> Verdict:
        """Screen ``reg`` (at its own time) and record it; a block holds its identifiers on the lists."""
        active = self._policies.current()
        policy = active.policy
        obs = self.observe(reg, policy)

        def step(states: Mapping[Key, KeyState | None]) -> tuple[dict[Key, KeyState], Verdict]:
            verdict = screen(obs, states, policy)
            return record(obs, verdict, states, policy), verdict

        verdict = replace(self._store.update(obs.store_keys(), step), policy=active.label)
        if verdict.outcome == BLOCK and self._holds is not None and policy.hold_days > 0:
            verdict = replace(verdict, held=self._hold(self._holds, reg, verdict, obs, policy))
        self._since_sweep += 1
        if self._since_sweep >= SWEEP_EVERY:
            self.expire(reg.at)
        return verdict

    def _hold(
        self, holds: HoldList, reg: Registration, verdict: Verdict, obs: Observation, policy: Policy
    ) -> tuple[str, ...]:
        """Grey-list what ``reg`` was blocked with (one audited list version); the kinds newly listed."""
        wanted = hold_entries(reg, verdict, policy, identifiers(reg, policy, self._infrastructure), obs.allowed)
        found = holds.find([(e.match_kind, e.value or "") for e in wanted])
        listed = [e for e in wanted if any(
            x.list_kind in (GREY, BLACK) and x.in_force(reg.at) for x in found.get((e.match_kind, e.value or ""), ())
        )]  # fmt: skip
        new = [e for e in wanted if e not in listed]
        detail = {"registration_id": reg.registration_id, "reasons": list(verdict.reasons), "policy": verdict.policy,
                  "held": [e.identifier_kind for e in new],
                  "already_listed": [e.identifier_kind for e in listed]}  # fmt: skip
        holds.save(new, action=HOLD_ACTION, actor=HOLD_SOURCE, at=reg.at, detail=detail)
        return tuple(e.identifier_kind for e in new)

    def observe(self, reg: Registration, policy: Policy | None = None) -> Observation:
        """What screening sees of ``reg``: its keys as tokens, and which of its values the allow-list holds."""
        raw = identifiers(reg, policy or self.policy, self._infrastructure)
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


def hold_entries(
    reg: Registration, verdict: Verdict, policy: Policy, raw: Mapping[str, str], allowed: Collection[str]
) -> list[ListEntry]:
    """The grey entries a block of ``reg`` asks for.

    The policy's hold kinds among ``raw`` (what was screened: an own channel's device is not), less the
    white-listed ones; a value the lists cannot hold is left out.
    """
    reasons = ", ".join(verdict.reasons)
    provenance = {"registration_id": reg.registration_id, "reasons": reasons, "policy": verdict.policy}
    out = []
    for kind in policy.hold_kinds:
        if kind not in raw or kind in allowed:
            continue
        try:
            out.append(new_entry(
                GREY, kind, raw[kind], reason=f"registration blocked: {reasons}"[:200], source=HOLD_SOURCE,
                provenance=provenance, valid_from=reg.at, expires_at=reg.at + dt.timedelta(days=policy.hold_days),
            ))  # fmt: skip
        except ValidationError:
            continue
    return out


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
