"""What a registration is screened on: its personal identifiers and the attributes it shares by nature."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection

from riskloop.admission.policy import Policy
from riskloop.domain.registration import Registration

PHONE_BLOCK_DIGITS = 8  # a thousand consecutive mobile numbers: what a batch of SIM cards comes from
CODE_BLOCK_CHARS = 14  # credit codes of one region whose organisation numbers lie within a hundred
NETWORK_KINDS = ("device_id", "ip", "ip_subnet")  # what an own channel's registration carries of the bank's


def subnet(ip: str) -> str:
    """The network an address is judged with: ``a.b.c`` for IPv4 (/24), the /48 prefix for IPv6."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv4Address):
        return ".".join(ip.split(".")[:3])
    return str(ipaddress.IPv6Network(f"{ip}/48", strict=False).network_address)


def identifiers(reg: Registration, policy: Policy, infrastructure: Collection[str] = ()) -> dict[str, str]:
    """Kind -> value of what ``reg`` is screened on.

    Left out: the device and network of an own channel (the bank's kiosk, ``policy.own_channels``) and the
    address and network of a known carrier NAT range (``infrastructure``: ``a.b.c`` networks): they identify
    nobody (``graph/infrastructure.py``).
    """
    net = subnet(reg.ip)
    out = {
        "phone": reg.phone,
        "device_id": reg.device_id,
        "legal_rep_id": reg.legal_rep_id,
        "credit_code": reg.credit_code,
        "ip": reg.ip,
        "ip_subnet": net,
        "code_block": reg.credit_code[:CODE_BLOCK_CHARS],
    }
    if len(reg.phone) == 11 and reg.phone.startswith("1"):
        out["phone_block"] = reg.phone[:PHONE_BLOCK_DIGITS]
    if reg.device_model:
        out["device_model"] = reg.device_model
    drop: tuple[str, ...] = NETWORK_KINDS if reg.channel in policy.own_channels else ()
    if net in infrastructure:
        drop += ("ip", "ip_subnet")
    return {k: v for k, v in out.items() if k not in drop}


def registrant(reg: Registration) -> str:
    """Who registers, as a party on a credit code: the phone and the device together."""
    return f"{reg.phone}|{reg.device_id}"
