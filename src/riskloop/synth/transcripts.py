"""Chinese transcripts of collection calls, with planted quality issues, hard negatives and their labels.

A call is made for every agent call and for most restructuring offers (by phone). It opens with the mandatory
statements (who calls, staff number, institution, recording), may be answered by a third party (a colleague, a
family member, a receptionist), checks the debtor's identity, states the amount and days past due, and goes on to
the debtor's excuses, promises or anger and a closing. About a quarter of calls carry at least one issue
(``ISSUE_TYPES``): threats (explicit and implicit), insults by the collector, disclosure of the debt to a third
party, a call started outside 08:00-21:00 local time, false statements about legal consequences, missing mandatory
statements. Hard negatives are planted too: lawful statements of consequences, the debtor insulting the collector,
a collector correctly refusing to tell a third party anything, polite firmness. Some collectors are more prone to
issues than others, and a call that ends in a complaint more often carries one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from riskloop.domain.collection import (
    ACTIONS,
    AGENT,
    AGENT_CALL,
    DEBTOR,
    FALSE_LEGAL,
    INSULT,
    MISSING_DISCLOSURE,
    OFF_HOURS,
    RESTRUCTURE,
    THIRD_PARTY,
    THIRD_PARTY_SPEAKER,
    THREAT,
)
from riskloop.synth import transcript_phrases as ph
from riskloop.synth.arrays import Arr, index_uniform
from riskloop.synth.call_reviews import reviews_table
from riskloop.synth.collection import History, acted_at
from riskloop.synth.collection_cases import Cases
from riskloop.synth.collection_response import ARM_ACTION, FORGETFUL, STRATEGIC, UNREACHABLE, DebtorFacts, Debtors
from riskloop.synth.params import UniverseParams
from riskloop.synth.vocab import vocab

RESTRUCTURE_BY_PHONE = 0.6
# Base chance per call of each planted issue (a collector's own proneness multiplies it; so does a complaint).
ISSUE_RATES = {THREAT: 0.05, INSULT: 0.04, FALSE_LEGAL: 0.04, OFF_HOURS: 0.03, MISSING_DISCLOSURE: 0.05}
DISCLOSURE_RATE = 0.35  # of calls a third party answers
THIRD_PARTY_ANSWERS = {True: 0.16, False: 0.24}  # individual business, company (a receptionist, finance staff)
_AGENT_TAG = 9101
_COMPLAINT_BOOST = 1.6
_UNIFORMS = 64
_UTC_OFFSET = np.timedelta64(8, "h")
_ACTION_INDEX = {a: i for i, a in enumerate(ACTIONS)}


@dataclass(frozen=True)
class CallContext:
    """Every logged round with what a call of it needs to know (selection of the calls happens later)."""

    action_id: list[str]
    case_id: list[str]
    number: Arr  # the case's digits
    round_no: Arr
    action: Arr
    agent: Arr
    acted_at: Arr  # datetime64[us], UTC
    individual: Arr
    kind: Arr
    remaining: Arr
    dpd: Arr
    promise: Arr
    complaint: Arr

    @classmethod
    def of(cls, cases: Cases, history: History, facts: DebtorFacts, debtors: Debtors, actions: pa.Table) -> CallContext:
        """The rounds of ``history`` with their debtors' facts and logged outcomes."""
        case = history.case
        return cls(
            action_id=actions["action_id"].to_pylist(),
            case_id=actions["case_id"].to_pylist(),
            number=cases.number[case],
            round_no=history.round_no,
            action=ARM_ACTION[history.arm],
            agent=history.agent,
            acted_at=acted_at(history),
            individual=facts.individual[case],
            kind=debtors.kind[case],
            remaining=history.remaining,
            dpd=history.dpd,
            promise=history.logged("promise"),
            complaint=history.logged("complaint"),
        )


