"""The demo's front door stage (issue 17): registrations screened, text tags, a confirmed gang, identity, consent.

- Registrations: the universe's whole registration log replayed in time order under the workspace's thresholds,
  in memory from an empty state (what ``riskloop registrations screen LOG`` does: the stored state of the live
  screen would take minutes on SQLite for the default universe's 19,000 sign-ups), judged against the planted
  attacks (``truth/registration_attacks``).
- Text tags: ``demo_text_tags``.
- Lists: gangs detected on the workspace's graph; the demo reviewer confirms the largest as fraud (its members'
  credit codes black-listed, one audited version); a new application of one member is then declined (BLACKLIST).
- Identity and consent: a verification session opened through the workspace's desk with the vendors it has (none
  configured: no code can be texted, no carrier asked, and the summary says so), one consent recorded.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.domain.access import APPROVER, CHANNEL, REVIEWER, Principal
from riskloop.domain.decision_request import DecisionRequest
from riskloop.errors import RiskloopError, ValidationError
from riskloop.graph.infrastructure import shipped_infrastructure
from riskloop.jobs.demo_text_tags import run_text_tags
from riskloop.rules.loaders import REFERENCE
from riskloop.service.graph import detect_workspace_gangs
from riskloop.service.ports import Progress, no_progress
from riskloop.service.registrations import RegistrationScreen, replay
from riskloop.service.runtime import Runtime
from riskloop.storage.registrations import InProcessVelocityStore
from riskloop.workspace import Workspace

SHAPES = ("burst", "drip", "rotating")
BUREAU = "pboc"  # the shipped bureau source a consent names
CONSENT_DAYS = 365
PROGRESS_EVERY = 500


def run_front_door(ws: Workspace, universe: Path, principals: Mapping[str, Principal], example: DecisionRequest, *,
                   seed: int, progress: Progress = no_progress) -> dict[str, Any]:  # fmt: skip
    """Every part of the front door on the demo workspace, each with its seconds."""
    seconds: dict[str, float] = {}
    out: dict[str, Any] = {}
    truth = universe / "truth"
    parts: tuple[tuple[str, Callable[[], dict[str, Any]]], ...] = (
        ("registrations", lambda: screen_registrations(ws, universe, progress)),
        ("text_tags", lambda: run_text_tags(ws, truth, principals[APPROVER], seed=seed, progress=progress)),
        ("lists", lambda: confirm_largest_gang(ws, principals[REVIEWER], truth)),
        ("identity", lambda: identity_and_consent(ws, principals[CHANNEL], example)),
    )
    for name, part in parts:
        started = time.perf_counter()
        out[name] = part()
        seconds[name] = round(time.perf_counter() - started, 2)
    return {**out, "seconds": seconds}


def screen_registrations(ws: Workspace, universe: Path, progress: Progress = no_progress) -> dict[str, Any]:
    """The whole registration log replayed in memory, oldest first; outcomes and the share intercepted."""
    parts = sorted((universe / "events" / "registrations").glob("*.parquet"))
    rows = pa.concat_tables([pq.read_table(p) for p in parts]).sort_by("registered_at").to_pylist()
    screen = in_memory_screen(ws)
    outcomes: dict[str, str] = {}
    invalid = 0
    for number, result in replay(screen, rows):
        if isinstance(result, ValidationError):
            invalid += 1
        else:
            outcomes[result.registration_id] = result.outcome
        if number % PROGRESS_EVERY == 0 or number == len(rows):
            progress("registrations", number, len(rows))
    counts = Counter(outcomes.values())
    return {
        "policy": screen.policy.version,
        "registrations": len(rows),
        "invalid": invalid,
        "outcomes": {o: counts[o] for o in ("accept", "step_up", "block")},
        "vs_truth": registrations_vs_truth(outcomes, universe / "truth"),
    }


def in_memory_screen(ws: Workspace) -> RegistrationScreen:
    """The workspace's screen with its thresholds in force, over state kept in this process (values as keys)."""
    policy = ws.registrations().policy
    subnets = frozenset(shipped_infrastructure().subnets())
    return RegistrationScreen(InProcessVelocityStore(), ws.clock, policy, lambda _, v: v, infrastructure=subnets)


def registrations_vs_truth(outcomes: Mapping[str, str], truth_dir: Path) -> dict[str, Any]:
    """Per attack shape, the share blocked and intercepted (blocked or stepped up); the honest sign-ups' shares."""
    attacks = pd.read_parquet(truth_dir / "registration_attacks.parquet", columns=["registration_id", "shape"])
    shape_of = dict(zip(attacks["registration_id"].astype(str), attacks["shape"].astype(str), strict=True))
    by_shape: dict[str, list[str]] = {}
    for reg_id, outcome in outcomes.items():
        by_shape.setdefault(shape_of.get(reg_id, "honest"), []).append(outcome)
    shapes = {s: _shares(by_shape.get(s, [])) for s in sorted(set(by_shape) - {"honest"}, key=_shape_order)}
    return {"attacks": shapes, "honest": _shares(by_shape.get("honest", []))}


def _shape_order(shape: str) -> tuple[int, str]:
    return (SHAPES.index(shape) if shape in SHAPES else len(SHAPES), shape)


