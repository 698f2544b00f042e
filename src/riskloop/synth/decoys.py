"""Decoys of a hard universe: identifiers that many unrelated honest firms share, with their truth.

Business centres and registered agents (many firms registered at one address; an agent gives each a room),
carrier-grade NAT pools (many mobile applicants behind one public IP), bank-branch kiosks (one device and IP
for every applicant at a branch) and family firms (two to four firms of one family sharing a phone or a legal
representative). Decoy firms are honest: in no ring, with the book's default rate (nothing here touches their
creditworthiness). The base universe already has some (six hub addresses, one national NAT pool, the kiosks):
they are recorded too. ``truth/decoys`` lists each decoy with the honest enterprises sharing it,
``truth/decoy_members`` which ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.synth import ids
from riskloop.synth.applications import kiosk_devices, kiosk_ips, national_nat_ips
from riskloop.synth.arrays import Arr, int_strings, join, vocab_take
from riskloop.synth.firms import Firms
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.registration import FirmText
from riskloop.synth.rings import Rings
from riskloop.synth.text import addresses
from riskloop.synth.vocab import vocab

DECOY_KINDS = ("business_centre", "registered_agent", "carrier_nat", "branch_kiosk", "family_phone", "family_rep")
CENTRE_SHARE = 0.04  # of the honest firms of a region, registered at its business centre
AGENT_SHARE = 0.05  # of its honest companies, registered at its registered agent (each in a room of its own)
FAMILY_RATE = 0.004  # families per firm, of 2-4 honest companies
REGIONAL_NAT_SHARE = 0.3  # of honest mobile applicants outside the national pool, behind a city's carrier pool
CARRIERS = ((117, 137), (223, 104))  # first two octets of the cities' carrier pools (no home IP starts so)
CITY_POOL = 8  # addresses per carrier and city
_CENTRE_NAMES = ("财富中心", "总部基地", "国际商务中心", "企业天地", "创意产业园")
_AGENT_NAMES = ("商务秘书中心", "企业服务大厦", "创业孵化基地")
SCHEMA = pa.schema(
    [
        ("decoy_id", pa.string()),
        ("decoy_kind", pa.string()),
        ("identifier_kind", pa.string()),  # address, ip, device, phone or person
        ("value", pa.string()),  # as the universe's tables hold it (raw; an ingested warehouse holds its token)
        ("enterprises", pa.int64()),  # honest enterprises sharing it
    ]
)
MEMBERS_SCHEMA = pa.schema([("decoy_id", pa.string()), ("credit_code", pa.string())])


@dataclass(frozen=True)
class DecoyPlan:
    """Which honest firms of a chunk are registered at a centre or agent, and its families."""

    centre: Arr  # per firm: registered at its region's business centre
    agent: Arr  # per firm: registered at its region's registered agent
    family: Arr  # per firm: family position, -1 none
    family_rep: Arr  # per family: shares the legal representative (else the phone)
    family_first: Arr  # per family: row of its first member
    honest: Arr  # per firm: in no ring


def plan_decoys(params: UniverseParams, chunk: int, firms: Firms, rings: Rings) -> DecoyPlan:
    """Choose the chunk's decoy firms among honest ones; a family sharing a legal representative gets it in place."""
    g = rng(params, chunk, Stream.DECOYS)
    honest = np.ones(firms.n, dtype=bool)
    honest[rings.member_rows] = False
    u = g.random(firms.n)
    free = honest & (firms.hub < 0)  # the base universe's hub firms stay at their hubs
    centre = free & (u < CENTRE_SHARE)
    agent = free & ~firms.individual & (u >= CENTRE_SHARE) & (u < CENTRE_SHARE + AGENT_SHARE)
    sizes = g.integers(2, 5, round(firms.n * FAMILY_RATE))
    pool = g.permutation(np.flatnonzero(honest & ~firms.individual))
    sizes = sizes[: max(int(np.searchsorted(np.cumsum(sizes), len(pool), side="right")), 0)]
    members = pool[: int(sizes.sum())]
    family = np.full(firms.n, -1, dtype=np.int64)
    family[members] = np.repeat(np.arange(len(sizes)), sizes)
    first = members[np.cumsum(sizes) - sizes] if len(sizes) else np.zeros(0, dtype=np.int64)
    shares_rep = g.random(len(sizes)) < 0.5
    rep_members = members[shares_rep[family[members]]] if len(members) else members
    firms.legal_rep[rep_members] = firms.legal_rep[first[family[rep_members]]]
    return DecoyPlan(centre, agent, family, shares_rep, first, honest)


def centre_street(region: Arr) -> pa.Array:
    """The street of each region's business centre."""
    v = vocab()
    road = vocab_take(v.roads, (region * 7 + 3) % len(v.roads))
    name = vocab_take(_CENTRE_NAMES, region % len(_CENTRE_NAMES))
    return join(road, int_strings(100 + region * 11), "号", name)


