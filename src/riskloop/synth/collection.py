"""Collection history with exact counterfactual truth: contact rounds of every overdue case.

Rounds follow every 5-10 days while a case is not cured, up to ``MAX_ROUNDS``, as long as the round's outcome
window ends by as-of. At each round the historical policy draws an arm (``collection_policy``); the debtor's
response to *every* arm is computed (``collection_response``) and its outcome drawn with common random numbers
(one set of uniforms per case and round, shared by all arms), so the potential outcome of any arm is exact and the
logged row is the potential outcome of the logged arm. The repayments table is not rewritten: what collection
recovers is recorded in ``collection_actions`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from riskloop.domain.collection import ACTIONS, ARM_KEYS, CHANNEL_OF, COST_CENTS, WINDOW_HOURS, WINDOWS
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, literal_matrix, vocab_take
from riskloop.synth.collection_cases import Cases
from riskloop.synth.collection_policy import HISTORICAL, historical_propensities
from riskloop.synth.collection_response import (
    ARM_ACTION,
    ARM_WINDOW,
    PARTIAL_SHARE,
    DebtorFacts,
    Debtors,
    Response,
    RoundContext,
    respond,
)

MAX_ROUNDS = 8
ROUND_DAYS = (5, 10)
AGENTS = 120  # collectors of the bank, shared by every chunk
_UTC_OFFSET = np.timedelta64(8, "h")  # Asia/Shanghai has no daylight saving
_AGENT_ACTIONS = np.array([a in ("agent_call", "field_visit", "restructure_offer") for a in ACTIONS])
_ACTION_COST = np.array([COST_CENTS[a] for a in ACTIONS], dtype=np.int64)


@dataclass
class Rounds:
    """Logged rounds (one entry per case and round) and every arm's response and potential outcome."""

    case: list[Arr]
    round_no: list[Arr]
    day: list[Arr]
    dpd: list[Arr]
    remaining: list[Arr]
    arm: list[Arr]
    propensity: list[Arr]
    minute: list[Arr]  # local minute of the day the action was taken
    agent: list[Arr]
    days_to_cure: list[Arr]
    probs: list[dict[str, Arr]]  # per round: (n, arms) probabilities and potential outcomes

    @classmethod
    def empty(cls) -> Rounds:
        """No rounds yet."""
        return cls([], [], [], [], [], [], [], [], [], [], [])


@dataclass(frozen=True)
class History:
    """The chunk's logged rounds, concatenated in (case, round) order, and the arms' potential outcomes."""

    case: Arr
    round_no: Arr
    day: Arr
    dpd: Arr
    remaining: Arr
    arm: Arr
    propensity: Arr
    minute: Arr
    agent: Arr
    days_to_cure: Arr
    potential: dict[str, Arr]  # (rows, arms): p_promise, p_cure, expected_paid_cents, p_complaint, the outcomes

    def logged(self, name: str) -> Arr:
        """The logged arm's value of a potential outcome."""
        out: Arr = self.potential[name][np.arange(len(self.arm)), self.arm]
        return out


