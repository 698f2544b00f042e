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

A call is written in two passes. The *script* (which turns, who speaks, which issue where, when the call starts and
how long it lasts) is drawn from ``Stream.TRANSCRIPTS`` with the paraphrase banks of ``transcript_phrases.py``, as
in generator 1.6.0, so ``collection_calls`` keeps its bytes: a call's duration follows its scripted length. Then
every issue and hard-negative turn is re-worded from the compositional grammars (``phrasing_issues.py``,
``phrasing_negatives.py``) and every turn passes through speech-recognition noise (``asr.py``), with uniforms of
``Stream.PHRASING``. The truth records each planted issue's family and every hard negative's kind and family.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
from riskloop.synth import phrasing_issues as pi
from riskloop.synth import phrasing_negatives as pn
from riskloop.synth import transcript_phrases as ph
from riskloop.synth.arrays import Arr, index_uniform
from riskloop.synth.asr import noisy
from riskloop.synth.call_reviews import reviews_table
from riskloop.synth.collection import History, acted_at
from riskloop.synth.collection_cases import Cases
from riskloop.synth.collection_response import ARM_ACTION, FORGETFUL, STRATEGIC, UNREACHABLE, DebtorFacts, Debtors
from riskloop.synth.draws import Draws
from riskloop.synth.params import UniverseParams
from riskloop.synth.phrasing import Grammar, render
from riskloop.synth.vocab import vocab

RESTRUCTURE_BY_PHONE = 0.6
# Base chance per call of each planted issue (a collector's own proneness multiplies it; so does a complaint).
ISSUE_RATES = {THREAT: 0.05, INSULT: 0.04, FALSE_LEGAL: 0.04, OFF_HOURS: 0.03, MISSING_DISCLOSURE: 0.05}
DISCLOSURE_RATE = 0.35  # of calls a third party answers
THIRD_PARTY_ANSWERS = {True: 0.16, False: 0.24}  # individual business, company (a receptionist, finance staff)
_AGENT_TAG = 9101
_COMPLAINT_BOOST = 1.6
_UNIFORMS = 64
_PHRASING_UNIFORMS = 256
# The grammar each re-worded turn's role is written from: the planted issues, then the hard negatives.
GRAMMARS: dict[str, Grammar] = {
    THREAT: pi.THREAT,
    INSULT: pi.INSULT,
    FALSE_LEGAL: pi.FALSE_LEGAL,
    THIRD_PARTY: pi.THIRD_PARTY_DISCLOSURE,
    **{
        g.kind: g
        for g in (pn.LAWFUL_CONSEQUENCE, pn.POLITE_FIRM, pn.DEBTOR_INSULT, pn.CALM_REPLY, pn.REFUSAL_TO_DISCLOSE)
    },
}
HARD_NEGATIVES = tuple(k for k in GRAMMARS if k not in (THREAT, INSULT, FALSE_LEGAL, THIRD_PARTY))
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


@dataclass
class _Call:
    """A call being written: its turns, each turn's role (the grammar that re-words it) and its planted issues."""

    slots: dict[str, str]
    turns: list[tuple[str, str]]
    labels: list[tuple[str, int | None, str]]
    roles: list[str | None]
    families: dict[int, str] = field(default_factory=dict)  # turn number -> family of its re-wording

    def say(self, speaker: str, text: str, issue: str | None = None, role: str | None = None) -> None:
        self.turns.append((speaker, text.format(**self.slots)))
        self.roles.append(issue or role)
        if issue is not None:
            self.labels.append((issue, len(self.turns), ""))


