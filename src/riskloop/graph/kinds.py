"""Node and edge kinds of the enterprise graph, their codes and the weight of each relation in risk spreading."""

from __future__ import annotations

NODE_KINDS: tuple[str, ...] = (
    "enterprise",
    "person",
    "phone",
    "address",
    "device",
    "ip",
    "bank_account",
    "email",
    "application",
)
EDGE_KINDS: tuple[str, ...] = (
    "shareholding",
    "officer",
    "legal_rep",
    "guarantee",
    "invoice_trade",
    "litigation_party",
    "uses_phone",
    "uses_address",
    "uses_device",
    "uses_ip",
    "uses_email",
    "uses_bank_account",
    "applied_for",
    "applied_by",
    "logged_in_from",
)
NODE_CODE = {name: code for code, name in enumerate(NODE_KINDS)}
EDGE_CODE = {name: code for code, name in enumerate(EDGE_KINDS)}

# How strongly risk flows along a relation (0..1): control and money ties carry more than a shared IP.
RELATION_WEIGHT: dict[str, float] = {
    "shareholding": 0.9,
    "officer": 0.6,
    "legal_rep": 1.0,
    "guarantee": 1.0,
    "invoice_trade": 0.5,
    "litigation_party": 0.3,
    "uses_phone": 0.7,
    "uses_address": 0.4,
    "uses_device": 0.7,
    "uses_ip": 0.3,
    "uses_email": 0.7,
    "uses_bank_account": 1.0,
    "applied_for": 1.0,
    "applied_by": 0.8,
    "logged_in_from": 0.5,
}
# Open-ended validity is stored as this many seconds since the epoch (year 2262).
FOREVER = 2**63 - 1


def relation_weights() -> list[float]:
    """Weights of the edge kinds in code order."""
    return [RELATION_WEIGHT[name] for name in EDGE_KINDS]
