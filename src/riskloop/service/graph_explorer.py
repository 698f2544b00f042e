"""The analyst console's graph reads: find an enterprise, its neighbourhood, paths, an alert's propagation.

Reviewers, analysts, post-loan officers and auditors read the graph the serving process already holds (the
decision path's, never reloaded per request): a read holds its lock for the expansion only; labels are put on
afterwards. Enterprises are labelled with their registered names (not personal data). Persons are labelled
with their name masked (``张**``, from the stored keyed form: nothing is decrypted) or, for the roles in
``NAME_VIEW``, whole: opened from the vault, each opening audited (``pii.reveal``). Identifiers keep the
graph's masked labels. No graph loaded is a DataSourceError (503) naming the command that builds one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from riskloop.domain.access import ANALYST, AUDITOR, POST_LOAN_OFFICER, REVIEWER, Principal, require_role
from riskloop.domain.clock import Clock
from riskloop.domain.enterprise_card import EnterpriseCard
from riskloop.domain.identifiers import validate_uscc
from riskloop.errors import DataSourceError, NotFoundError, ValidationError
from riskloop.graph.checks import epoch
from riskloop.graph.explore import (
    EdgeFacts,
    GraphView,
    NodeFacts,
    Sketch,
    between,
    chain,
    nearest_bad,
    neighbourhood,
    path_sketch,
)
from riskloop.graph.normalize import normalize_one
from riskloop.graph.tokens import KEYED, Keyed
from riskloop.service.graph_explorer_ports import EnterpriseDirectory, GraphSource, NameVault
from riskloop.service.prerequisites import NO_GRAPH

GRAPH_READERS = (REVIEWER, ANALYST, POST_LOAN_OFFICER, AUDITOR)
NAME_VIEW = frozenset({AUDITOR})  # the roles that see persons' names whole (as identifiers: service.identifiers)
MAX_HOPS = 3
MAX_NODES = 5_000
PATH_HOPS = 6  # a shortest path or the nearest known-bad enterprise: at most this many edges
BAD_SEARCH_HOPS, BAD_SEARCH_NODES = 4, 20_000
MAX_PAGE = 50
CODE_PREFIX_MIN = 6
_CODE_CHARS = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")


class GraphExplorer:
    """Graph reads for the console.

    Parameters
    ----------
    source : GraphSource or None
        The loaded graph (None: no graph deployed in this process; every graph read is then a 503).
    directory : EnterpriseDirectory
        Registrations: enterprise names and search, persons' stored names.
    vault : NameVault
        Opens persons' names for the roles that see them, audited.
    clock : Clock
        Known-bad is as of now.

    """

    def __init__(
        self, source: GraphSource | None, directory: EnterpriseDirectory, vault: NameVault, clock: Clock
    ) -> None:
        self.source, self.directory, self.vault, self.clock = source, directory, vault, clock

    @contextmanager
    def _view(self) -> Iterator[GraphView]:
        if self.source is None:
            raise DataSourceError(NO_GRAPH)
        with self.source.reading() as view:
            if view is None:
                raise DataSourceError(NO_GRAPH)
            yield view

    def search(self, principal: Principal, query: str, limit: int, offset: int) -> dict[str, Any]:
        """Enterprises by credit code (whole, or a prefix of 6 characters or more), else by exact name."""
        require_role(principal, GRAPH_READERS, "searching the graph")
        text = query.strip()
        if not text:
            raise ValidationError("q", "give a credit code, a prefix of one (6 characters or more), or a name")
        limit = min(limit, MAX_PAGE)
        code = text.upper()
        if CODE_PREFIX_MIN <= len(code) <= 18 and set(code) <= _CODE_CHARS:
            cards, total = self._by_code(code, limit, offset)
            match = "credit_code" if len(code) == 18 else "credit_code_prefix"
        else:
            keyed = normalize_one("name", text)
            names = [text] + ([self._keyed_name(keyed)] if keyed else [])
            cards, total = self.directory.named(names, limit, offset)
            match = "name"
        in_graph = self._in_graph([c.credit_code for c in cards])
        items = [{**_card(c), "in_graph": c.credit_code in in_graph} for c in cards]
        following = offset + len(items)
        return {
            "items": items,
            "match": match,
            "total": total,
            "limit": limit,
            "offset": offset,
            "next_offset": following if following < total else None,
        }

    def _keyed_name(self, name: str) -> str:
        """The stored form of a name kept tokenised at rest (``Tokenizer.keyed``): found without decrypting."""
        if self.source is None:
            return name
        with self.source.reading() as view:
            return name if view is None else view.tokenizer.keyed("name", name)

    def _by_code(self, code: str, limit: int, offset: int) -> tuple[list[EnterpriseCard], int]:
        if len(code) < 18:
            return self.directory.with_prefix(code, limit, offset)
        found = self.directory.by_codes([code]).get(code)
        if found is None and code in self._in_graph([code]):
            found = EnterpriseCard(code)  # in the graph (a counterparty, a guarantor) without a registration row
        cards = [] if found is None else [found]
        return cards[offset : offset + limit], len(cards)

    def _in_graph(self, codes: Sequence[str]) -> set[str]:
        if self.source is None or not codes:
            return set()
        with self.source.reading() as view:
            return set() if view is None else {c for c in codes if view.enterprise(c) is not None}

    def neighbourhood(self, principal: Principal, credit_code: str, hops: int, limit: int) -> dict[str, Any]:
        """Nodes and edges within ``hops`` of the enterprise (at most ``limit`` nodes), flagged."""
        require_role(principal, GRAPH_READERS, "reading the graph")
        code = validate_uscc(credit_code)
        if not 1 <= hops <= MAX_HOPS:
            raise ValidationError("hops", f"between 1 and {MAX_HOPS}")
        if not 1 <= limit <= MAX_NODES:
            raise ValidationError("limit", f"between 1 and {MAX_NODES}")
        at = epoch(self.clock.now())
        with self._view() as view:
            found = neighbourhood(view, self._node(view, code, "credit_code"), hops, limit, at)
        return self._drawn(principal, found, f"graph:neighbourhood:{code}")

    def path(self, principal: Principal, source: str, target: str) -> dict[str, Any]:
        """A shortest path between two enterprises (404 when none within ``PATH_HOPS``)."""
        require_role(principal, GRAPH_READERS, "reading the graph")
        a, b = validate_uscc(source, "source"), validate_uscc(target, "target")
        at = epoch(self.clock.now())
        with self._view() as view:
            start, end = self._node(view, a, "source"), self._node(view, b, "target")
            found = between(view, start, end, PATH_HOPS)
            if found is None:
                raise NotFoundError(f"no path between {a} and {b} within {PATH_HOPS} relations")
            drawn = path_sketch(view, found, at, start)
        return self._drawn(principal, drawn, f"graph:path:{a}:{b}", closeness=found.closeness)

    def nearest_bad(self, principal: Principal, credit_code: str) -> dict[str, Any]:
        """A shortest path to the nearest other enterprise known bad now (404 when none within the caps)."""
        require_role(principal, GRAPH_READERS, "reading the graph")
        code = validate_uscc(credit_code)
        at = epoch(self.clock.now())
        with self._view() as view:
            start = self._node(view, code, "credit_code")
            found = nearest_bad(view, start, at, BAD_SEARCH_HOPS, BAD_SEARCH_NODES)
            if found is None:
                raise NotFoundError(f"{code}: no known-bad enterprise within {BAD_SEARCH_HOPS} relations")
            drawn = path_sketch(view, found, at, start)
        return self._drawn(principal, drawn, f"graph:nearest-bad:{code}", closeness=found.closeness)

    def propagation(self, principal: Principal, path: Sequence[dict[str, str]]) -> dict[str, Any] | None:
        """A propagated alert's stored path drawn like a graph path; None when the alert did not propagate.

        Drawn over the loaded graph when there is one (flags, labels), else from the path alone: an alert
        reads the same with or without a graph.
        """
        require_role(principal, GRAPH_READERS, "reading the graph")
        if not path:
            return None
        hops = [(h["from"], h["to"], h["edge_kind"]) for h in path]
        at = epoch(self.clock.now())
        if self.source is None:
            return self._drawn(principal, chain(None, hops, at), "graph:alert")
        with self.source.reading() as view:
            drawn = chain(view, hops, at)
        return self._drawn(principal, drawn, "graph:alert")

    @staticmethod
    def _node(view: GraphView, code: str, field: str) -> int:
        node = view.enterprise(code)
        if node is None:
            raise NotFoundError(f"{field}: enterprise {code} is not in the graph")
        return node

    def _drawn(self, principal: Principal, found: Sketch, purpose: str, **more: Any) -> dict[str, Any]:
        nodes = self._labelled(principal, found.nodes, purpose)
        kinds = Counter(n.kind for n in nodes)
        counts = {
            "nodes": len(nodes),
            "edges": len(found.edges),
            "by_kind": dict(sorted(kinds.items())),
            "known_bad": sum(n.known_bad for n in nodes),
            "gang_members": sum(n.gang_id is not None for n in nodes),
            "shared": sum(n.shared for n in nodes),
        }
        edges = [_edge(e) for e in found.edges]
        return {"nodes": [_node(n) for n in nodes], "edges": edges, "capped": found.capped, "hops": found.hops,
                "counts": counts, **more}  # fmt: skip

    def _labelled(self, principal: Principal, nodes: list[NodeFacts], purpose: str) -> list[NodeFacts]:
        """Enterprises labelled with their names, persons with theirs (masked, or whole for ``NAME_VIEW``)."""
        codes = [n.ref for n in nodes if n.kind == "enterprise"]
        cards = self.directory.by_codes(codes) if codes else {}
        persons = {n.ref: f"{KEYED}{n.ref}:{n.label}" for n in nodes if n.kind == "person" and n.node >= 0}
        stored = self.directory.person_names(list(persons.values())) if persons else {}
        names = {p: stored[form] for p, form in persons.items() if form in stored}
        if names and not principal.roles.isdisjoint(NAME_VIEW):
            opened = self.vault.open_all("name", list(names.values()), actor=principal.name, purpose=purpose,
                                         at=self.clock.now())  # fmt: skip
            whole = {p: opened[f] for p, f in names.items() if f in opened}
        else:
            whole = {}
        out = []
        for n in nodes:
            label = n.label
            if n.kind == "enterprise" and (card := cards.get(n.ref)) is not None and card.name:
                label = card.name
            elif n.kind == "person" and n.ref in names:
                keyed = Keyed.parse(names[n.ref])
                label = whole.get(n.ref) or (keyed.label if keyed else n.label)
            out.append(replace(n, label=label))
        return out


def _card(card: EnterpriseCard) -> dict[str, Any]:
    return {
        "credit_code": card.credit_code,
        "name": card.name,
        "kind": card.kind,
        "industry_section": card.industry_section,
        "status": card.status,
    }


def _edge(e: EdgeFacts) -> dict[str, Any]:
    since, until = (None if d is None else d.isoformat() for d in (e.since, e.until))
    return {"id": e.id, "source": e.source, "target": e.target, "kind": e.kind, "group": e.group, "since": since,
            "until": until}  # fmt: skip


def _node(n: NodeFacts) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "ref": n.ref,
        "label": n.label,
        "flags": {
            "applicant": n.applicant,
            "gang_member": n.gang_id is not None,
            "gang_id": n.gang_id,
            "known_bad": n.known_bad,
            "shared": n.shared,
        },
    }
