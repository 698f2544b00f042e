"""Features and behaviour labels of one gang, from the links that hold it together and enterprise status."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from riskloop.graph.status import RECENT_DAYS, EnterpriseStatus
from riskloop.graph.usage import ROLES, Usage

if TYPE_CHECKING:
    from riskloop.graph.gangs import Links

DAY = 86_400
BURST_HOURS = 72
# Label rules in priority order: the first whose roles cover at least half of the members wins.
LABEL_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nominee_rep", ("legal_rep", "applicant")),
    ("shell_circular", ("officer",)),
    ("shared_contact", ("phone", "email", "bank_account")),
    ("device_farm", ("device", "ip", "ip_subnet", "login_device", "login_ip")),
    ("shared_address", ("address",)),  # one place, nothing personal: the weakest evidence a gang can have
)


def gang_label(coverage: dict[str, float]) -> str:
    """Behaviour label of a gang from the share of members each role links (``mixed`` if none reaches half)."""
    for label, roles in LABEL_RULES:
        if max(coverage.get(r, 0.0) for r in roles) >= 0.5:
            return label
    return "mixed"


def _member_links(linked: Links, members: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo, hi = linked.app_ptr[members], linked.app_ptr[members + 1]
    rows = linked.by_app[np.concatenate([np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)])]
    return linked.app[rows], linked.ident[rows], linked.role[rows]


def gang_features(
    usage: Usage, members: np.ndarray, linked: Links, status: EnterpriseStatus | None
) -> tuple[dict[str, float], dict[str, float]]:
    """Features of the gang ``members`` and the share of members linked through each role."""
    app, ident, role = _member_links(linked, members)
    n = len(members)
    idents, counts = np.unique(ident, return_counts=True)
    shared = np.isin(ident, idents[counts >= 2])
    coverage = {ROLES[r]: len(np.unique(app[shared & (role == r)])) / n for r in np.unique(role[shared]).tolist()}
    pairs = float((counts * (counts - 1) // 2).sum())
    at = usage.at[members]
    median = float(np.median(at))
    features = {
        "size": float(n),
        "enterprises": float(len({usage.credit_code[m] for m in members})),
        "density": min(1.0, pairs / max(n * (n - 1) / 2, 1.0)),
        "span_hours": float(at.max() - at.min()) / 3600.0,
        "burst_share": float(np.mean(np.abs(at - median) <= BURST_HOURS * 3600 / 2)),
        "recent_share": 0.0,
        "bad_share": 0.0,
    }
    if status is not None and len(status.established):
        rows = status.rows([usage.credit_code[m] for m in members])
        known = rows >= 0
        est = status.established[rows[known]]
        features["recent_share"] = float(np.sum(at[known] - est <= RECENT_DAYS * DAY)) / n
        features["bad_share"] = float(np.sum(status.bad_since()[rows[known]] <= at.max())) / n
    return features, coverage