class _Draws:
    """A row of pre-drawn uniforms consumed in order (far faster than a generator call per choice)."""

    def __init__(self, u: Arr) -> None:
        self.u, self.i = u, 0

    def random(self) -> float:
        value = float(self.u[self.i % len(self.u)])
        self.i += 1
        return value

    def pick(self, options: tuple[str, ...]) -> str:
        return options[int(self.random() * len(options))]


@dataclass
class _Call:
    """A call being written: its turns and its planted issues."""

    slots: dict[str, str]
    turns: list[tuple[str, str]]
    labels: list[tuple[str, int | None]]

    def say(self, speaker: str, text: str, issue: str | None = None) -> None:
        self.turns.append((speaker, text.format(**self.slots)))
        if issue is not None:
            self.labels.append((issue, len(self.turns)))


def transcript_tables(
    g: np.random.Generator, review: np.random.Generator, ctx: CallContext, params: UniverseParams
) -> tuple[dict[str, pa.Table], pa.Table]:
    """Write the chunk's calls, their turns and the QA team's reviews; return them and the planted labels."""
    n = len(ctx.number)
    by_phone = g.random(n) < RESTRUCTURE_BY_PHONE
    is_call = (ctx.action == _ACTION_INDEX[AGENT_CALL]) | ((ctx.action == _ACTION_INDEX[RESTRUCTURE]) & by_phone)
    rows = np.flatnonzero(is_call)
    u = g.random((len(rows), _UNIFORMS))
    proneness = 0.35 + 2.2 * index_uniform(params.seed, _AGENT_TAG, np.maximum(ctx.agent[rows], 0)) ** 2
    v = vocab()
    calls: dict[str, list[object]] = {k: [] for k in ("call_id", "action_id", "case_id", "agent_id", "started_at")}
    durations: list[int] = []
    turns: dict[str, list[object]] = {"call_id": [], "turn_no": [], "speaker": [], "text": []}
    labels: dict[str, list[object]] = {"call_id": [], "issue_type": [], "turn_no": []}
    for j, r in enumerate(rows.tolist()):
        d = _Draws(u[j])
        call_id = f"CL{int(ctx.number[r]):013d}{int(ctx.round_no[r]):02d}"
        call = _write_call(d, ctx, r, float(proneness[j]), v.surnames)
        started = ctx.acted_at[r]
        if any(issue == OFF_HOURS for issue, _ in call.labels):
            started = _off_hours(d, started)
        calls["call_id"].append(call_id)
        calls["action_id"].append(ctx.action_id[r])
        calls["case_id"].append(ctx.case_id[r])
        calls["agent_id"].append(f"AG{int(ctx.agent[r]):04d}")
        calls["started_at"].append(started)
        durations.append(int(12 + 0.3 * sum(len(t) for _, t in call.turns) + 40 * d.random()))
        for k, (speaker, text) in enumerate(call.turns, start=1):
            turns["call_id"].append(call_id)
            turns["turn_no"].append(k)
            turns["speaker"].append(speaker)
            turns["text"].append(text)
        for issue, turn in call.labels:
            labels["call_id"].append(call_id)
            labels["issue_type"].append(issue)
            labels["turn_no"].append(turn)
    ts = pa.timestamp("us", tz="UTC")
    calls_table = pa.table(
        {
            **{k: pa.array(v_, pa.string()) for k, v_ in calls.items() if k != "started_at"},
            "started_at": pa.array(np.array(calls["started_at"], dtype="datetime64[us]"), ts),
            "duration_seconds": pa.array(durations, pa.int64()),
        }
    ).select(["call_id", "action_id", "case_id", "agent_id", "started_at", "duration_seconds"])
    turns_table = pa.table(
        {
            "call_id": pa.array(turns["call_id"], pa.string()),
            "turn_no": pa.array(turns["turn_no"], pa.int64()),
            "speaker": pa.array(turns["speaker"], pa.string()),
            "text": pa.array(turns["text"], pa.string()),
        }
    )
    labels_table = pa.table(
        {
            "call_id": pa.array(labels["call_id"], pa.string()),
            "issue_type": pa.array(labels["issue_type"], pa.string()),
            "turn_no": pa.array(labels["turn_no"], pa.int64()),
        }
    )
    observed = {
        "collection_calls": calls_table,
        "call_turns": turns_table,
        "call_reviews": reviews_table(review, calls_table, labels_table, params.as_of_day),
    }
    return observed, labels_table


