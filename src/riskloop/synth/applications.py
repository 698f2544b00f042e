"""Loan applications: timing, declared contacts, identity checks, bureau score and the historical approval."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.synth import ids
from riskloop.synth.arrays import (
    Arr,
    ascii_strings,
    digit_matrix,
    literal_matrix,
    rank_in_segment,
    vocab_take,
    weighted_choice,
)
from riskloop.synth.firms import STATUS_REVOKED, Firms
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.regime import Regime
from riskloop.synth.registration import FirmText
from riskloop.synth.rings import DEVICE_FARM, RING_DEFAULT_RATE, SHARED_CONTACT, SHELL_CIRCULAR, SLOW_RING, Rings
from riskloop.synth.scenario import APPLY_WINDOW_DAYS
from riskloop.synth.text import address_variants

# code, name, min and max amount (CNY), min and max term (months), min and max rate (bp)
PRODUCTS = (
    ("HRT-TAX", "税易贷", 50_000, 3_000_000, 6, 36, 380, 1200),
    ("HRT-INV", "票易贷", 50_000, 2_000_000, 3, 12, 400, 1400),
    ("HRT-MICRO", "小微快贷", 10_000, 500_000, 3, 24, 450, 1800),
    ("HRT-IB", "个体经营贷", 10_000, 300_000, 3, 24, 500, 1800),
    ("HRT-GOV", "政采贷", 100_000, 5_000_000, 6, 36, 350, 900),
)
TERMS = np.array([3, 6, 12, 24, 36])
CHANNELS = ("web", "mobile", "mini_program", "branch")
APPLY_SHARE = 0.30
_HOUR_WEIGHTS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 3, 6, 9, 10, 9, 6, 6, 8, 9, 9, 8, 6, 6, 7, 7, 5, 2])
KIOSKS_PER_REGION = 2  # bank-branch kiosks: one device and one IP each, used by every applicant at the branch
_NAT_POOL = 64  # carrier-grade NAT addresses shared by many honest mobile applicants


@dataclass(frozen=True)
class Applications:
    """The chunk's applications, one per applying firm, in firm order."""

    row: Arr  # firm row in the chunk
    ring: Arr  # ring position, -1 for none
    shape: Arr  # ring shape, -1 for none
    applicant: Arr  # global person index
    applied_at: Arr  # datetime64[s]
    product: Arr
    amount_cents: Arr
    term: Arr
    approved: Arr
    defaulted: Arr
    default_instalment: Arr  # the first missed instalment if funded and defaulted
    application_id: pa.Array

    @property
    def n(self) -> int:
        """Number of applications."""
        return len(self.row)


def _timing(params: UniverseParams, g: np.random.Generator, firms: Firms, rings: Rings) -> tuple[Arr, Arr, Arr]:
    """Firm rows, ring positions and submission times of the chunk's applications."""
    as_of = params.as_of_day
    earliest = np.maximum(
        as_of - np.timedelta64(APPLY_WINDOW_DAYS[0], "D"), firms.established + np.timedelta64(90, "D")
    )
    latest = as_of - np.timedelta64(APPLY_WINDOW_DAYS[1], "D")
    span = (latest - earliest).astype(np.int64)
    ring_of = np.full(firms.n, -1, dtype=np.int64)
    ring_of[rings.member_rows] = rings.member_ring
    keen = np.clip(APPLY_SHARE * np.exp(-0.15 * firms.z), 0.0, 0.9)
    applies = (g.random(firms.n) < keen) & (span > 0) & (firms.status != STATUS_REVOKED) & (ring_of < 0)
    applies |= ring_of >= 0
    row = np.flatnonzero(applies)
    day = earliest[row] + (g.random(len(row)) * np.maximum(span[row], 1)).astype("timedelta64[D]")
    hour = weighted_choice(g, _HOUR_WEIGHTS, len(row))
    at = day.astype("datetime64[s]") + (hour * 3600 + g.integers(0, 3600, len(row))).astype("timedelta64[s]")
    ring = ring_of[row]
    in_ring = ring >= 0
    width = (rings.window_end - rings.window_start).astype(np.int64)
    share = _spread_slow(rings, ring[in_ring], g.random(int(in_ring.sum())))
    offset = (share * width[ring[in_ring]]).astype("timedelta64[s]")
    at[in_ring] = rings.window_start[ring[in_ring]] + offset
    return row, ring, at