def agent_street(region: Arr) -> pa.Array:
    """The street of each region's registered agent (without the room it gives a firm)."""
    v = vocab()
    road = vocab_take(v.roads, (region * 13 + 5) % len(v.roads))
    name = vocab_take(_AGENT_NAMES, region % len(_AGENT_NAMES))
    return join(road, int_strings(8 + region * 17), "号", name)


def decoy_text(firms: Firms, text: FirmText, plan: DecoyPlan) -> FirmText:
    """The firms' registered addresses and phones with the decoys': centre, agent room, the family's phone."""
    room = join(agent_street(firms.region), int_strings(1000 + firms.index % 9000), "室")
    street = pc.if_else(pa.array(plan.centre), centre_street(firms.region), text.street)
    street = pc.if_else(pa.array(plan.agent), room, street)
    phone = text.phone
    if len(plan.family_rep):  # a phone family registers its first member's phone
        fam = np.maximum(plan.family, 0)
        shares_phone = (plan.family >= 0) & ~plan.family_rep[fam]
        phone = pc.if_else(pa.array(shares_phone), text.phone.take(pa.array(plan.family_first[fam])), phone)
    return dataclasses.replace(text, street=street, address=addresses(firms.region, street), phone=phone)


def decoy_applications(
    g: np.random.Generator, firms: Firms, text: FirmText, plan: DecoyPlan, *, row: Arr, table: pa.Table
) -> pa.Table:
    """Applications (of firms ``row``) behind the cities' carrier pools, and phone families giving their phone.

    A share of honest mobile applicants outside the national pool go through their city's pool of one of two
    carriers; applications of a phone family give the family's phone.
    """
    n = table.num_rows
    honest = plan.honest[row]
    mobile = pc.equal(table["channel"], "mobile").to_numpy(zero_copy_only=False)
    national = pc.is_in(table["ip"], national_nat_ips()).to_numpy(zero_copy_only=False)
    behind = honest & mobile & ~national & (g.random(n) < REGIONAL_NAT_SHARE)
    pool_ip = city_pool_ips(city_index(firms.region[row]), g.integers(0, len(CARRIERS), n), g.integers(0, CITY_POOL, n))
    table = table.set_column(
        table.schema.get_field_index("ip"), "ip", pc.if_else(pa.array(behind), pool_ip, table["ip"])
    )
    fam = plan.family[row]
    gives_family_phone = (fam >= 0) & ~plan.family_rep[np.maximum(fam, 0)] if len(plan.family_rep) else fam >= 0
    phone = pc.if_else(pa.array(gives_family_phone), text.phone.take(pa.array(row)), table["phone"])
    return table.set_column(table.schema.get_field_index("phone"), "phone", phone)


def city_index(region: Arr) -> Arr:
    """Index of each region's city among the vocabulary's distinct cities."""
    cities = list(dict.fromkeys(vocab().cities))
    out: Arr = np.array([cities.index(c) for c in vocab().cities], dtype=np.int64)[region]
    return out


def city_pool_ips(city: Arr, carrier: Arr, slot: Arr) -> pa.Array:
    """The public address ``slot`` of ``carrier``'s NAT pool in ``city``."""
    octets = np.array(CARRIERS, dtype=np.int64)
    return ids.ipv4(octets[carrier, 0], octets[carrier, 1], 16 + city, 2 + slot)


def all_city_pool_ips() -> pa.Array:
    """Every address of every city's carrier pools."""
    cities = len(dict.fromkeys(vocab().cities))
    grid = np.indices((cities, len(CARRIERS), CITY_POOL)).reshape(3, -1)
    return city_pool_ips(grid[0], grid[1], grid[2])


def _rows(decoy_id: pa.Array, kind: str, ident: str, value: pa.Array, codes: pa.Array) -> tuple[pa.Table, pa.Table]:
    """One decoy row per distinct id (with its count of distinct enterprises) and the distinct members."""
    pairs = pa.table({"decoy_id": decoy_id, "credit_code": codes})
    members = pairs.group_by(["decoy_id", "credit_code"]).aggregate([]).select(["decoy_id", "credit_code"])
    values = pa.table({"decoy_id": decoy_id, "value": value}).group_by("decoy_id").aggregate([("value", "min")])
    joined = values.join(members.group_by("decoy_id").aggregate([("credit_code", "count")]), "decoy_id")
    n = joined.num_rows
    decoys = pa.table(
        {
            "decoy_id": joined["decoy_id"],
            "decoy_kind": pa.repeat(pa.scalar(kind), n),
            "identifier_kind": pa.repeat(pa.scalar(ident), n),
            "value": joined["value_min"],
            "enterprises": joined["credit_code_count"],
        }
    )
    return decoys.cast(SCHEMA), members.cast(MEMBERS_SCHEMA)