def transcript_tables(
    g: np.random.Generator,
    review: np.random.Generator,
    phrasing: np.random.Generator,
    ctx: CallContext,
    params: UniverseParams,
) -> tuple[dict[str, pa.Table], pa.Table, pa.Table]:
    """Write the chunk's calls, their turns and the QA team's reviews.

    Returns
    -------
    tuple
        The observable tables by name, the planted labels (``call_labels``) and the hard negatives
        (``call_hard_negatives``).

    """
    n = len(ctx.number)
    by_phone = g.random(n) < RESTRUCTURE_BY_PHONE
    is_call = (ctx.action == _ACTION_INDEX[AGENT_CALL]) | ((ctx.action == _ACTION_INDEX[RESTRUCTURE]) & by_phone)
    rows = np.flatnonzero(is_call)
    u = g.random((len(rows), _UNIFORMS))
    words = phrasing.random((len(rows), _PHRASING_UNIFORMS))
    proneness = 0.35 + 2.2 * index_uniform(params.seed, _AGENT_TAG, np.maximum(ctx.agent[rows], 0)) ** 2
    v = vocab()
    calls: dict[str, list[object]] = {k: [] for k in ("call_id", "action_id", "case_id", "agent_id", "started_at")}
    durations: list[int] = []
    out = _Rows()
    for j, r in enumerate(rows.tolist()):
        d = Draws(u[j])
        call_id = f"CL{int(ctx.number[r]):013d}{int(ctx.round_no[r]):02d}"
        call = _write_call(d, ctx, r, float(proneness[j]), v.surnames)
        started = ctx.acted_at[r]
        if any(issue == OFF_HOURS for issue, _, _ in call.labels):
            started, late = _off_hours(d, started)
            call.labels = [
                (i, t, ("off_hours/late_evening" if late else "off_hours/early_morning") if i == OFF_HOURS else f)
                for i, t, f in call.labels
            ]
        calls["call_id"].append(call_id)
        calls["action_id"].append(ctx.action_id[r])
        calls["case_id"].append(ctx.case_id[r])
        calls["agent_id"].append(f"AG{int(ctx.agent[r]):04d}")
        calls["started_at"].append(started)
        # the duration follows the scripted call (before re-wording), so collection_calls keeps its 1.6.0 bytes
        durations.append(int(12 + 0.3 * sum(len(t) for _, t in call.turns) + 40 * d.random()))
        out.add(call_id, _reword(call, Draws(words[j])))
    ts = pa.timestamp("us", tz="UTC")
    calls_table = pa.table(
        {
            **{k: pa.array(v_, pa.string()) for k, v_ in calls.items() if k != "started_at"},
            "started_at": pa.array(np.array(calls["started_at"], dtype="datetime64[us]"), ts),
            "duration_seconds": pa.array(durations, pa.int64()),
        }
    ).select(["call_id", "action_id", "case_id", "agent_id", "started_at", "duration_seconds"])
    labels_table = out.labels_table()
    observed = {
        "collection_calls": calls_table,
        "call_turns": out.turns_table(),
        "call_reviews": reviews_table(review, calls_table, labels_table, params.as_of_day),
    }
    return observed, labels_table, out.hard_negatives_table()


def _reword(call: _Call, p: Draws) -> _Call:
    """The call with its issue and hard-negative turns re-worded and every turn through recognition noise."""
    level = p.random()
    families: dict[int, str] = {}
    turns: list[tuple[str, str]] = []
    for k, ((speaker, scripted), role) in enumerate(zip(call.turns, call.roles, strict=True), start=1):
        said = scripted
        if role is not None:
            said, families[k] = render(GRAMMARS[role], p, call.slots)
        turns.append((speaker, noisy(said, p, level)))
    labels = [(i, t, families[t] if t is not None else f) for i, t, f in call.labels]
    return _Call(call.slots, turns, labels, call.roles, families)


class _Rows:
    """The chunk's turns, labels and hard negatives, column by column."""

    def __init__(self) -> None:
        self.turns: dict[str, list[object]] = {"call_id": [], "turn_no": [], "speaker": [], "text": []}
        self.labels: dict[str, list[object]] = {"call_id": [], "issue_type": [], "turn_no": [], "family": []}
        self.negatives: dict[str, list[object]] = {"call_id": [], "turn_no": [], "kind": [], "family": []}

    def add(self, call_id: str, call: _Call) -> None:
        for k, (speaker, text) in enumerate(call.turns, start=1):
            _append(self.turns, call_id, k, speaker, text)
            role = call.roles[k - 1]
            if role in HARD_NEGATIVES:
                _append(self.negatives, call_id, k, role, call.families[k])
        for issue, turn, family in call.labels:
            _append(self.labels, call_id, issue, turn, family)

    def turns_table(self) -> pa.Table:
        return _table(self.turns, {"turn_no": pa.int64()})

    def labels_table(self) -> pa.Table:
        return _table(self.labels, {"turn_no": pa.int64()})

    def hard_negatives_table(self) -> pa.Table:
        return _table(self.negatives, {"turn_no": pa.int64()})


def _append(columns: dict[str, list[object]], *values: object) -> None:
    for column, value in zip(columns.values(), values, strict=True):
        column.append(value)


def _table(columns: dict[str, list[object]], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in columns.items()})


def _off_hours(d: Draws, started: np.datetime64) -> tuple[np.datetime64, bool]:
    """The same local day, at a minute outside 08:00-21:00, and whether it is late evening (else early morning)."""
    local_day = (started + _UTC_OFFSET).astype("datetime64[D]")
    late = d.random() < 0.7
    minute = 21 * 60 + 3 + int(d.random() * 140) if late else 6 * 60 + int(d.random() * 115)
    out: np.datetime64 = (local_day.astype("datetime64[m]") + np.timedelta64(minute, "m") - _UTC_OFFSET).astype(
        "datetime64[us]"
    )
    return out, late


def _slots(d: Draws, ctx: CallContext, r: int, surnames: tuple[str, ...]) -> dict[str, str]:
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


def _plan(d: Draws, ctx: CallContext, r: int, proneness: float) -> set[str]:
    boost = proneness * (_COMPLAINT_BOOST if ctx.complaint[r] else 1.0)
    return {issue for issue, rate in ISSUE_RATES.items() if d.random() < rate * boost}