def _spread_slow(rings: Rings, ring: Arr, share: Arr) -> Arr:
    """Where in its ring's window each member applies (shares of it): a slow ring's members one per equal part."""
    slow = rings.shape[ring] == SLOW_RING
    if not slow.any():
        return share
    order = np.argsort(ring[slow], kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = rank_in_segment(np.bincount(ring[slow]))
    out = share.copy()
    out[slow] = (rank + share[slow]) / rings.size[ring[slow]]
    return out


def application_tables(
    params: UniverseParams, chunk: int, firms: Firms, text: FirmText, rings: Rings, *, regime: Regime | None = None
) -> tuple[dict[str, pa.Table], Applications]:
    """Build ``applications`` and ``bureau_scores`` of the chunk.

    A ``regime`` (drift scenario) may re-scale the bureau score and raise the default hazard of applications
    after its shift; the bank's historical approvals read the score on its former scale.

    Returns
    -------
    tuple
        The two tables, and the application arrays that login events, loans and the truth derive from.

    """
    g = rng(params, chunk, Stream.APPLICATIONS)
    seed = params.seed
    row, ring, at = _timing(params, g, firms, rings)
    n = len(row)
    shape = np.where(ring >= 0, rings.shape[np.maximum(ring, 0)] if rings.count else -1, -1)
    fraud = ring >= 0
    company = ~firms.individual[row]
    staff = company & (g.random(n) < 0.15) & ~fraud
    applicant = np.where(staff, ids.person_index(firms.index[row], 3), firms.legal_rep[row])
    product = np.where(
        company,
        weighted_choice(g, np.array([0.35, 0.25, 0.3, 0.0, 0.1]), n),
        weighted_choice(g, np.array([0.0, 0.0, 0.3, 0.7, 0.0]), n),
    )
    spec = np.array([p[2:] for p in PRODUCTS], dtype=np.int64)
    wanted = firms.revenue0[row] * g.uniform(1.0, 4.0, n)
    amount = np.round(np.clip(wanted, spec[product, 0], spec[product, 1]) / 10_000) * 10_000
    lo = np.searchsorted(TERMS, spec[product, 2])
    hi = np.searchsorted(TERMS, spec[product, 3], side="right") - 1
    term = TERMS[lo + (g.random(n) * (hi - lo + 1)).astype(np.int64)]
    channel = weighted_choice(g, np.array([0.17, 0.5, 0.25, 0.08]), n)
    channel = np.where(fraud & (channel == 3), 1, channel)
    channel = np.where(shape == DEVICE_FARM, 1, channel)
    app_id = ascii_strings(literal_matrix("APP", n), digit_matrix(firms.index[row], 10))
    ring_number = rings.number[np.maximum(ring, 0)] if rings.count else np.zeros(n, dtype=np.int64)
    use_own = g.random(n) < 0.25
    phone, address = _contact(params, g, firms, text, rings, row=row, ring=ring, applicant=applicant, use_own=use_own)
    device, ip = _devices(
        params, g, firms, row=row, applicant=applicant, channel=channel, shape=shape, ring_number=ring_number
    )
    email_ok = g.random(n) < 0.7
    email = pc.if_else(pa.array(email_ok), ids.emails(seed, applicant), pa.nulls(n, pa.string()))
    sms = g.random(n) < np.where(fraud, 0.9, 0.97)
    face = np.clip(np.where(fraud, g.beta(10, 3, n), g.beta(18, 1.8, n)), 0.0, 1.0)
    fingerprint = g.random(n) < np.where(shape == DEVICE_FARM, 0.6, np.where(fraud, 0.88, 0.97))
    owner_p = np.where(use_own | firms.individual[row], 0.96, 0.6)
    owner = g.random(n) < np.where(shape == SHARED_CONTACT, 0.1, np.where(fraud, owner_p - 0.15, owner_p))
    applications = pa.table(
        {
            "application_id": app_id,
            "credit_code": text.codes.take(pa.array(row)),
            "applicant_id": ids.resident_ids(seed, applicant),
            "product_code": vocab_take([p[0] for p in PRODUCTS], product),
            "applied_at": pa.array(at.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
            "requested_amount_cents": (amount * 100).astype(np.int64),
            "term_months": term.astype(np.int64),
            "channel": vocab_take(CHANNELS, channel),
            "phone": phone,
            "address": address,
            "device_id": device,
            "ip": ip,
            "email": email,
            "bank_account": ids.bank_accounts(seed, firms.index[row]),
            "sms_verified": sms,
            "face_match_score": face,
            "device_fingerprint_ok": fingerprint,
            "phone_owner_match": owner,
        }
    )
    reported = 640 + 75 * firms.views["bureau"][row] + g.normal(0, 12, n)
    score = np.clip(np.round(reported), 300, 950).astype(np.int64)  # on the former scale: what approvals read
    day = at.astype("datetime64[D]")
    if regime is not None:
        reported = regime.bureau_score(reported, day)
    bureau_score = score if regime is None else np.clip(np.round(reported), 300, 950).astype(np.int64)
    queried = at + g.integers(1, 30, n).astype("timedelta64[s]")
    bureau = pa.table(
        {
            "application_id": app_id,
            "score": bureau_score,
            "queried_at": pa.array(queried.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
        }
    )
    honest_pd = firms.pd_12m[row] if regime is None else regime.default_pd(firms, row, day)
    pd = np.where(fraud, np.array(RING_DEFAULT_RATE)[np.maximum(shape, 0)], honest_pd)
    defaulted = g.random(n) < pd
    default_instalment = 1 + (g.random(n) * np.minimum(term, 11)).astype(np.int64)
    policy = (score - 640) / 75 + 0.35 * firms.views["tax"][row] + g.normal(0.0, 0.7, n)
    approved = (policy > -0.8) & sms & (face > 0.55)
    apps = Applications(
        row=row,
        ring=ring,
        shape=shape,
        applicant=applicant,
        applied_at=at,
        product=product,
        amount_cents=(amount * 100).astype(np.int64),
        term=term,
        approved=approved,
        defaulted=defaulted,
        default_instalment=default_instalment,
        application_id=app_id,
    )
    return {"applications": applications, "bureau_scores": bureau}, apps


def _contact(
    params: UniverseParams,
    g: np.random.Generator,
    firms: Firms,
    text: FirmText,
    rings: Rings,
    *,
    row: Arr,
    ring: Arr,
    applicant: Arr,
    use_own: Arr,
) -> tuple[pa.Array, pa.Array]:
    """Phone and address as given: shared-contact rings share a phone and write one address in variants."""
    n = len(row)
    shared = np.zeros(n, dtype=bool)
    place = row
    phone = pc.if_else(
        pa.array(use_own), ids.mobiles(params.seed, applicant, firm=False), text.phone.take(pa.array(row))
    )
    if rings.count:
        shared = (ring >= 0) & (rings.shape[np.maximum(ring, 0)] == SHARED_CONTACT)
        ring_phone = ids.mobiles(params.seed, 99_999_999 - rings.number[np.maximum(ring, 0)], firm=True)
        phone = pc.if_else(pa.array(shared), ring_phone, phone)
        first_member = rings.member_rows[np.cumsum(rings.size) - rings.size]
        place = np.where(shared, first_member[np.maximum(ring, 0)], row)
    variant = np.where(g.random(n) < 0.8, 0, g.integers(1, 5, n))
    variant = np.where(shared, g.integers(0, 5, n), variant)
    return phone, address_variants(g, firms.region[place], text.street.take(pa.array(place)), variant)


def _devices(
    params: UniverseParams,
    g: np.random.Generator,
    firms: Firms,
    *,
    row: Arr,
    applicant: Arr,
    channel: Arr,
    shape: Arr,
    ring_number: Arr,
) -> tuple[pa.Array, pa.Array]:
    seed = params.seed
    n = len(row)
    kiosk = firms.region[row] * KIOSKS_PER_REGION + g.integers(0, KIOSKS_PER_REGION, n)
    farm_device = ring_number * 4 + g.integers(0, 3, n)
    device_index = np.where(shape == DEVICE_FARM, farm_device, np.where(channel == 3, kiosk, applicant))
    device_tag = np.where(shape == DEVICE_FARM, 3, np.where(channel == 3, 2, 1))
    shell_shared = (shape == SHELL_CIRCULAR) & (g.random(n) < 0.6)
    device_index = np.where(shell_shared, ring_number * 4, device_index)
    device_tag = np.where(shell_shared, 3, device_tag)
    device = pc.choose(
        pa.array((device_tag - 1).astype(np.int8)), *[ids.device_ids(seed, tag, device_index) for tag in (1, 2, 3)]
    )
    nat = (channel == 1) & (g.random(n) < 0.45)
    k = g.integers(0, _NAT_POOL, n)
    nat_ip = _nat_ips(k)
    farm_ip = ids.ipv4(
        36 + ring_number % 3, 16 + (ring_number // 3) % 200, 1 + (ring_number // 600) % 250, 10 + g.integers(0, 3, n)
    )
    home_ip = ids.ips(seed, 1, applicant)
    ip = pc.if_else(pa.array(nat), nat_ip, home_ip)
    ip = pc.if_else(pa.array(channel == 3), ids.ips(seed, 2, kiosk), ip)
    ip = pc.if_else(pa.array(shape == DEVICE_FARM), farm_ip, ip)
    return device, ip


def _nat_ips(k: Arr) -> pa.Array:
    return ids.ipv4(np.full(len(k), 117), np.full(len(k), 136), k // 32, k % 32 + 1)


def national_nat_ips() -> pa.Array:
    """The national carrier-grade NAT pool's public addresses (shared by many mobile applicants)."""
    return _nat_ips(np.arange(_NAT_POOL))


def kiosk_devices(seed: int, regions: int) -> pa.Array:
    """Device ids of the bank-branch kiosks, kiosk ``k`` at position ``k`` (``KIOSKS_PER_REGION`` per region)."""
    return ids.device_ids(seed, 2, np.arange(regions * KIOSKS_PER_REGION))


def kiosk_ips(seed: int, regions: int) -> pa.Array:
    """Public IPs of the bank-branch kiosks, in kiosk order."""
    return ids.ips(seed, 2, np.arange(regions * KIOSKS_PER_REGION))