def _address_decoys(firms: Firms, text: FirmText, plan: DecoyPlan) -> list[tuple[pa.Table, pa.Table]]:
    """Centres and agents of the regions, and the base universe's hubs (agents: the two 服务中心)."""
    v = vocab()
    honest = plan.honest
    region_code = vocab_take(v.region_codes, firms.region)
    hub = honest & (firms.hub >= 0)
    hub_agent = np.array(["服务中心" in h[1] for h in v.hub_addresses], dtype=bool)[np.maximum(firms.hub, 0)]
    hub_id = join("HUB-", int_strings(np.maximum(firms.hub, 0)))
    agent_place = addresses(firms.region, agent_street(firms.region))  # without the firm's room
    out = []
    for kind, mask, decoy_id, place in (
        ("business_centre", plan.centre & honest, join("BC-", region_code), text.address),
        ("registered_agent", plan.agent & honest, join("RA-", region_code), agent_place),
        ("business_centre", hub & ~hub_agent, hub_id, text.address),
        ("registered_agent", hub & hub_agent, hub_id, text.address),
    ):
        keep = pa.array(mask)
        out.append(_rows(decoy_id.filter(keep), kind, "address", place.filter(keep), text.codes.filter(keep)))
    return out


def _network_decoys(
    seed: int, firms: Firms, text: FirmText, plan: DecoyPlan, *, row: Arr, table: pa.Table
) -> list[tuple[pa.Table, pa.Table]]:
    """NAT pools (the national one and the cities') and kiosks (device and IP), as honest applications used them."""
    regions = len(vocab().region_codes)
    honest = pa.array(plan.honest[row])
    codes = text.codes.take(pa.array(row))
    ip, device = table["ip"], table["device_id"]
    pools = pa.concat_arrays([national_nat_ips(), all_city_pool_ips()])
    nat = pc.and_(honest, pc.is_in(ip, pools))
    out = [_rows(join("NAT-", ip).filter(nat), "carrier_nat", "ip", ip.filter(nat), codes.filter(nat))]
    branch = pc.and_(honest, pc.equal(table["channel"], "branch"))
    for values, found, suffix, ident in (
        (device, pc.index_in(device, value_set=kiosk_devices(seed, regions)), "-device", "device"),
        (ip, pc.index_in(ip, value_set=kiosk_ips(seed, regions)), "-ip", "ip"),
    ):
        keep = pc.and_(branch, pc.is_valid(found))
        label = join("KIOSK-", pc.utf8_lpad(pc.cast(found, pa.string()), 3, "0"), suffix)
        out.append(_rows(label.filter(keep), "branch_kiosk", ident, values.filter(keep), codes.filter(keep)))
    return out


def _family_decoys(seed: int, firms: Firms, text: FirmText, plan: DecoyPlan) -> list[tuple[pa.Table, pa.Table]]:
    """Families: the shared phone or the shared legal representative (resident ID)."""
    fam = np.maximum(plan.family, 0)
    first = plan.family_first[fam] if len(plan.family_first) else np.zeros(firms.n, dtype=np.int64)
    family_id = join("FAM-", pc.utf8_lpad(int_strings(firms.index[first]), 10, "0"))
    rep = (plan.family >= 0) & (plan.family_rep[fam] if len(plan.family_rep) else False)
    out = []
    for kind, ident, mask, value in (
        ("family_phone", "phone", (plan.family >= 0) & ~rep, text.phone),
        ("family_rep", "person", rep, ids.resident_ids(seed, firms.legal_rep)),
    ):
        keep = pa.array(mask)
        out.append(_rows(family_id.filter(keep), kind, ident, value.filter(keep), text.codes.filter(keep)))
    return out


def decoy_truth(
    params: UniverseParams, firms: Firms, text: FirmText, plan: DecoyPlan, *, row: Arr, table: pa.Table
) -> dict[str, pa.Table]:
    """``decoys`` (this chunk's counts, summed over chunks by ``merge_decoys``) and ``decoy_members``.

    ``row`` is the firm row of each application of ``table``; members are the honest enterprises using a decoy.
    """
    parts = _address_decoys(firms, text, plan)
    parts += _network_decoys(params.seed, firms, text, plan, row=row, table=table)
    parts += _family_decoys(params.seed, firms, text, plan)
    return {
        "decoys": pa.concat_tables([p[0] for p in parts]).sort_by("decoy_id"),
        "decoy_members": pa.concat_tables([p[1] for p in parts]).sort_by(
            [("decoy_id", "ascending"), ("credit_code", "ascending")]
        ),
    }


def merge_decoys(chunks: pa.Table) -> pa.Table:
    """The universe's decoys from the chunks' rows: one per decoy, enterprises summed, sorted by id."""
    keys = SCHEMA.names[:4]
    summed = chunks.group_by(keys).aggregate([("enterprises", "sum")])
    columns = {name: summed[name] for name in keys} | {"enterprises": summed["enterprises_sum"]}
    return pa.table(columns).cast(SCHEMA).sort_by("decoy_id")
