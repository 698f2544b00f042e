"""Screen one registration against the keys' windows, then record it: pure functions over ``KeyState``s.

Two kinds of evidence, as ``graph/linking.py`` judges shared identifiers:

- **personal identifiers** (phone, device, legal representative, credit code): an honest party rarely shares
  them, so distinct parties within a window are counted against fixed limits (a family's two firms on one phone
  are a second factor, four are a block);
- **attributes shared by nature** (an IP and its network, a range of phone numbers, a device model, a batch of
  credit codes): offices, carrier pools and popular phones share them honestly, so they count only as a *burst*:
  distinct parties within a window well above the value's own baseline (its earlier rate), scaled by the
  platform's surge (a campaign day raises every value). Alone they ask for a second factor, never a block.

Points add up over the evidence (one figure per identifier and per family of shared attributes); the policy's
thresholds turn them into accept, step-up or block. Allow-listed values give no evidence, and a known customer
(an allow-listed enterprise, or one with a clean history under the same legal representative) is relaxed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from riskloop.admission.policy import IdentifierRule, Policy, SharedRule
from riskloop.admission.state import HOUR, Key, KeyState
from riskloop.domain.registration import ACCEPT, BLOCK, STEP_UP, Verdict

PLATFORM: Key = ("platform", "all")  # every registration: the surge of a campaign day
IDENTIFIER_REASONS = {
    "phone": "REG_VELOCITY_PHONE",
    "device_id": "REG_VELOCITY_DEVICE",
    "legal_rep_id": "REG_VELOCITY_LEGAL_REP",
    "credit_code": "REG_VELOCITY_CREDIT_CODE",
}
FAMILY_REASONS = {
    "network": "REG_BURST_NETWORK",
    "phone_range": "REG_BURST_PHONE_RANGE",
    "device_model": "REG_BURST_DEVICE_MODEL",
    "code_batch": "REG_BURST_CODE_BATCH",
}
SHARED_REASON = "REG_BURST_SHARED"  # a family a bank added to its policy
RELAXED_ALLOWLIST, RELAXED_CUSTOMER = "REG_RELAXED_ALLOWLIST", "REG_RELAXED_KNOWN_CUSTOMER"
_ALLOW_COVERS = {"ip": ("ip", "ip_subnet")}  # an allow-listed address covers its network too


@dataclass(frozen=True)
class Observation:
    """One registration as screening sees it: keyed values only, never the identifiers themselves."""

    registration_id: str
    at: int  # epoch second
    keys: dict[str, str]  # kind -> keyed value
    enterprise: str  # the keyed credit code: a party on personal identifiers
    registrant: str  # the keyed phone and device: a party on the credit code
    rep: str  # the keyed legal representative
    allowed: frozenset[str] = frozenset()  # kinds whose value the allow-list holds

    def store_keys(self) -> list[Key]:
        """Every key whose state screening reads and recording writes."""
        return [*self.keys.items(), PLATFORM]

    def party(self, rule: IdentifierRule) -> str:
        """The party a use of ``rule``'s identifier is counted as."""
        return self.enterprise if rule.party == "enterprise" else self.registrant


@dataclass(frozen=True)
class Signal:
    """One piece of evidence: its reason code, where it was seen, how many parties, and its points."""

    reason: str
    kind: str
    window: str
    parties: int
    points: int
    expected: float | None = None

    def to_dict(self) -> dict[str, object]:
        """Plain-JSON form."""
        out: dict[str, object] = {"reason": self.reason, "kind": self.kind, "window": self.window}
        out |= {"parties": self.parties, "points": self.points}
        if self.expected is not None:
            out["expected"] = round(self.expected, 3)
        return out


def _dropped(allowed: frozenset[str]) -> set[str]:
    return {k for a in allowed for k in _ALLOW_COVERS.get(a, (a,))}


def _identifier_signal(obs: Observation, rule: IdentifierRule, state: KeyState, policy: Policy) -> Signal | None:
    best: Signal | None = None
    for limit in rule.limits:
        n = state.parties(obs.at, limit.seconds, obs.party(rule))
        level = "identifier_block" if n >= limit.block else "identifier_step_up" if n >= limit.step_up else None
        if level is None:
            continue
        signal = Signal(IDENTIFIER_REASONS[rule.kind], rule.kind, limit.window, n, policy.points[level])
        if best is None or (signal.points, signal.parties) > (best.points, best.parties):
            best = signal
    return best


def surge(platform: KeyState, at: int, window: int, observed: int, rule: SharedRule) -> float:
    """How far the platform's rate within ``window`` (at least an hour) lies above its rate over ``observed``."""
    span = max(window, HOUR)
    now = platform.bucket_total(at, span, HOUR)
    prior = platform.bucket_total(at, observed, HOUR) - now
    expected = prior / max(observed - span, span) * span
    return 1.0 if expected <= 0 else min(max(now / expected, 1.0), rule.max_surge)


def poisson_tail(n: int, mean: float) -> float:
    """P(X >= n) for X ~ Poisson(mean): how surprising ``n`` parties are where ``mean`` were expected."""
    if mean <= 0:
        return 0.0 if n > 0 else 1.0
    term = total = math.exp(-mean)
    for k in range(1, n):
        term *= mean / k
        total += term
    return max(1.0 - total, 0.0)