def _shares(outcomes: list[str]) -> dict[str, Any]:
    n = len(outcomes)
    blocked, stepped = outcomes.count("block"), outcomes.count("step_up")
    return {
        "registrations": n,
        "blocked": blocked,
        "stepped_up": stepped,
        "blocked_share": blocked / n if n else None,
        "intercepted_share": (blocked + stepped) / n if n else None,
    }


def confirm_largest_gang(ws: Workspace, reviewer: Principal, truth_dir: Path) -> dict[str, Any]:
    """The largest detected gang confirmed by ``reviewer`` (once); a new application of a member decided."""
    con = ws.warehouse.connect()
    try:
        found = detect_workspace_gangs(con, ws.graph_store(), ws.tokenizer())
    finally:
        con.close()
    gangs: list[dict[str, Any]] = found["gangs"]  # type: ignore[assignment]
    if not gangs:
        return {"gangs": 0, "skipped": "no gang detected among the applications"}
    gang = max(gangs, key=lambda g: (len(g["credit_codes"]), g["gang_id"]))
    codes = sorted(gang["credit_codes"])
    desk = ws.lists()
    listed = [e for e in desk.show(reviewer, list_kind="black") if e.provenance.get("gang_id") == gang["gang_id"]]
    confirmed: dict[str, Any]
    if listed:  # a re-run: confirmed already
        confirmed = {"version": listed[0].version, "entries": listed, "already": True}
    else:
        evidence = f"riskloop demo: gang {gang['gang_id']} detected on the graph, reviewed by {reviewer.name}"
        confirmed = desk.confirm_gang(reviewer, gang["gang_id"], credit_codes=codes, identifiers=[], evidence=evidence)
    rings = pd.read_parquet(truth_dir / "ring_members.parquet", columns=["credit_code"])
    return {
        "gangs": len(gangs),
        "gang_id": gang["gang_id"],
        "members": len(codes),
        "in_planted_rings": len(set(codes) & set(rings["credit_code"].astype(str))),
        "reviewer": reviewer.name,
        "version": confirmed["version"],
        "entries_listed": len(confirmed["entries"]),
        "already_confirmed": bool(confirmed.get("already")),
        "new_application": decide_member(ws, codes[0]),
    }


def decide_member(ws: Workspace, credit_code: str) -> dict[str, Any]:
    """A new application of ``credit_code`` (product, amount, term, channel, device of its latest one) decided now."""
    con = ws.warehouse.connect()
    try:
        row = con.execute(
            "SELECT product_code, requested_amount_cents, term_months, channel, device_id, ip FROM applications "
            "WHERE credit_code = ? ORDER BY applied_at DESC LIMIT 1",
            [credit_code],
        ).fetchone()
    finally:
        con.close()
    if row is None:
        return {"skipped": f"no application of {credit_code} in the warehouse"}
    product, amount, term, channel, device, ip = row
    at = ws.clock.now()
    request = DecisionRequest(
        application_id=f"DEMO-LIST-{at:%Y%m%d%H%M%S}", credit_code=credit_code, product_code=str(product),
        amount_cents=int(amount), term_months=int(term), channel=str(channel), device_id=device, ip=ip,
    )  # fmt: skip
    decision = ws.decider(Runtime(strategy=REFERENCE)).decide(request).decision
    return {
        "application_id": request.application_id,
        "credit_code": credit_code,
        "tier": decision.tier.value,
        "reasons": [{"code": r.code, "zh": r.text_zh, "en": r.text} for r in decision.reasons],
    }


def identity_and_consent(ws: Workspace, channel: Principal, example: DecisionRequest) -> dict[str, Any]:
    """A verification session of the example applicant with the workspace's vendors, and one consent recorded."""
    if example.applicant_id is None or example.phone is None:
        return {"skipped": "the example application names no applicant or phone"}
    desk = ws.verification_desk()
    session = desk.open(channel.name, example.applicant_id, example.phone, example.credit_code)
    try:
        desk.send_code(channel.name, session.session_id, example.phone)
        sms = "sent"
    except RiskloopError as exc:  # no SMS gateway configured: nothing is texted, nothing faked
        sms = str(exc)
    carrier = desk.phone_owner(channel.name, session.session_id, example.applicant_id, example.phone)
    now = ws.clock.now()
    consent = ws.consents().record(
        subject=example.credit_code, subject_kind="enterprise", sources=[BUREAU], purpose="credit_assessment",
        expires_at=now + dt.timedelta(days=CONSENT_DAYS), evidence="riskloop demo: signed authorisation (synthetic)",
        actor=channel.name, principal=channel,
    )  # fmt: skip
    return {
        "verification": {
            "verification_id": session.session_id,
            "channel": channel.name,
            "expires_at": session.expires_at.isoformat(),
            "sms": sms,
            "carrier": carrier.error or ("matched" if carrier.registered_to_person else "not matched"),
            "identity": desk.get(channel.name, session.session_id).identity(),
        },
        "consent": {
            "consent_id": consent.consent_id,
            "sources": list(consent.sources),
            "purpose": consent.purpose,
            "granted_at": consent.granted_at.isoformat(),
            "expires_at": consent.expires_at.isoformat(),
            "recorded_by": consent.recorded_by,
            "source_configured": ws.source_catalog().get(BUREAU).configured,
        },
    }