def simulate(  # noqa: PLR0917
    policy: np.random.Generator,
    crn: np.random.Generator,
    cases: Cases,
    facts: DebtorFacts,
    debtors: Debtors,
    as_of: np.datetime64,
) -> History:
    """Run the contact rounds of every case under the historical policy.

    Parameters
    ----------
    policy : numpy.random.Generator
        The bank's draws: arms, round gaps, times of day, collectors.
    crn : numpy.random.Generator
        The common random numbers of the outcomes (one set per case and round, shared by every arm).
    cases, facts, debtors :
        The cases, their debtors' observable facts and latent traits.
    as_of : numpy.datetime64
        No round starts unless its outcome window ends by this day.

    Returns
    -------
    History
        Every logged round and the potential outcome of every arm at it.

    """
    out = Rounds.empty()
    active = np.arange(cases.n)
    day = cases.opened.copy()
    remaining = cases.overdue_cents.copy()
    last = np.full(cases.n, -1)
    broken = np.zeros(cases.n, dtype=np.int64)
    for r in range(1, MAX_ROUNDS + 1):
        gap = policy.integers(ROUND_DAYS[0], ROUND_DAYS[1] + 1, cases.n)
        active = active[day[active] + gap[active].astype("timedelta64[D]") <= as_of]
        if active.size == 0:
            break
        dpd = (day[active] - cases.due[active]).astype(np.int64)
        ctx = RoundContext(active, dpd, remaining[active], np.full(active.size, r), last[active], broken[active])
        resp = respond(debtors, facts, ctx)
        prop = historical_propensities(dpd, remaining[active])
        arm = weighted_rows(policy.random(active.size), prop)
        potential = _potential(crn, resp, remaining[active], gap[active])
        rows = np.arange(active.size)
        minute = _minute_in_window(policy, ARM_WINDOW[arm])
        agent = np.where(_AGENT_ACTIONS[ARM_ACTION[arm]], policy.integers(0, AGENTS, active.size), -1)
        cured = potential["cured"][rows, arm]
        since_open = (day[active] - cases.opened[active]).astype(np.int64)
        out.case.append(active)
        out.round_no.append(np.full(active.size, r))
        out.day.append(day[active].copy())
        out.dpd.append(dpd)
        out.remaining.append(remaining[active].copy())
        out.arm.append(arm)
        out.propensity.append(prop[rows, arm])
        out.minute.append(minute)
        out.agent.append(agent)
        out.days_to_cure.append(np.where(cured, since_open + potential["days"][rows], -1))
        out.probs.append({k: v for k, v in potential.items() if k != "days"})
        paid = potential["paid_cents"][rows, arm]
        broken[active] += potential["promise"][rows, arm] & (paid == 0)
        remaining[active] -= paid
        last[active] = ARM_ACTION[arm]
        day[active] += gap[active].astype("timedelta64[D]")
        active = active[~cured]
    return _concat(out)


def weighted_rows(u: Arr, probs: Arr) -> Arr:
    """Per row, the column drawn by inverse CDF of ``u`` over that row's probabilities."""
    cdf = np.cumsum(probs, axis=1)
    out: Arr = np.minimum((u[:, None] * cdf[:, -1:] >= cdf).sum(axis=1), probs.shape[1] - 1)
    return out


def _potential(crn: np.random.Generator, resp: Response, remaining: Arr, gap: Arr) -> dict[str, Arr]:
    """Probabilities and potential outcomes of every arm, from one set of uniforms per case (shared by arms)."""
    n = len(remaining)
    u = crn.random((n, 6))
    cured = u[:, [1]] < resp.cure
    partial = ~cured & (u[:, [2]] < resp.partial)
    share = PARTIAL_SHARE[0] + (PARTIAL_SHARE[1] - PARTIAL_SHARE[0]) * u[:, [3]]
    part = np.clip(np.floor(remaining[:, None] * share), 1, np.maximum(remaining[:, None] - 1, 1)).astype(np.int64)
    paid = np.where(cured, remaining[:, None], np.where(partial, part, 0)).astype(np.int64)
    return {
        "p_promise": resp.promise,
        "p_cure": resp.cure,
        "expected_paid_cents": resp.expected_paid(remaining),
        "p_complaint": resp.complaint,
        "promise": u[:, [0]] < resp.promise,
        "paid_cents": paid,
        "cured": cured,
        "complaint": u[:, [4]] < resp.complaint,
        "days": np.floor(u[:, 5] * gap).astype(np.int64),
    }


def _minute_in_window(g: np.random.Generator, window: Arr) -> Arr:
    """A local minute of the day inside each window, kept 5 minutes clear of its edges."""
    start = np.array([WINDOW_HOURS[w][0] * 60 + 5 for w in WINDOWS])[window]
    end = np.array([WINDOW_HOURS[w][1] * 60 - 5 for w in WINDOWS])[window]
    out: Arr = start + np.floor(g.random(len(window)) * (end - start)).astype(np.int64)
    return out