def _shared_signal(
    obs: Observation, kind: str, family: str, state: KeyState, *, platform: KeyState | None, policy: Policy
) -> Signal | None:
    """A burst on a shared attribute: far more parties within a window than its earlier rate and chance explain.

    The earlier rate is the value's over the baseline, or over as long as the platform has been watched when
    that is shorter (a new deployment); a platform watched for less than twice the window, or than
    ``min_history``, judges no burst.
    """
    rule, best = policy.shared, None
    if platform is None or not platform.buckets:
        return None
    observed = min(rule.baseline, obs.at - min(platform.buckets) * HOUR)
    for name, seconds in rule.windows:
        n = state.parties(obs.at, seconds, obs.enterprise)
        if n < rule.min_parties or observed < max(2 * seconds, rule.min_history):
            continue
        prior = max(state.bucket_total(obs.at, observed, 86_400) - state.uses(obs.at, seconds), 0)
        # one use more than seen (add-one): a value new to the platform is rare, not impossible
        rate = (prior + 1) / (observed - seconds)
        expected = rate * seconds * surge(platform, obs.at, seconds, observed, rule)
        if n < rule.ratio * expected or poisson_tail(n, expected) > rule.alpha:
            continue
        strong = (
            n >= rule.min_parties * rule.strong_factor and poisson_tail(n, expected * rule.strong_factor) <= rule.alpha
        )
        points = policy.points["shared_strong" if strong else "shared"]
        signal = Signal(FAMILY_REASONS.get(family, SHARED_REASON), kind, name, n, points, expected)
        if best is None or (signal.points, signal.parties) > (best.points, best.parties):
            best = signal
    return best


def known_customer(obs: Observation, states: Mapping[Key, KeyState | None], policy: Policy) -> bool:
    """An enterprise registered without a block for ``clean_days`` under the same legal representative."""
    state = states.get(("credit_code", obs.keys.get("credit_code", "")))
    if state is None or state.clean_since is None or state.owner != obs.rep:
        return False
    return state.clean_since <= obs.at - policy.clean_seconds


def evidence(obs: Observation, states: Mapping[Key, KeyState | None], policy: Policy) -> list[Signal]:
    """Every signal of ``obs``: at most one per personal identifier and one per family of shared attributes."""
    dropped = _dropped(obs.allowed)
    out: list[Signal] = []
    for rule in policy.identifiers:
        state = states.get((rule.kind, obs.keys.get(rule.kind, "")))
        if rule.kind in obs.keys and rule.kind not in dropped and state is not None:
            signal = _identifier_signal(obs, rule, state, policy)
            out += [signal] if signal else []
    platform = states.get(PLATFORM)
    for family, kinds in policy.shared.families.items():
        found = [
            _shared_signal(obs, kind, family, state, platform=platform, policy=policy)
            for kind in kinds
            if kind in obs.keys and kind not in dropped and (state := states.get((kind, obs.keys[kind]))) is not None
        ]
        fired = [s for s in found if s is not None]
        if fired:
            out.append(max(fired, key=lambda s: (s.points, s.parties)))
    return sorted(out, key=lambda s: -s.points)


def weigh(signals: list[Signal], policy: Policy) -> int:
    """The points of the evidence: the strongest personal identifier plus the shared attributes', capped.

    A household's phone and device are one registrant: their repeats are one piece of evidence. Shared attributes
    alone never block (``shared_cap`` lies below the block).
    """
    personal = max((s.points for s in signals if s.kind in IDENTIFIER_REASONS), default=0)
    shared = sum(s.points for s in signals if s.kind not in IDENTIFIER_REASONS)
    return personal + min(shared, policy.points["shared_cap"])


def screen(obs: Observation, states: Mapping[Key, KeyState | None], policy: Policy) -> Verdict:
    """The outcome of ``obs`` given the states of its keys before it (``Observation.store_keys``)."""
    signals = evidence(obs, states, policy)
    points = weigh(signals, policy)
    relaxed: tuple[str, ...] = ()
    if points and "credit_code" in obs.allowed:
        relaxed = (RELAXED_ALLOWLIST,)
    elif points and known_customer(obs, states, policy):
        relaxed = (RELAXED_CUSTOMER,)
    if relaxed:
        points = max(points - policy.relax_points, 0)
    outcome = BLOCK if points >= policy.points["block"] else STEP_UP if points >= policy.points["step_up"] else ACCEPT
    reasons = tuple(dict.fromkeys(s.reason for s in signals)) + relaxed
    return Verdict(obs.registration_id, outcome, reasons, points, tuple(s.to_dict() for s in signals))


def record(
    obs: Observation, verdict: Verdict, states: Mapping[Key, KeyState | None], policy: Policy
) -> dict[Key, KeyState]:
    """The states of ``obs``'s keys after it: every attempt counts, blocked or not."""
    out: dict[Key, KeyState] = {}
    for key in obs.store_keys():
        before = states.get(key)
        state = before.copy() if before is not None else KeyState()
        kind = key[0]
        if key == PLATFORM:
            state.add(obs.at, "", cap=1, retention=policy.shared.baseline, width=HOUR)
        else:
            party = obs.registrant if kind == "credit_code" else obs.enterprise
            state.add(obs.at, party, cap=policy.recent_cap, retention=policy.retention)
        if kind == "credit_code":
            _mark_history(state, obs, verdict)
        out[key] = state
    return out


def _mark_history(state: KeyState, obs: Observation, verdict: Verdict) -> None:
    """A block ends a clean history; a registration under another legal representative starts a new one."""
    if verdict.outcome == BLOCK:
        state.clean_since, state.owner = None, None
    elif state.clean_since is None or state.owner != obs.rep:
        state.clean_since, state.owner = obs.at, obs.rep