def _off_hours(d: _Draws, started: np.datetime64) -> np.datetime64:
    """The same local day, at a minute outside 08:00-21:00 (late evening or early morning)."""
    local_day = (started + _UTC_OFFSET).astype("datetime64[D]")
    minute = 21 * 60 + 3 + int(d.random() * 140) if d.random() < 0.7 else 6 * 60 + int(d.random() * 115)
    out: np.datetime64 = (local_day.astype("datetime64[m]") + np.timedelta64(minute, "m") - _UTC_OFFSET).astype(
        "datetime64[us]"
    )
    return out


def _slots(d: _Draws, ctx: CallContext, r: int, surnames: tuple[str, ...]) -> dict[str, str]:
    surname, agent_surname = d.pick(surnames[:60]), d.pick(surnames[:60])
    honorific = ("先生", "女士", "老板") if ctx.individual[r] else ("总", "经理", "先生", "女士")
    yuan = int(ctx.remaining[r]) / 100
    amount = (f"{yuan:,.2f}元", f"{int(yuan)}元", f"{yuan / 10000:.1f}万元", f"{int(yuan)}块")
    return {
        "who": surname + d.pick(honorific),
        "s": agent_surname,
        "agent": d.pick(ph.AGENT_NAMES).format(s=agent_surname),
        "no": f"{1000 + int(d.random() * 8999)}",
        "bank": d.pick(ph.BANKS),
        "amt": d.pick(amount),
        "dpd": str(int(ctx.dpd[r])),
        "day": d.pick(ph.DAYS),
    }


def _plan(d: _Draws, ctx: CallContext, r: int, proneness: float) -> set[str]:
    boost = proneness * (_COMPLAINT_BOOST if ctx.complaint[r] else 1.0)
    return {issue for issue, rate in ISSUE_RATES.items() if d.random() < rate * boost}


def _opening(d: _Draws, missing: bool, *, late: bool) -> tuple[str, str | None]:
    """The collector's first statement and, when the recording notice comes later (``late`` allows it), that one."""
    recording = d.pick(ph.RECORDING)
    self_id = d.pick(ph.SELF_ID)
    if missing:
        dropped = d.random()
        if dropped < 0.35:
            self_id = d.pick(ph.SELF_ID_NO_NUMBER)
        elif dropped < 0.6:
            self_id = d.pick(ph.SELF_ID_NO_BANK)
        if dropped >= 0.35 or d.random() < 0.5:
            return d.pick(ph.GREETINGS) + self_id + "。", None
    if d.random() < 0.7 or not late:
        return d.pick(ph.GREETINGS) + self_id + "，" + recording + "。", None
    return d.pick(ph.GREETINGS) + self_id + "。", recording + "。"


