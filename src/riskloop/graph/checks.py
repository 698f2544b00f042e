"""Per-application graph checks for the decision path: signals plus masked evidence, in well under 1 ms.

Everything expensive (components, propagated and related-party risk) is computed in batch; a check only
normalises and keys the application's identifiers, reads bounded neighbourhoods and looks up arrays. It
works for an application the batch never saw.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from riskloop.graph.gang_index import GangIndex
from riskloop.graph.gangs import Gang
from riskloop.graph.infrastructure import CARRIER_ROLES, OWN_CHANNEL_ROLES, Infrastructure, shipped_infrastructure
from riskloop.graph.kinds import EDGE_CODE, NODE_CODE
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.normalize import normalize_one
from riskloop.graph.propagation import ALPHA
from riskloop.graph.status import RECENT_DAYS
from riskloop.graph.tokens import Keyed, Tokenizer
from riskloop.graph.usage import APPLICATION_ROLES, LOGIN_LOOKBACK_DAYS, ROLE_KIND

if TYPE_CHECKING:
    from riskloop.graph.live_features import LiveFeatures

DAY = 86_400
HUB_DEGREE = 200  # evidence reads at most this many neighbours of an identifier
# Roles whose links the strategy's shared-phone and shared-device inputs count (the detector's links).
PHONE_ROLES = frozenset({"phone"})
DEVICE_ROLES = frozenset({"device", "ip", "ip_subnet", "login_device"})
LOGIN_LOOKBACK = LOGIN_LOOKBACK_DAYS * DAY


@dataclass(frozen=True)
class GraphSignals:
    """Numeric signals (rules and models read these) and masked evidence (reviewers read these)."""

    application_id: str
    signals: dict[str, float]
    evidence: dict[str, list[str]] = field(default_factory=dict)
    gang: dict[str, object] | None = None
    features: dict[str, float] = field(default_factory=dict)  # the model's ``graph_*`` inputs (``live_features``)

    def rule_inputs(self) -> dict[str, object]:
        """The ``graph`` object the reference strategy reads (``graph.gang_member``, ``graph.gang_size`` ...).

        The fraud inputs are the gang detector's own links (``graph.linking``): enterprises this application
        links to through its phone, or through its device and network, as the detector would link them.
        """
        s = self.signals
        return {
            "gang_member": s["gang_size"] >= 2,
            "gang_size": s["gang_size"],
            "shared_phone_other_company": s["phone_linked_companies"] > 0,
            "shared_device_applicants": s["device_linked_companies"],
            "propagated_risk": min(1.0, max(0.0, s["propagated_risk"])),
            "related_party_risk": 1.0 - math.exp(-s["related_risk"]),  # unbounded weighted count -> [0, 1)
        }


def epoch(value: object) -> int:
    """Epoch seconds of a datetime (naive: UTC) or a number."""
    if isinstance(value, dt.datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp())
    if isinstance(value, int | float):
        return int(value)
    raise TypeError(f"applied_at: not a time: {value!r}")


MEMO_KEYS = 64


def _value(application: Mapping[str, object], column: str, role: str) -> object:
    """The identifier of ``role`` an application holds in ``column``.

    The /24 network comes from the raw IP, or from ``ip_subnet`` when the IP is a keyed token (a logged arrival:
    a token cannot give its network); a keyed IP without it has no known network.
    """
    if role != "ip_subnet":
        return application.get(column)
    subnet = application.get("ip_subnet")
    if subnet is not None:
        return subnet
    ip = application.get(column)
    return None if Keyed.parse(ip) is not None else ip


class GraphChecks:
    """Checks one application against the graph, the gang index and batch risk arrays."""

    def __init__(
        self,
        graph: EnterpriseGraph,
        *,
        tokenizer: Tokenizer,
        gangs: GangIndex,
        batch_gangs: list[Gang],
        propagated: np.ndarray,
        related: np.ndarray,
        live: LiveFeatures | None = None,
        infrastructure: Infrastructure | None = None,
    ) -> None:
        self.graph, self.tokenizer, self.index = graph, tokenizer, gangs
        self.infra = infrastructure or shipped_infrastructure()
        self._carrier = self.infra.subnet_keys(tokenizer)
        # the bank's own devices and IPs: those of the batch, and of own-channel applications recorded since
        self._owned = set(gangs.usage.infrastructure)
        self.propagated, self.related = propagated, related
        self.live = live  # the model's graph features of each checked application; none without it
        self._gang_of = {gangs.find(int(g.members[0])): g for g in batch_gangs}
        self._firm = self._owner_of("applied_for")  # application node -> enterprise node
        self._person = self._owner_of("applied_by")  # application node -> applicant node
        self._new_firm: dict[int, int] = {}  # the same for applications recorded since (overlay nodes)
        self._new_person: dict[int, int] = {}
        self._keys: dict[tuple[str, object], int | None] = {}  # lookup keys of the application at hand
        self._uses: tuple[str, list[tuple[str, int]], int | None] | None = None  # its uses and legal rep

    def _owner_of(self, edge_kind: str) -> np.ndarray:
        g = self.graph
        owner = np.full(g.n_nodes, -1, dtype=np.int64)
        sel = g.ekind == EDGE_CODE[edge_kind]
        owner[g.src[sel]] = g.dst[sel]
        return owner

    def uses(self, application: Mapping[str, object]) -> list[tuple[str, int]]:
        """``(role, key)`` identifier uses of an application: the rows ``usage.read_usage`` gives it, in role order.

        The declared identifiers, the firm's legal representative and officers, and the devices and IPs the
        applicant logged in from in the 7 days up to the application (the logins the graph knows). Memoised
        for the application at hand, like its lookup keys.
        """
        return self._uses_and_rep(application)[0]

    def _uses_and_rep(self, application: Mapping[str, object]) -> tuple[list[tuple[str, int]], int | None]:
        app_id = str(application.get("application_id", ""))
        if self._uses is not None and self._uses[0] == app_id:
            return self._uses[1], self._uses[2]
        g = self.graph
        out: list[tuple[str, int]] = []
        own = application.get("channel") in self.infra.own_channels
        if own:  # the bank's kiosk: from now on its device and IP link no one (``usage.owned_since``)
            kiosk = (self._key("device", application.get("device_id")), self._key("ip", application.get("ip")))
            self._owned.update(k for k in kiosk if k is not None)
        for column, role in APPLICATION_ROLES:
            if own and role in OWN_CHANNEL_ROLES:
                continue  # the bank's kiosk (``graph.infrastructure``)
            key = self._key(ROLE_KIND[role], _value(application, column, role))
            if key is not None:
                out.append((role, key))
        if any(role == "ip_subnet" and key in self._carrier for role, key in out):
            out = [(role, key) for role, key in out if role not in CARRIER_ROLES]  # a carrier's NAT address
        rep: int | None = None
        firm = self._node("enterprise", application.get("credit_code"))
        if firm is not None:
            # every officer, as the batch reads them (a trading firm has thousands of edges). Representatives and
            # officers come from the build only (recording adds application edges), so the growing overlay of
            # a firm that applies often is not read
            nbr, eid = g.batch_neighbors(firm)
            kinds = g.ekind[eid]
            reps = nbr[kinds == EDGE_CODE["legal_rep"]].tolist()
            rep = reps[-1] if reps else None
            out += [("legal_rep", g.keys[p]) for p in reps]
            out += [("officer", g.keys[p]) for p in nbr[kinds == EDGE_CODE["officer"]].tolist()]
        person = self._node("person", application.get("applicant_id"))
        if person is not None:
            at = epoch(application["applied_at"])
            nbr, eid = g.neighbors(person)
            kinds, start, end = g.edge_arrays(eid)
            # a login edge spans the first to the last login: one in (at - 7 days, at] iff the last is in it,
            # when the graph knows no login after ``at`` (true on the decision path)
            recent = nbr[(kinds == EDGE_CODE["logged_in_from"]) & (start <= at) & (end > at - LOGIN_LOOKBACK)]
            device = g.kind[recent] == NODE_CODE["device"]
            out += [("login_device", g.keys[n]) for n in recent[device].tolist()]  # login IPs: ``usage.read_usage``
        out = [(role, key) for role, key in out if key not in self._owned]
        self._uses = (app_id, out, rep)
        return out, rep

    def _others(self, node: int | None, own: int | None, kind: str) -> tuple[int, bool, list[int]]:
        """Distinct other enterprises (or applicants) behind an identifier node; hub flag; a few node ids."""
        if node is None:
            return 0, False, []
        g = self.graph
        hub = g.degree(node) > HUB_DEGREE
        nbr, _ = g.neighbors(node, limit=HUB_DEGREE)
        recorded = nbr[nbr >= len(self._firm)].tolist()
        nbr = nbr[nbr < len(self._firm)]
        table, later = (self._firm, self._new_firm) if kind == "enterprise" else (self._person, self._new_person)
        kinds = g.kind[nbr]
        found = set(nbr[kinds == NODE_CODE[kind]].tolist())
        found.update(table[nbr[kinds == NODE_CODE["application"]]].tolist())
        found.update(later[a] for a in recorded if a in later)
        found.discard(-1)
        found.discard(own if own is not None else -1)
        return len(found), hub, sorted(found)[:5]

    def _key(self, kind: str, value: object) -> int | None:
        """Lookup key of a raw identifier, memoised for the application being checked."""
        memo = (kind, value)
        if memo not in self._keys:
            keyed = Keyed.parse(value)  # an arrival logged by token (no raw identifier at rest)
            norm = None if keyed is not None else normalize_one(kind, value)
            self._keys[memo] = keyed.key64 if keyed else None if norm is None else self.tokenizer.key64(kind, norm)
        return self._keys[memo]

    def _node(self, kind: str, value: object) -> int | None:
        key = self._key(kind, value)
        return None if key is None else self.graph.lookup(key)

    def check(self, application: Mapping[str, object]) -> GraphSignals:
        """Signals and evidence for one application (a mapping with the ``applications`` table's columns)."""
        g = self.graph
        self._keys, self._uses = {}, None
        at = epoch(application["applied_at"])
        firm = self._node("enterprise", application.get("credit_code"))
        applicant = self._node("person", application.get("applicant_id"))
        signals: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        for column, kind, owner in (
            ("phone", "phone", "enterprise"),
            ("address", "address", "enterprise"),
            ("device_id", "device", "person"),
            ("ip", "ip", "person"),
        ):
            node = self._node(kind, application.get(column))
            n, hub, some = self._others(node, firm if owner == "enterprise" else applicant, owner)
            name = f"{kind}_other_{'companies' if owner == 'enterprise' else 'applicants'}"
            signals[name] = float(n)
            signals[f"{kind}_is_hub"] = float(hub)
            if n and node is not None:
                evidence[name] = [g.label[node]] + [g.label[s] for s in some]
        signals["rep_new_companies"], evidence["rep_new_companies"] = self._rep_new(firm, at)
        signals.update(self._risk(firm, application))
        app_id, code = str(application.get("application_id", "")), str(application.get("credit_code", ""))
        linked = self.index.linked(self.uses(application), at, code, self.index.position(app_id))
        signals["phone_linked_companies"] = float(len(self._linked_codes(linked, PHONE_ROLES) - {code}))
        same_person = self._linked_codes(linked, frozenset({"applicant"}))  # one applicant's own device is no farm
        signals["device_linked_companies"] = float(len(self._linked_codes(linked, DEVICE_ROLES) - same_person - {code}))
        gang = self._gang(linked)
        signals["gang_size"] = float(str(gang["size"])) if gang else 0.0
        features: dict[str, float] = {}
        if self.live is not None:
            uses, rep = self._uses_and_rep(application)
            features = self.live.features(application_id=app_id, credit_code=code, uses=uses, firm=firm, rep=rep, at=at)
        return GraphSignals(app_id, signals, evidence, gang, features)

    def prepare(self, at: int) -> None:
        """Compute now what the first check at ``at`` (epoch seconds) would otherwise compute (a risk snapshot)."""
        if self.live is not None:
            self.live.prepare(at)

    def record(self, application: Mapping[str, object]) -> bool:
        """Add a checked application to the graph overlay and the gang index, so later arrivals see it.

        No rebuild: the overlay and the union-find take the new edges (``graph.incremental``). Returns
        False, changing nothing, when the application is already known.
        """
        from riskloop.graph.incremental import record_application  # it imports this module

        app_id = str(application.get("application_id", ""))
        if self.index.position(app_id) is not None:
            return False
        if len(self._keys) > MEMO_KEYS:  # recorded without a check first (a catch-up): keep the memo small
            self._keys = {}
        uses = self.uses(application)  # keys are a pure function of (kind, value): the check's memo stays valid
        self._uses = None
        record_application(self.graph, self.tokenizer, application, self._key)
        app = self._node("application", app_id)
        firm = self._node("enterprise", application.get("credit_code"))
        person = self._node("person", application.get("applicant_id"))
        if app is not None and app >= len(self._firm):
            if firm is not None:
                self._new_firm[app] = firm
            if person is not None:
                self._new_person[app] = person
        at, code = epoch(application["applied_at"]), str(application.get("credit_code", ""))
        self.index.add(app_id, code, at, uses)
        if self.live is not None:
            self.live.record(app_id, code, at, uses)
        return True

    def _rep_new(self, firm: int | None, at: int) -> tuple[float, list[str]]:
        if firm is None:
            return 0.0, []
        g = self.graph
        nbr, eid = g.neighbors(firm, limit=HUB_DEGREE)
        kinds, _, _ = g.edge_arrays(eid)
        reps = nbr[kinds == EDGE_CODE["legal_rep"]].tolist()
        firms: set[int] = set()
        for rep in reps:
            rn, re_ = g.neighbors(rep, limit=HUB_DEGREE)
            rk, start, _ = g.edge_arrays(re_)
            recent = (rk == EDGE_CODE["legal_rep"]) & (start <= at) & (start > at - RECENT_DAYS * DAY)
            firms.update(rn[recent].tolist())
        return float(len(firms)), [g.label[r] for r in reps]

    def _risk(self, firm: int | None, application: Mapping[str, object]) -> dict[str, float]:
        if firm is not None and firm < len(self.propagated):
            return {"propagated_risk": float(self.propagated[firm]), "related_risk": float(self.related[firm])}
        nodes = [self._node(k, application.get(c)) for c, k in (("phone", "phone"), ("device_id", "device"))]
        near = [float(self.propagated[n]) for n in nodes if n is not None and n < len(self.propagated)]
        return {"propagated_risk": ALPHA * max(near, default=0.0), "related_risk": 0.0}

    def _linked_codes(self, linked: list[tuple[str, list[int]]], roles: frozenset[str]) -> set[str]:
        """Enterprises this application links to through identifiers of ``roles``."""
        codes = self.index.credit_code
        return {codes[a] for role, apps in linked if role in roles for a in apps}

    def _gang(self, linked: list[tuple[str, list[int]]]) -> dict[str, object] | None:
        """The gang this application joins (without recording it): size and label of the merged component."""
        idx = self.index
        roots = {idx.find(a) for _, apps in linked for a in apps}
        if not roots:
            return None
        size = 1 + sum(idx.component_size(r) for r in roots)
        known = [self._gang_of[r] for r in roots if r in self._gang_of]
        best = max(known, key=lambda x: len(x.members)) if known else None
        return {
            "size": size,
            "gang_id": best.gang_id if best else None,
            "label": best.label if best else None,
            "features": best.features if best else {},
        }
