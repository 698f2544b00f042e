"""Incremental updates: an application or a login event adds its edges to the graph's overlay, no rebuild.

Each row goes through the same normalisation and keyed tokens as the batch build, so the graph after
``record_*`` equals the graph a full rebuild over the same rows would produce.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from riskloop.graph.checks import epoch
from riskloop.graph.kinds import EDGE_CODE, FOREVER, NODE_CODE
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.normalize import normalize_one
from riskloop.graph.tokens import Keyed, Tokenizer, masked_label

_APPLICATION_USES = (
    ("phone", "phone"),
    ("address", "address"),
    ("device_id", "device"),
    ("ip", "ip"),
    ("email", "email"),
    ("bank_account", "bank_account"),
)


KeyOf = Callable[[str, object], "int | None"]


def _node(
    graph: EnterpriseGraph, tokenizer: Tokenizer, kind: str, raw: object, key_of: KeyOf | None = None
) -> int | None:
    keyed = Keyed.parse(raw)
    if keyed is not None:  # logged by token: the node is found, or made, without the raw identifier
        found = graph.lookup(keyed.key64)
        return found if found is not None else graph.add_node(NODE_CODE[kind], keyed.token, keyed.key64, keyed.label)
    key = key_of(kind, raw) if key_of is not None else None
    if key is not None:  # the checks' memo: a known node needs neither normalising nor keying again
        found = graph.lookup(key)
        if found is not None:
            return found
    value = normalize_one(kind, raw)
    if value is None:
        return None
    if key is None:
        key = tokenizer.key64(kind, value)
        found = graph.lookup(key)
        if found is not None:
            return found
    label = masked_label(kind, value)
    return graph.add_node(NODE_CODE[kind], tokenizer.token(kind, value), key, label)


def record_application(
    graph: EnterpriseGraph, tokenizer: Tokenizer, row: Mapping[str, object], key_of: KeyOf | None = None
) -> list[int]:
    """Add one application (a mapping with the ``applications`` columns); return the edge ids touched.

    ``key_of(kind, raw)`` may supply lookup keys already computed for the row (the checks memoise them).
    """
    at = epoch(row["applied_at"])
    app = _node(graph, tokenizer, "application", row["application_id"], key_of)
    if app is None:
        return []
    out: list[int] = []
    amount = row.get("requested_amount_cents")
    targets = [
        (
            "enterprise",
            row.get("credit_code"),
            "applied_for",
            float(str(amount)) / 100.0 if amount is not None else 1.0,
        ),
        ("person", row.get("applicant_id"), "applied_by", 1.0),
    ]
    targets += [(kind, row.get(column), f"uses_{kind}", 1.0) for column, kind in _APPLICATION_USES]
    for kind, raw, edge, weight in targets:
        node = _node(graph, tokenizer, kind, raw, key_of)
        if node is not None and node != app:
            out.append(graph.add_edge(app, node, EDGE_CODE[edge], weight=weight, valid_from=at, valid_to=FOREVER))
    return out


def record_login(graph: EnterpriseGraph, tokenizer: Tokenizer, row: Mapping[str, object]) -> list[int]:
    """Add one login event (``person_id``, ``ts``, ``device_id``, ``ip``); return the edge ids touched."""
    at = epoch(row["ts"])
    person = _node(graph, tokenizer, "person", row.get("person_id"))
    if person is None:
        return []
    out: list[int] = []
    for column, kind in (("device_id", "device"), ("ip", "ip")):
        node = _node(graph, tokenizer, kind, row.get(column))
        if node is not None:
            edge = EDGE_CODE["logged_in_from"]
            out.append(graph.add_edge(person, node, edge, weight=1.0, valid_from=at, valid_to=at, accumulate=True))
    return out
