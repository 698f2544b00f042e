"""How overdue debtors respond to collection actions: latent types and smooth response probabilities.

Each debtor has a latent type drawn from observable facts plus noise (a softmax of linear scores with Gumbel
noise): *forgetful* (cheap reminders work), *cash-strapped* (restructuring works, a lawyer's letter brings
complaints), *strategic* (a lawyer's letter or a visit works, promises are cheap) and *unreachable* (little
works). Within a type, a debtor's capacity, willingness, liking of each action and of evening contact vary
continuously. An action's effect fades with days past due and with repetition; the time window matters by
enterprise kind (an individual business owner answers in the evening, a company's finance staff in office hours).
Nothing here is a lookup table a policy could read: it sees only the observables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riskloop.domain.collection import ACTIONS, ARMS, CHANNEL_OF, WINDOWS
from riskloop.synth.arrays import Arr
from riskloop.synth.firms import sigmoid

DEBTOR_TYPES = ("forgetful", "cash_strapped", "strategic", "unreachable")
FORGETFUL, CASH_STRAPPED, STRATEGIC, UNREACHABLE = range(4)
ARM_ACTION = np.array([ACTIONS.index(a.action) for a in ARMS])
ARM_WINDOW = np.array([WINDOWS.index(a.window) for a in ARMS])

# Cure: the type's base log-odds and the effect of each action (sms, ivr, agent_call, wechat, field_visit,
# legal_letter, restructure_offer) before it fades with days past due.
_CURE_BASE = np.array([-0.4, -1.9, -2.0, -3.3])
_CURE_EFFECT = np.array(
    [
        [1.0, 0.7, 1.2, 1.1, 1.1, 0.2, -0.3],
        [0.0, 0.0, 0.5, 0.1, 0.6, -0.5, 1.9],
        [-0.3, -0.3, 0.3, -0.2, 1.5, 1.8, 0.2],
        [0.0, 0.1, 0.4, 0.3, 1.4, 0.6, 0.0],
    ]
)
_PROMISE_ACTION = np.array([-1.6, -1.3, 0.8, -1.1, 1.0, -0.6, 1.2])
_PROMISE_TYPE = np.array([0.4, 0.3, 0.7, -2.0])
_COMPLAINT_EFFECT = np.array(
    [
        [-1.0, -0.5, 0.0, -1.0, 1.5, 1.0, -0.5],
        [-0.5, 0.0, 0.5, -0.5, 1.8, 2.6, -1.0],
        [-1.0, -0.5, 0.5, -1.0, 1.0, 0.8, -0.5],
        [-1.0, -0.5, 0.3, -1.0, 1.5, 1.0, -0.5],
    ]
)
# How much the time window matters per channel: a call is answered or not, a message waits to be read.
_WINDOW_WEIGHT = {"phone": 1.0, "sms": 0.5, "wechat": 0.5, "visit": 0.3, "post": 0.0}
_ACTION_WINDOW_WEIGHT = np.array([_WINDOW_WEIGHT[CHANNEL_OF[a]] for a in ACTIONS])
# Log-odds of reaching the debtor by window (morning, afternoon, evening): individual business vs company.
_WINDOW_INDIVIDUAL = np.array([-0.5, 0.0, 0.7])
_WINDOW_COMPANY = np.array([0.45, 0.2, -0.7])
_FADE_DAYS = 75.0
# Sections where thin cash buffers are common (retail, catering, accommodation, transport) and where payment is
# often withheld as leverage (construction, real estate, leasing).
_THIN_CASH = tuple("FGH")
_LEVERAGE = tuple("EKL")


@dataclass(frozen=True)
class DebtorFacts:
    """Observable facts of each case's debtor at the case's opening (the latent ``defaulted`` aside)."""

    individual: Arr  # bool
    section: Arr  # industry section letter index (0 = A)
    capital_z: Arr  # standardised log registered capital
    loan_z: Arr  # standardised log principal
    deterioration: Arr  # revenue lost by the opening day (0..1)
    abnormal: Arr  # bool: on the abnormal-operation list or revoked
    defaulted: Arr  # bool, latent: the loan goes on to default
    dpd_at_open: Arr


@dataclass(frozen=True)
class Debtors:
    """Each debtor's latent type and continuous traits (truth)."""

    kind: Arr  # index into DEBTOR_TYPES
    capacity: Arr
    willingness: Arr
    evening: Arr  # liking of evening contact beyond the kind's
    action_taste: Arr  # (n, actions): how much each action suits this debtor beyond the type's


