"""The pre-disbursal re-check's rules: what changed since the decision, and what the policy's findings add up to.

``context`` compares what the decision read (its stored inputs) with what the sources say now; the versioned
policy (a JDM table, strategy ``drawdown-recheck``) turns it into findings, each an action and a reason code;
``verdict`` takes the worst action. A source that could not be read refers the drawdown with its
``DATA_UNAVAILABLE_*`` reason whatever the policy says: a drawdown is never paid on a check that did not run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PROCEED, REFER, REFUSE = "proceed", "refer", "refuse"
ACTIONS = (PROCEED, REFER, REFUSE)  # in order of severity
UNAVAILABLE = {
    "profile": "DATA_UNAVAILABLE_PROFILE",
    "features": "DATA_UNAVAILABLE_FEATURES",
    "graph": "DATA_UNAVAILABLE_GRAPH",
    "lists": "LIST_UNAVAILABLE",
    "alerts": "DATA_UNAVAILABLE_ALERTS",
    "decision": "DATA_UNAVAILABLE_DECISION",
    "policy": "DATA_UNAVAILABLE_RULES",
}


def context(
    then: Mapping[str, Any],
    now: Mapping[str, Any],
    drawdown: Mapping[str, Any],
) -> dict[str, Any]:
    """The policy's input: ``now`` read from the sources, with what is new since ``then`` (the decision's inputs).

    ``now`` holds ``profile`` (a profile's fields or None), ``features`` (values or None), ``graph`` (the
    graph signals' fields or None), ``lists`` (``{"black": bool, "grey": bool}`` or None) and ``alerts`` (open
    levels or None); None is a source that could not be read.
    """
    values = now.get("features") or {}
    before = ((then.get("features") or {}).get("values")) or {}
    enforcements = int(values.get("risk_open_enforcements") or 0)
    graph_now, graph_then = now.get("graph") or {}, then.get("graph") or {}
    profile = now.get("profile") or {}
    levels = list(now.get("alerts") or [])
    lists = now.get("lists") or {}
    return {
        "lists": {"black": bool(lists.get("black")), "grey": bool(lists.get("grey"))},
        "profile": {"status": profile.get("status"), "blacklisted": bool(profile.get("blacklisted"))},
        "risk": {
            "dishonest_listed": bool(values.get("risk_dishonest_listed") or 0),
            "open_enforcements": enforcements,
            "new_enforcements": max(0, enforcements - int(before.get("risk_open_enforcements") or 0)),
        },
        "alerts": {level: levels.count(level) for level in ("warning", "attention", "notice")},
        "graph": {
            "gang_member": bool(graph_now.get("gang_member")),
            "gang_size": int(graph_now.get("gang_size") or 0),
            "gang_new": bool(graph_now.get("gang_member")) and not bool(graph_then.get("gang_member")),
        },
        "drawdown": dict(drawdown),
        "data": {name: now.get(name) is not None for name in ("profile", "features", "graph", "lists", "alerts")},
    }


def verdict(findings: Sequence[Mapping[str, Any]], failures: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The worst action of the findings and the sources that failed, with their codes (worst first, once each)."""
    ranked: list[tuple[int, str]] = [(ACTIONS.index(REFER), UNAVAILABLE[name]) for name in failures]
    for finding in findings:
        action = str(finding.get("action", ""))
        if action not in ACTIONS:  # a row the policy's author mistyped refers rather than pays
            action = REFER
        ranked.append((ACTIONS.index(action), str(finding.get("code") or UNAVAILABLE["policy"])))
    if not ranked:
        return PROCEED, ()
    worst = max(rank for rank, _ in ranked)
    codes: list[str] = []
    for _, code in sorted(ranked, key=lambda r: -r[0]):
        if code not in codes:
            codes.append(code)
    return ACTIONS[worst], tuple(codes)
