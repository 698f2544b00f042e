"""A gang's shared personal identifiers by graph key, and a request's identifiers keyed the same way.

The graph knows a phone, device, account, e-mail or applicant only by its keyed token (``graph.tokens``): a
confirmed gang's shared identifiers can be listed by that key alone, and a new request matched against them by
normalising and keying its identifiers exactly as the graph does (``graph.normalize.normalize_one``,
``Tokenizer.token``, the arrival log's ``infrastructure.identifying``). The lookup value is the token's first
16 hex digits: the lookup key the graph itself links by (``Tokenizer.key64``), so it is the same whether the
graph holds the node or only a use of it.

Only personal identifiers are listed: an address, an IP or its network, a legal representative and an officer
are shared by nature (``graph.linking``), and known infrastructure (the bank's kiosks, carrier networks,
registered hubs) and hubs are never shared identifiers of anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.graph.infrastructure import identifying
from riskloop.graph.kinds import NODE_CODE
from riskloop.graph.linking import GangSettings
from riskloop.graph.normalize import normalize_one
from riskloop.graph.tokens import Keyed, Tokenizer
from riskloop.graph.usage import ROLE_CODE, ROLE_KIND, ROLES, Usage

KEY_HEX = 16  # the lookup key's hex digits at the head of a token
# Role of a personal identifier -> the edge kind that links it (the provenance's "link").
LISTED_ROLES: dict[str, str] = {
    "phone": "uses_phone",
    "device": "uses_device",
    "login_device": "logged_in_from",
    "email": "uses_email",
    "bank_account": "uses_bank_account",
    "applicant": "applied_by",
}
# Request field -> graph kind of the identifiers a request is screened by graph key.
REQUEST_KINDS: tuple[tuple[str, str], ...] = (
    ("applicant_id", "person"),
    ("phone", "phone"),
    ("device_id", "device"),
    ("email", "email"),
    ("bank_account", "bank_account"),
)


@dataclass(frozen=True)
class SharedIdentifier:
    """A personal identifier two or more of a gang's enterprises used: its kind, key, token and masked label."""

    kind: str  # graph node kind: phone, device, email, bank_account, person
    link: str  # edge kind of its first role among the members (uses_device, applied_by...)
    key: int
    token: str  # the graph node's token, or the key's hex when the graph has no node of it
    label: str
    enterprises: int  # distinct member enterprises that used it


def key_hex(key: int) -> str:
    """The lookup key as the head of a token (``Keyed.key64`` reversed)."""
    return key.to_bytes(8, "little", signed=True).hex()


def shared_identifiers(
    usage: Usage, members: np.ndarray, in_window: np.ndarray, settings: GangSettings
) -> list[tuple[str, int, int]]:
    """``(role, key, enterprises)`` of each personal identifier at least two member enterprises used.

    Hubs by the detector's own judgement (more than ``max_parties`` enterprises or ``max_uses`` applications in
    the window) and known infrastructure (``Usage.infrastructure``, whose uses are already left out) are not.
    """
    codes = [ROLE_CODE[r] for r in LISTED_ROLES]
    rows = in_window[usage.app] & np.isin(usage.role, codes) & ~np.isin(usage.key, list(usage.infrastructure))
    app, key, role = usage.app[rows], usage.key[rows], usage.role[rows]
    mine = np.isin(app, members)
    wanted = np.unique(key[mine])
    near = np.isin(key, wanted)  # every in-window use of the members' identifiers: hubs are judged on all
    app, key, role, mine = app[near], key[near], role[near], mine[near]
    out: list[tuple[str, int, int]] = []
    party = usage.party
    for k in wanted.tolist():
        at = key == k
        apps = np.unique(app[at])
        if len(np.unique(party[apps])) > settings.max_parties or len(apps) > settings.max_uses:
            continue
        inside = len(np.unique(party[app[at & mine]]))
        if inside >= 2:
            out.append((ROLES[int(role[at & mine][0])], int(k), inside))
    return out


def describe(found: Sequence[tuple[str, int, int]], nodes: pa.Table | None) -> list[SharedIdentifier]:
    """Tokens and masked labels of ``found`` from the graph's nodes (a use without a node: its key's hex)."""
    by_key: dict[tuple[int, int], tuple[str, str]] = {}
    if nodes is not None and found:
        hit = nodes.filter(pc.is_in(nodes["key"], pa.array([k for _, k, _ in found], pa.int64())))
        for kind, key, token, label in zip(*(hit[c].to_pylist() for c in ("kind", "key", "token", "label")),
                                           strict=True):  # fmt: skip
            by_key[(kind, key)] = (token, label)
    out = []
    for role, key, parties in found:
        kind = ROLE_KIND[role]
        token, label = by_key.get((NODE_CODE[kind], key), (key_hex(key), f"{kind}:{key_hex(key)[:8]}…"))
        out.append(SharedIdentifier(kind, LISTED_ROLES[role], key, token, label, parties))
    return out


def request_keys(request: Mapping[str, object], tokenizer: Tokenizer) -> list[tuple[str, str, str]]:
    """``(field, graph kind, key hex)`` of a request's personal identifiers, keyed as the graph keys them.

    An own channel's device is the bank's, not the applicant's (``identifying``, as the arrival log keeps it); a
    keyed value (``tok1:``) gives its token's key; a value that does not normalise, or is sealed, gives nothing.
    """
    own = identifying(dict(request))
    out = []
    for field, kind in REQUEST_KINDS:
        raw = own.get(field)
        if raw is None:
            continue
        keyed = Keyed.parse(raw)
        if keyed is not None:
            out.append((field, kind, keyed.token[:KEY_HEX]))
            continue
        value = normalize_one(kind, raw)
        if value is not None and not value.startswith("tok1:"):
            out.append((field, kind, tokenizer.token(kind, value)[:KEY_HEX]))
    return out