def draw_debtors(g: np.random.Generator, facts: DebtorFacts) -> Debtors:
    """Draw each debtor's type (a noisy softmax of observable facts) and traits."""
    n = len(facts.individual)
    ind = facts.individual.astype(float)
    thin = np.isin(facts.section, [ord(s) - 65 for s in _THIN_CASH]).astype(float)
    leverage = np.isin(facts.section, [ord(s) - 65 for s in _LEVERAGE]).astype(float)
    dft, det = facts.defaulted.astype(float), facts.deterioration
    late = np.log1p(facts.dpd_at_open)
    scores = np.stack(
        [
            1.3 - 2.0 * dft - 4.0 * det + 0.3 * facts.capital_z - 0.2 * late,
            -0.2 + 1.2 * dft + 4.5 * det + 0.7 * ind + 0.6 * thin - 0.3 * facts.capital_z,
            -0.7
            + 1.0 * dft
            + 0.9 * (1 - ind)
            + 0.6 * facts.capital_z
            + 0.5 * facts.loan_z
            + 0.6 * leverage
            - 2.0 * det,
            -2.0 + 1.0 * dft + 1.6 * facts.abnormal + 0.5 * ind - 0.4 * facts.capital_z + 0.2 * late,
        ],
        axis=1,
    )
    kind = np.argmax(scores + g.gumbel(size=scores.shape), axis=1)
    return Debtors(
        kind=kind,
        capacity=g.normal(-1.2 * det, 1.0, n),
        willingness=g.normal(0.0, 1.0, n),
        evening=g.normal(0.0, 0.35, n),
        action_taste=g.normal(0.0, 0.35, (n, len(ACTIONS))),
    )


@dataclass(frozen=True)
class RoundContext:
    """What holds for each active case at one contact round."""

    case: Arr  # case position
    dpd: Arr
    remaining_cents: Arr
    round_no: Arr
    last_action: Arr  # action index of the previous round, -1 in the first
    broken_promises: Arr


@dataclass(frozen=True)
class Response:
    """Per (active case, arm): probabilities of a promise, a cure, a partial payment and a complaint."""

    promise: Arr
    cure: Arr
    partial: Arr
    complaint: Arr

    def expected_paid(self, remaining_cents: Arr) -> Arr:
        """Expected amount paid (the partial share is uniform on 0.2..0.8, mean 0.5)."""
        out: Arr = remaining_cents[:, None] * (self.cure + (1 - self.cure) * self.partial * PARTIAL_MEAN)
        return out


PARTIAL_SHARE = (0.2, 0.8)
PARTIAL_MEAN = sum(PARTIAL_SHARE) / 2


def respond(debtors: Debtors, facts: DebtorFacts, ctx: RoundContext) -> Response:
    """The response probabilities of every arm for each active case at this round."""
    c = ctx.case
    kind = debtors.kind[c]
    ind = facts.individual[c]
    window = np.where(ind[:, None], _WINDOW_INDIVIDUAL[ARM_WINDOW], _WINDOW_COMPANY[ARM_WINDOW])
    window = window + np.where(ARM_WINDOW == 2, debtors.evening[c][:, None], 0.0)
    reach = window * _ACTION_WINDOW_WEIGHT[ARM_ACTION]
    fade = np.exp(-ctx.dpd / _FADE_DAYS)[:, None]
    repeated = ARM_ACTION[None, :] == ctx.last_action[:, None]
    effect = (_CURE_EFFECT[kind][:, ARM_ACTION] + debtors.action_taste[c][:, ARM_ACTION]) * fade
    general = (
        _CURE_BASE[kind]
        + 0.5 * debtors.capacity[c]
        + 0.4 * debtors.willingness[c]
        - 0.5 * np.log1p(ctx.dpd / 30)
        - 0.25 * np.log(np.maximum(ctx.remaining_cents, 100) / 1_000_000)
        - 0.3 * ctx.broken_promises
    )
    cure_logit = general[:, None] + effect + reach - 0.4 * repeated
    partial_logit = cure_logit + 0.5 + 0.9 * (kind == CASH_STRAPPED)[:, None]
    promise_logit = (
        _PROMISE_ACTION[ARM_ACTION][None, :]
        + _PROMISE_TYPE[kind][:, None]
        + 0.3 * debtors.willingness[c][:, None]
        + reach
        - 0.2 * ctx.broken_promises[:, None]
    )
    mistimed = (-reach).clip(min=0)  # a contact at a bad time for the debtor annoys
    complaint_logit = -4.6 + _COMPLAINT_EFFECT[kind][:, ARM_ACTION] + 0.6 * mistimed + 0.2 * (ctx.round_no[:, None] - 1)
    complaint_logit = complaint_logit + 0.5 * repeated
    return Response(
        promise=sigmoid(promise_logit),
        cure=sigmoid(cure_logit),
        partial=sigmoid(partial_logit - 1.5),
        complaint=sigmoid(complaint_logit),
    )
