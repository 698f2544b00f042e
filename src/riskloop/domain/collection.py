"""Collection's vocabulary (issue 16): actions, their channels and costs, time windows, arms, QA issue types.

One definition read by the generator, the policy, off-policy evaluation, transcript QA, storage and the API.
An *arm* is what a collection policy chooses for one contact round of an overdue case: an action and the
time window it is made in. The channel follows from the action (an agent call is a phone call), so it is
recorded with every action but never chosen apart from it. Costs are integer cents per action; a policy's
value is the amount recovered net of these costs. Nothing here imports a data library.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from riskloop.errors import ValidationError

SMS, IVR, AGENT_CALL, WECHAT = "sms", "ivr", "agent_call", "wechat"
FIELD_VISIT, LEGAL_LETTER, RESTRUCTURE = "field_visit", "legal_letter", "restructure_offer"
ACTIONS = (SMS, IVR, AGENT_CALL, WECHAT, FIELD_VISIT, LEGAL_LETTER, RESTRUCTURE)
ACTION_LABELS_ZH = {
    SMS: "短信提醒",
    IVR: "智能语音外呼",
    AGENT_CALL: "人工电话",
    WECHAT: "企业微信消息",
    FIELD_VISIT: "上门催收",
    LEGAL_LETTER: "律师函",
    RESTRUCTURE: "展期/重组方案",
}
# The medium each action reaches the debtor through.
CHANNEL_OF = {
    SMS: "sms",
    IVR: "phone",
    AGENT_CALL: "phone",
    WECHAT: "wechat",
    FIELD_VISIT: "visit",
    LEGAL_LETTER: "post",
    RESTRUCTURE: "phone",
}
CHANNELS = ("sms", "phone", "wechat", "visit", "post")
# What one action costs the bank, integer cents: messaging fees, agent and travel time, a lawyer's letter, the
# handling of a restructuring (its concession shows in the amount recovered, not here).
COST_CENTS = {
    SMS: 10,
    IVR: 60,
    AGENT_CALL: 1_200,
    WECHAT: 5,
    FIELD_VISIT: 40_000,
    LEGAL_LETTER: 8_000,
    RESTRUCTURE: 3_000,
}
MORNING, AFTERNOON, EVENING = "morning", "afternoon", "evening"
WINDOWS = (MORNING, AFTERNOON, EVENING)
# Local (Asia/Shanghai) hours of each window, [start, end).
WINDOW_HOURS = {MORNING: (8, 12), AFTERNOON: (12, 18), EVENING: (18, 21)}
# Contact with a debtor is permitted from 08:00 to 21:00 local time (the industry's self-regulatory convention).
PERMITTED_FROM, PERMITTED_UNTIL = dt.time(8, 0), dt.time(21, 0)
# A field visit or a letter happens in office hours: no evening arm for them.
_NO_EVENING = (FIELD_VISIT, LEGAL_LETTER)


@dataclass(frozen=True, order=True)
class Arm:
    """One choice of a collection policy: an action in a time window."""

    action: str
    window: str

    @property
    def channel(self) -> str:
        """The medium the action reaches the debtor through."""
        return CHANNEL_OF[self.action]

    @property
    def cost_cents(self) -> int:
        """What the action costs, integer cents."""
        return COST_CENTS[self.action]

    @property
    def key(self) -> str:
        """``action@window``: the arm's name in artifacts, tables and the API."""
        return f"{self.action}@{self.window}"


ARMS = tuple(Arm(a, w) for a in ACTIONS for w in WINDOWS if not (a in _NO_EVENING and w == EVENING))
ARM_KEYS = tuple(a.key for a in ARMS)


def parse_arm(key: str, field: str = "arm") -> Arm:
    """The arm named ``action@window``; anything else is a ValidationError naming ``field`` and the valid arms."""
    action, _, window = key.partition("@")
    arm = Arm(action, window)
    if arm not in ARMS:
        raise ValidationError(field, f"unknown arm {key!r}; valid: {', '.join(ARM_KEYS)}")
    return arm


def permitted(local: dt.time) -> bool:
    """Whether a contact at local time ``local`` is within the permitted hours."""
    return PERMITTED_FROM <= local < PERMITTED_UNTIL


# Transcript quality: the issue types a check finds, and the dimension each one scores.
THREAT, INSULT, THIRD_PARTY = "threat", "insult", "third_party_disclosure"
OFF_HOURS, FALSE_LEGAL, MISSING_DISCLOSURE = "off_hours", "false_legal", "missing_disclosure"
ISSUE_TYPES = (THREAT, INSULT, THIRD_PARTY, OFF_HOURS, FALSE_LEGAL, MISSING_DISCLOSURE)
COMPLIANCE, COURTESY, SCRIPT, DISCLOSURE = "compliance", "courtesy", "script", "disclosure"
DIMENSIONS = (COMPLIANCE, COURTESY, SCRIPT, DISCLOSURE)
DIMENSION_OF = {
    THREAT: COMPLIANCE,
    FALSE_LEGAL: COMPLIANCE,
    OFF_HOURS: COMPLIANCE,
    INSULT: COURTESY,
    MISSING_DISCLOSURE: SCRIPT,  # the script's mandatory statements: who calls, for which institution, recording
    THIRD_PARTY: DISCLOSURE,  # telling someone other than the debtor about the debt
}
AGENT, DEBTOR, THIRD_PARTY_SPEAKER = "agent", "debtor", "third_party"
# The model registry's kinds of collection's models: released with the same four eyes as application models,
# never served as one. Their registered names are the kinds.
POLICY_KIND, QA_KIND = "collection-policy", "transcript-qa"
SPEAKERS = (AGENT, DEBTOR, THIRD_PARTY_SPEAKER)