def _opening(d: Draws, missing: bool, *, late: bool) -> tuple[str, str | None, str]:
    """The collector's first statement, the recording notice if it comes later (``late`` allows it), the family.

    The family says which mandatory statements are left out when ``missing`` (empty otherwise).
    """
    recording = d.pick(ph.RECORDING)
    self_id = d.pick(ph.SELF_ID)
    if missing:
        dropped = d.random()
        family = "missing/no_recording"
        if dropped < 0.35:
            self_id, family = d.pick(ph.SELF_ID_NO_NUMBER), "missing/no_staff_number"
        elif dropped < 0.6:
            self_id, family = d.pick(ph.SELF_ID_NO_BANK), "missing/no_institution_no_recording"
        if dropped >= 0.35 or d.random() < 0.5:
            family = "missing/no_staff_number_no_recording" if dropped < 0.35 else family
            return d.pick(ph.GREETINGS) + self_id + "。", None, family
        if d.random() < 0.7 or not late:
            return d.pick(ph.GREETINGS) + self_id + "，" + recording + "。", None, family
        return d.pick(ph.GREETINGS) + self_id + "。", recording + "。", family
    if d.random() < 0.7 or not late:
        return d.pick(ph.GREETINGS) + self_id + "，" + recording + "。", None, ""
    return d.pick(ph.GREETINGS) + self_id + "。", recording + "。", ""


def _write_call(d: Draws, ctx: CallContext, r: int, proneness: float, surnames: tuple[str, ...]) -> _Call:
    call = _Call(_slots(d, ctx, r, surnames), [], [], [])
    issues = _plan(d, ctx, r, proneness)
    if OFF_HOURS in issues:
        call.labels.append((OFF_HOURS, None, ""))  # its family (late or early) is known once the hour is drawn
    third = d.random() < THIRD_PARTY_ANSWERS[bool(ctx.individual[r])]
    opening, late_recording, missing = _opening(d, MISSING_DISCLOSURE in issues, late=not third)
    if MISSING_DISCLOSURE in issues:
        call.labels.append((MISSING_DISCLOSURE, None, missing))
    if third:
        call.say(THIRD_PARTY_SPEAKER, d.pick(ph.THIRD_PARTY_ANSWERS))
        call.say(AGENT, opening + d.pick(ph.ASK_FOR_DEBTOR))
        call.say(THIRD_PARTY_SPEAKER, d.pick(ph.THIRD_PARTY_PROBES))
        if d.random() < DISCLOSURE_RATE * min(proneness, 2.0):
            call.say(AGENT, d.pick(ph.DISCLOSE_TO_THIRD_PARTY), THIRD_PARTY)
        else:
            call.say(AGENT, d.pick(ph.REFUSE_TO_DISCLOSE), role=pn.REFUSAL_TO_DISCLOSE.kind)
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


def _debtor_reaction(d: Draws, call: _Call, kind: int, complaint: bool) -> None:
    options = {FORGETFUL: ph.DEBTOR_FORGOT, STRATEGIC: ph.DEBTOR_STALL, UNREACHABLE: ph.DEBTOR_SHORT}
    call.say(DEBTOR, d.pick(options.get(kind, ph.DEBTOR_HARDSHIP)))
    if d.random() < (0.35 if complaint else 0.06):  # hard negative: the debtor, not the collector, is abusive
        call.say(DEBTOR, d.pick(ph.DEBTOR_INSULTS_AGENT), role=pn.DEBTOR_INSULT.kind)
        call.say(AGENT, d.pick(ph.AGENT_CALM), role=pn.CALM_REPLY.kind)


def _pressure(d: Draws, call: _Call, issues: set[str]) -> None:
    """The collector's push for payment: lawful firmness, and any planted threat, insult or false statement."""
    moves: list[tuple[tuple[str, ...], str | None, str | None]] = []
    if d.random() < 0.45:
        moves.append((ph.POLITE_FIRM, None, pn.POLITE_FIRM.kind))
    if d.random() < 0.35:
        moves.append((ph.LAWFUL_CONSEQUENCES, None, pn.LAWFUL_CONSEQUENCE.kind))
    bank = {THREAT: ph.THREATS, INSULT: ph.INSULTS, FALSE_LEGAL: ph.FALSE_LEGAL}
    moves.extend((bank[i], i, None) for i in (THREAT, INSULT, FALSE_LEGAL) if i in issues)
    order = sorted(range(len(moves)), key=lambda _: d.random())
    for k in order:
        options, issue, role = moves[k]
        text = d.pick(options)
        if issue is not None:
            text = d.pick(ph.LEAD_INS) + text + d.pick(ph.TAILS)
            if d.random() < 0.3:
                text = d.pick(ph.POLITE_FIRM) + text
        call.say(AGENT, text, issue, role)
        call.say(DEBTOR, d.pick(ph.DEBTOR_NO_PROMISE + ph.DEBTOR_SHORT))
