"""Known infrastructure: identifiers that belong to the bank or to a carrier, not to an applicant.

Versioned data shipped with riskloop (``graph/data/infrastructure-v1.json``; a bank's own list is not configurable
yet, ADR 0024):

- **own channels**: an application filed on one of them is keyed in on the bank's own equipment (a branch
  kiosk or counter), so its device and IP say nothing of the applicant;
- **carrier networks**: IPv4 ranges a carrier's mobile-data users come out of through carrier-grade NAT (a
  city's subscribers share a handful of addresses);
- **registered hubs**: an address or phone that more than ``registered_hub_firms`` enterprises registered with
  the market regulator (a business centre, a registered agent, an agency's line), read from ``enterprises``.

Their uses are dropped before any identifier is judged (``graph.linking``): in the batch
(``usage.read_usage``) and on the request path (``checks.GraphChecks.uses``) alike, so both see the same uses.
A network is recognised by the /24 network's lookup key, which a logged arrival keeps even when its IP is a
keyed token (ADR 0016).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from riskloop.errors import ConfigError
from riskloop.graph.tokens import Tokenizer

SHIPPED = "infrastructure-v1.json"
MAX_SUBNETS = 1 << 16  # /24 networks a list may name in all (a /8): keys are computed once per tokenizer
OWN_CHANNEL_ROLES = ("device", "ip", "ip_subnet")  # what a kiosk's application carries of the bank's own
CARRIER_ROLES = ("ip", "ip_subnet")


@dataclass(frozen=True)
class Infrastructure:
    """A version of the list: own channels and carrier networks (CIDR)."""

    version: str
    own_channels: frozenset[str]
    carrier_networks: tuple[str, ...]
    registered_hub_firms: int = 30
    _keys: dict[int, frozenset[int]] = field(default_factory=dict, compare=False, repr=False)

    def subnets(self) -> list[str]:
        """Every /24 network of the carrier ranges, as ``graph.normalize`` writes one (``a.b.c``)."""
        out: list[str] = []
        for cidr in self.carrier_networks:
            net = ipaddress.IPv4Network(cidr)
            nets = [net] if net.prefixlen >= 24 else list(net.subnets(new_prefix=24))
            out += [".".join(str(n.network_address).split(".")[:3]) for n in nets]
        return out

    def subnet_keys(self, tokenizer: Tokenizer) -> frozenset[int]:
        """Lookup keys of the carrier /24 networks under ``tokenizer`` (computed once per tokenizer)."""
        memo = tokenizer.key64("infrastructure", self.version)  # the tokenizer's key, not the key itself
        if memo not in self._keys:
            self._keys[memo] = frozenset(tokenizer.key64("ip_subnet", s) for s in self.subnets())
        return self._keys[memo]


def identifying(application: Mapping[str, Any], infra: Infrastructure | None = None) -> dict[str, Any]:
    """``application`` without the device and IP of an own channel (the bank's kiosk): what identifies the applicant.

    The arrival log keeps this form (it has no channel column), so a logged arrival links as its check did.
    """
    own = application.get("channel") in (infra or shipped_infrastructure()).own_channels
    drop = ("device_id", "ip", "ip_subnet") if own else ()
    return {k: (None if k in drop else v) for k, v in application.items()}


def parse_infrastructure(data: object, source: str) -> Infrastructure:
    """An ``Infrastructure`` from its JSON form; ConfigError naming the field and the problem."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: not a JSON object")
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise ConfigError(f"{source}: version: a non-empty string is required")
    channels = _entries(data, "own_channels", "channel", source)
    networks = _entries(data, "carrier_networks", "cidr", source)
    total = 0
    for i, cidr in enumerate(networks):
        try:
            net = ipaddress.IPv4Network(cidr)
        except ValueError as exc:
            raise ConfigError(f"{source}: carrier_networks[{i}].cidr: not an IPv4 network ({exc})") from None
        total += 1 << max(24 - net.prefixlen, 0)
    if total > MAX_SUBNETS:
        raise ConfigError(f"{source}: carrier_networks: {total} /24 networks in all, at most {MAX_SUBNETS}")
    hub_firms = data.get("registered_hub_firms", 30)
    if not isinstance(hub_firms, int) or isinstance(hub_firms, bool) or hub_firms < 2:
        raise ConfigError(f"{source}: registered_hub_firms: an integer of at least 2 is required")
    return Infrastructure(version, frozenset(channels), tuple(networks), hub_firms)


def _entries(data: dict[str, object], name: str, field_name: str, source: str) -> Sequence[str]:
    rows = data.get(name, [])
    if not isinstance(rows, list):
        raise ConfigError(f"{source}: {name}: a list is required")
    out: list[str] = []
    for i, row in enumerate(rows):
        value = row.get(field_name) if isinstance(row, dict) else None
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{source}: {name}[{i}].{field_name}: a non-empty string is required")
        out.append(value)
    return out


@cache
def shipped_infrastructure() -> Infrastructure:
    """The reference list shipped with riskloop."""
    text = resources.files("riskloop.graph").joinpath("data", SHIPPED).read_text("utf-8")
    return parse_infrastructure(json.loads(text), SHIPPED)