def _concat(out: Rounds) -> History:
    if not out.case:
        empty = np.zeros(0, np.int64)
        arms = {
            k: np.zeros((0, len(ARM_KEYS)))
            for k in ("p_promise", "p_cure", "expected_paid_cents", "p_complaint", "promise", "paid_cents")
        }
        arms |= {k: np.zeros((0, len(ARM_KEYS)), bool) for k in ("cured", "complaint")}
        arms["promise"] = arms["promise"].astype(bool)
        arms["paid_cents"] = arms["paid_cents"].astype(np.int64)
        day = np.zeros(0, "datetime64[D]")
        return History(empty, empty, day, empty, empty, empty, np.zeros(0), empty, empty, empty, arms)
    case = np.concatenate(out.case)
    round_no = np.concatenate(out.round_no)
    order = np.lexsort((round_no, case))

    def cat(parts: list[Arr]) -> Arr:
        return np.concatenate(parts)[order]

    potential = {k: np.concatenate([p[k] for p in out.probs])[order] for k in out.probs[0]}
    return History(
        case=case[order],
        round_no=round_no[order],
        day=cat(out.day),
        dpd=cat(out.dpd),
        remaining=cat(out.remaining),
        arm=cat(out.arm),
        propensity=cat(out.propensity),
        minute=cat(out.minute),
        agent=cat(out.agent),
        days_to_cure=cat(out.days_to_cure),
        potential=potential,
    )


def acted_at(history: History) -> Arr:
    """UTC time of each action: its day at the local minute, less Shanghai's offset (datetime64[us])."""
    local = history.day.astype("datetime64[m]") + history.minute.astype("timedelta64[m]")
    out: Arr = (local - _UTC_OFFSET).astype("datetime64[us]")
    return out


def action_ids(cases: Cases, history: History) -> pa.Array:
    """``CA`` + the case's thirteen digits + the two-digit round."""
    number = cases.number[history.case]
    return ascii_strings(literal_matrix("CA", len(number)), digit_matrix(number, 13), digit_matrix(history.round_no, 2))


def actions_table(cases: Cases, history: History) -> pa.Table:
    """The ``collection_actions`` rows of the chunk."""
    action = ARM_ACTION[history.arm]
    agent = history.agent
    agent_ids = ascii_strings(literal_matrix("AG", len(agent)), digit_matrix(np.maximum(agent, 0), 4))
    cured = history.logged("cured")
    return pa.table(
        {
            "action_id": action_ids(cases, history),
            "case_id": cases.case_id.take(pa.array(history.case)),
            "round_no": history.round_no.astype(np.int64),
            "acted_at": pa.array(acted_at(history), pa.timestamp("us", tz="UTC")),
            "dpd_at_action": history.dpd.astype(np.int64),
            "remaining_overdue_cents": history.remaining.astype(np.int64),
            "action": vocab_take(ACTIONS, action),
            "channel": vocab_take([CHANNEL_OF[a] for a in ACTIONS], action),
            "time_window": vocab_take(WINDOWS, ARM_WINDOW[history.arm]),
            "agent_id": pa.array(agent_ids.to_pylist(), pa.string(), mask=agent < 0),
            "policy": pa.repeat(pa.scalar(HISTORICAL), len(action)),
            "propensity": history.propensity,
            "cost_cents": _ACTION_COST[action],
            "promise_to_pay": history.logged("promise"),
            "amount_paid_cents": history.logged("paid_cents").astype(np.int64),
            "days_to_cure": pa.array(history.days_to_cure, pa.int64(), mask=~cured),
            "cured": cured,
            "complaint": history.logged("complaint"),
        }
    )


def responses_table(cases: Cases, history: History) -> pa.Table:
    """Truth: every arm's response probabilities and potential outcome at every logged round."""
    n, k = len(history.case), len(ARM_KEYS)
    p = history.potential
    return pa.table(
        {
            "case_id": cases.case_id.take(pa.array(np.repeat(history.case, k))),
            "round_no": np.repeat(history.round_no, k).astype(np.int64),
            "arm": vocab_take(ARM_KEYS, np.tile(np.arange(k), n)),
            "p_promise": p["p_promise"].ravel(),
            "p_cure": p["p_cure"].ravel(),
            "expected_paid_cents": p["expected_paid_cents"].ravel(),
            "p_complaint": p["p_complaint"].ravel(),
            "promise": p["promise"].ravel(),
            "paid_cents": p["paid_cents"].ravel().astype(np.int64),
            "cured": p["cured"].ravel(),
            "complaint": p["complaint"].ravel(),
        }
    )