def _write_call(d: _Draws, ctx: CallContext, r: int, proneness: float, surnames: tuple[str, ...]) -> _Call:
    call = _Call(_slots(d, ctx, r, surnames), [], [])
    issues = _plan(d, ctx, r, proneness)
    if OFF_HOURS in issues:
        call.labels.append((OFF_HOURS, None))
    if MISSING_DISCLOSURE in issues:
        call.labels.append((MISSING_DISCLOSURE, None))
    third = d.random() < THIRD_PARTY_ANSWERS[bool(ctx.individual[r])]
    opening, late_recording = _opening(d, MISSING_DISCLOSURE in issues, late=not third)
    if third:
        call.say(THIRD_PARTY_SPEAKER, d.pick(ph.THIRD_PARTY_ANSWERS))
        call.say(AGENT, opening + d.pick(ph.ASK_FOR_DEBTOR))
        call.say(THIRD_PARTY_SPEAKER, d.pick(ph.THIRD_PARTY_PROBES))
        if d.random() < DISCLOSURE_RATE * min(proneness, 2.0):
            call.say(AGENT, d.pick(ph.DISCLOSE_TO_THIRD_PARTY), THIRD_PARTY)
        else:
            call.say(AGENT, d.pick(ph.REFUSE_TO_DISCLOSE))
        if d.random() < 0.5:
            call.say(THIRD_PARTY_SPEAKER, d.pick(ph.THIRD_PARTY_BYE))
            call.say(AGENT, d.pick(ph.CLOSINGS))
            return call
        call.say(THIRD_PARTY_SPEAKER, d.pick(ph.HAND_OVER))
        call.say(DEBTOR, "喂，你好。")
        call.say(AGENT, d.pick(ph.IDENTITY_CHECK))
    elif d.random() < 0.5:
        call.say(DEBTOR, d.pick(("喂？", "喂，你好。", "哪位？", "你好，哪位？")))
        call.say(AGENT, opening + d.pick(ph.IDENTITY_CHECK))
    else:
        call.say(AGENT, opening + d.pick(ph.IDENTITY_CHECK))
    call.say(DEBTOR, d.pick(ph.CONFIRM_IDENTITY))
    state = d.pick(ph.STATE_DEBT)
    call.say(AGENT, (late_recording + state) if late_recording else state)
    _debtor_reaction(d, call, int(ctx.kind[r]), bool(ctx.complaint[r]))
    _pressure(d, call, issues)
    if ctx.action[r] == _ACTION_INDEX[RESTRUCTURE]:
        call.say(AGENT, d.pick(ph.RESTRUCTURE_OFFER))
        call.say(DEBTOR, d.pick(ph.RESTRUCTURE_REPLY))
    call.say(AGENT, d.pick(ph.ASK_WHEN))
    call.say(DEBTOR, d.pick(ph.DEBTOR_PROMISE if ctx.promise[r] else ph.DEBTOR_NO_PROMISE))
    call.say(AGENT, d.pick(ph.CLOSINGS))
    call.say(DEBTOR, d.pick(ph.DEBTOR_BYE))
    return call


def _debtor_reaction(d: _Draws, call: _Call, kind: int, complaint: bool) -> None:
    options = {FORGETFUL: ph.DEBTOR_FORGOT, STRATEGIC: ph.DEBTOR_STALL, UNREACHABLE: ph.DEBTOR_SHORT}
    call.say(DEBTOR, d.pick(options.get(kind, ph.DEBTOR_HARDSHIP)))
    if d.random() < (0.35 if complaint else 0.06):  # hard negative: the debtor, not the collector, is abusive
        call.say(DEBTOR, d.pick(ph.DEBTOR_INSULTS_AGENT))
        call.say(AGENT, d.pick(ph.AGENT_CALM))


def _pressure(d: _Draws, call: _Call, issues: set[str]) -> None:
    """The collector's push for payment: lawful firmness, and any planted threat, insult or false statement."""
    moves: list[tuple[tuple[str, ...], str | None]] = []
    if d.random() < 0.45:
        moves.append((ph.POLITE_FIRM, None))
    if d.random() < 0.35:
        moves.append((ph.LAWFUL_CONSEQUENCES, None))
    bank = {THREAT: ph.THREATS, INSULT: ph.INSULTS, FALSE_LEGAL: ph.FALSE_LEGAL}
    moves.extend((bank[i], i) for i in (THREAT, INSULT, FALSE_LEGAL) if i in issues)
    order = sorted(range(len(moves)), key=lambda _: d.random())
    for k in order:
        options, issue = moves[k]
        text = d.pick(options)
        if issue is not None:
            text = d.pick(ph.LEAD_INS) + text + d.pick(ph.TAILS)
            if d.random() < 0.3:
                text = d.pick(ph.POLITE_FIRM) + text
        call.say(AGENT, text, issue)
        call.say(DEBTOR, d.pick(ph.DEBTOR_NO_PROMISE + ph.DEBTOR_SHORT))
