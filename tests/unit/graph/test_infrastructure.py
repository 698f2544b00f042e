"""Known infrastructure: a versioned list read with clear errors, and its uses left out before any judgement."""

from __future__ import annotations

import numpy as np
import pytest

from riskloop.errors import ConfigError
from riskloop.graph.infrastructure import identifying, parse_infrastructure, shipped_infrastructure
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import ROLE_CODE, Usage, infrastructure_kept, owned_since

TOKENS = Tokenizer(b"k" * 32)


def test_the_shipped_list_names_its_version_channels_and_carrier_networks():
    infra = shipped_infrastructure()
    assert infra.version == "infrastructure-v1"
    assert "branch" in infra.own_channels
    subnets = infra.subnets()
    assert len(subnets) == 2 * 2048  # two /13 ranges
    assert {"117.136.0", "117.143.255"} <= set(subnets)
    assert "117.144.0" not in subnets
    assert TOKENS.key64("ip_subnet", "223.104.9") in infra.subnet_keys(TOKENS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a JSON object"),
        ({"version": ""}, "version: a non-empty string is required"),
        ({"version": "v", "carrier_networks": [{"cidr": "10.0.0.0/33"}]}, "carrier_networks[0].cidr: not an IPv4"),
        ({"version": "v", "own_channels": [{"note": "no channel"}]}, "own_channels[0].channel: a non-empty string"),
        ({"version": "v", "carrier_networks": [{"cidr": "2.0.0.0/7"}]}, "at most 65536"),
        ({"version": "v", "registered_hub_firms": 1}, "registered_hub_firms: an integer of at least 2"),
    ],
)
def test_a_bad_list_is_refused_naming_the_field(data: object, message: str):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_infrastructure(data, "bank-list.json")


def test_an_own_channel_application_identifies_its_applicant_without_the_kiosk():
    application = {"channel": "branch", "device_id": "KIOSK-1", "ip": "10.1.2.3", "phone": "13800000000"}
    assert identifying(application) == {"channel": "branch", "device_id": None, "ip": None, "phone": "13800000000"}
    remote = {**application, "channel": "mobile"}
    assert identifying(remote) == remote


def usage(rows: list[tuple[int, str, int]], times: list[int]) -> Usage:
    n = len(times)
    return Usage(
        [f"A{i}" for i in range(n)], [f"C{i}" for i in range(n)], np.array(times, dtype=np.int64),
        np.array([r[0] for r in rows], dtype=np.int64), np.array([r[2] for r in rows], dtype=np.int64),
        np.array([ROLE_CODE[r[1]] for r in rows], dtype=np.int8),
    )  # fmt: skip


def test_carrier_addresses_and_kiosks_are_left_out_point_in_time():
    carrier = TOKENS.key64("ip_subnet", "117.136.5")
    rows = [
        (0, "ip", 11), (0, "ip_subnet", carrier), (0, "phone", 12),  # on a carrier's NAT address
        (1, "login_device", 21),  # logs in from a device before the branch used it
        (2, "device", 21), (2, "ip", 22),  # a branch application on that device: the bank's kiosk
        (3, "login_device", 21),  # a later login from the kiosk
    ]  # fmt: skip
    u = usage(rows, [0, 10, 20, 30])
    own = np.array([False, False, True, False])
    kept = infrastructure_kept(u, own, shipped_infrastructure().subnet_keys(TOKENS))
    assert kept.tolist() == [False, False, True, True, False, False, True]
    kiosk = own[u.app] & np.isin(u.role, [ROLE_CODE["device"], ROLE_CODE["ip"]])
    assert owned_since(u, kiosk).tolist() == [False, False, False, False, True, True, True]
