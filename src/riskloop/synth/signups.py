"""Honest registrations on the lending platform: one sign-up per registering firm, with what honest firms share.

Honest firms share a good deal, and the screening must let them through: a business centre's firms come out of
one office IP, mobile users out of carrier NAT pools, branch sign-ups out of the bank's kiosk, a family's firms
use one phone and device, a firm whose phone was lost registers again months later on a new one, and on the
bank's campaign days a venue's network carries hundreds of sign-ups within hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.synth import ids
from riskloop.synth.applications import KIOSKS_PER_REGION, kiosk_devices, kiosk_ips, national_nat_ips
from riskloop.synth.arrays import Arr, index_uniform, vocab_take, weighted_choice, weighted_from_uniform
from riskloop.synth.decoys import city_index, city_pool_ips
from riskloop.synth.firms import STATUS_REVOKED, Firms
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.registration import FirmText
from riskloop.synth.vocab import vocab

WINDOW_DAYS = 540  # sign-ups over the last 540 days before as-of
SIGNUP_SHARE = 0.6
CHANNELS = ("app", "web", "mini_program", "branch", "campaign")
_CHANNEL_WEIGHTS = np.array([0.45, 0.2, 0.2, 0.07, 0.08])
APP, WEB, MINI, BRANCH, CAMPAIGN = range(5)
CAMPAIGN_DAYS = 12  # the bank's campaign days of the universe (the same in every chunk)
VENUE_ADDRESSES = 4  # public addresses of a campaign venue's network
FAMILY_SHARE = 0.04  # sign-ups on a relative's phone, device and network
REREGISTER_SHARE = 0.05  # a firm registering again on a new phone and device (lost phone)
HOUR_WEIGHTS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 3, 6, 9, 10, 9, 6, 6, 8, 9, 9, 8, 6, 6, 7, 7, 5, 2])
MODELS = (
    "apple iphone 13/ios 17.5", "apple iphone 14/ios 17.5", "apple iphone 15 pro/ios 18.1", "apple iphone 12/ios 16.7",
    "huawei mate 60/harmonyos 4.2", "huawei p60/harmonyos 4.0", "huawei nova 11/harmonyos 4.0",
    "honor 90/magicos 8.0", "xiaomi 14/hyperos 1.0", "xiaomi redmi k70/hyperos 1.0", "xiaomi redmi note 12/miui 14",
    "oppo reno 11/coloros 14", "oppo a2/coloros 13", "vivo x100/originos 4", "vivo y78/originos 3",
    "oneplus ace 2/coloros 14", "realme gt neo5/realme ui 4.0", "samsung galaxy s23/one ui 6.1",
    "windows 10/chrome 126", "windows 11/edge 126", "macos 14/safari 17.5",
)  # fmt: skip
_MODEL_WEIGHTS = np.array([9, 8, 6, 5, 9, 6, 5, 5, 5, 4, 5, 4, 3, 4, 3, 2, 2, 2, 4, 3, 2], dtype=np.float64)
KIOSK_MODEL = "bank kiosk t10/android 9"
TAG_MODEL = 77  # index hash tag of a person's phone model
NEW_PHONES = 50_000_000  # person index offset of a replacement phone number (disjoint below 12.5M enterprises)


@dataclass(frozen=True)
class Signups:
    """Column arrays of sign-ups (not yet numbered)."""

    at: Arr  # datetime64[s]
    phone: pa.Array
    device_id: pa.Array
    ip: pa.Array
    credit_code: pa.Array
    legal_rep_id: pa.Array
    channel: Arr
    device_model: pa.Array


def campaign_days(params: UniverseParams) -> Arr:
    """The bank's campaign days: universe-wide, so every chunk's campaign sign-ups fall on the same days."""
    g = rng(params, 0, Stream.REG_CAMPAIGNS)
    first = params.as_of_day - np.timedelta64(WINDOW_DAYS, "D")
    return np.sort(first + g.choice(WINDOW_DAYS - 1, CAMPAIGN_DAYS, replace=False).astype("timedelta64[D]"))


def person_models(seed: int, person: Arr) -> pa.Array:
    """The phone model a person registers from (stable per person)."""
    return vocab_take(MODELS, weighted_from_uniform(index_uniform(seed, TAG_MODEL, person), _MODEL_WEIGHTS))


def honest_signups(params: UniverseParams, chunk: int, firms: Firms, text: FirmText) -> Signups:
    """The chunk's honest sign-ups: about ``SIGNUP_SHARE`` of its firms, some twice, some on a relative's phone."""
    g = rng(params, chunk, Stream.REG_SIGNUPS)
    first = params.as_of_day - np.timedelta64(WINDOW_DAYS, "D")
    earliest = np.maximum(first, firms.established + np.timedelta64(1, "D"))
    span = (params.as_of_day - earliest).astype(np.int64)
    row = np.flatnonzero((g.random(firms.n) < SIGNUP_SHARE) & (firms.status != STATUS_REVOKED) & (span > 1))
    m = len(row)
    channel = weighted_choice(g, _CHANNEL_WEIGHTS, m)
    day = earliest[row] + (g.random(m) * (span[row] - 1)).astype("timedelta64[D]")
    days = campaign_days(params)
    pick = days[g.integers(0, len(days), m)]
    on_campaign = (channel == CAMPAIGN) & (pick >= earliest[row])
    channel[(channel == CAMPAIGN) & ~on_campaign] = APP
    day = np.where(on_campaign, pick, day)
    hour = np.where(on_campaign, g.integers(9, 17, m), weighted_choice(g, HOUR_WEIGHTS, m))
    at = day.astype("datetime64[s]") + (hour * 3600 + g.integers(0, 3600, m)).astype("timedelta64[s]")
    person = firms.legal_rep[row]
    phone = text.phone.take(pa.array(row))
    device, model = _devices(params, firms, row, person, channel)
    ip = _networks(params, g, firms, row, person, channel, np.searchsorted(days, pick))
    phone, device, ip, model, at = _families(g, (phone, device, ip, model), at)
    base = Signups(
        at, phone, device, ip, text.codes.take(pa.array(row)), ids.resident_ids(params.seed, person), channel, model
    )
    return concat(base, _reregistrations(params, g, base, person))


def _devices(params: UniverseParams, firms: Firms, row: Arr, person: Arr, channel: Arr) -> tuple[pa.Array, pa.Array]:
    """A person's own device and model; at a branch the region's kiosk."""
    kiosk = firms.region[row] * KIOSKS_PER_REGION + person % KIOSKS_PER_REGION
    at_branch = pa.array(channel == BRANCH)
    regions = len(vocab().region_codes)
    device = pc.if_else(
        at_branch, kiosk_devices(params.seed, regions).take(pa.array(kiosk)), ids.device_ids(params.seed, 1, person)
    )
    model = pc.if_else(at_branch, pa.scalar(KIOSK_MODEL), person_models(params.seed, person))
    return device, model


def _networks(  # noqa: PLR0917 - the draws of one column
    params: UniverseParams, g: np.random.Generator, firms: Firms, row: Arr, person: Arr, channel: Arr, campaign: Arr
) -> pa.Array:
    """Home broadband, carrier NAT pools on mobile, a business centre's office line, a kiosk, a campaign venue."""
    m = len(row)
    seed = params.seed
    u = g.random(m)
    mobile = (channel == APP) | (channel == MINI)
    nat = national_nat_ips().take(pa.array(g.integers(0, len(national_nat_ips()), m)))
    city = city_pool_ips(city_index(firms.region[row]), g.integers(0, 2, m), g.integers(0, 8, m))
    ip = ids.ips(seed, 1, person)
    ip = pc.if_else(pa.array(mobile & (u < 0.4)), nat, ip)
    ip = pc.if_else(pa.array(mobile & (u >= 0.4) & (u < 0.55)), city, ip)
    office = (firms.hub[row] >= 0) & (channel == WEB)
    ip = pc.if_else(pa.array(office), ids.ips(seed, 7, np.maximum(firms.hub[row], 0)), ip)
    kiosk = firms.region[row] * KIOSKS_PER_REGION + person % KIOSKS_PER_REGION
    regions = len(vocab().region_codes)
    ip = pc.if_else(pa.array(channel == BRANCH), kiosk_ips(seed, regions).take(pa.array(kiosk)), ip)
    venue = venue_ips(campaign, city_index(firms.region[row]), g.integers(0, VENUE_ADDRESSES, m))
    return pc.if_else(pa.array(channel == CAMPAIGN), venue, ip)


def venue_ips(campaign: Arr, city: Arr, slot: Arr) -> pa.Array:
    """The address ``slot`` of a campaign venue's network (one per campaign day and city)."""
    return ids.ipv4(np.full(len(campaign), 101), 80 + campaign, 1 + city, 10 + slot)


def all_venue_ips() -> pa.Array:
    """Every campaign venue's addresses: what a bank knows of its own campaigns (the benchmark allow-lists them)."""
    cities = len(dict.fromkeys(vocab().cities))
    grid = np.indices((CAMPAIGN_DAYS, cities, VENUE_ADDRESSES)).reshape(3, -1)
    return venue_ips(grid[0], grid[1], grid[2])


def _families(
    g: np.random.Generator, cols: tuple[pa.Array, pa.Array, pa.Array, pa.Array], at: Arr
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array, Arr]:
    """Some sign-ups made on a relative's phone, device and network, within three days of the relative's."""
    m = len(at)
    family = g.random(m) < FAMILY_SHARE
    relative = np.where(family, g.integers(0, max(m, 1), m), np.arange(m))
    take = pa.array(relative)
    out = tuple(c.take(take) for c in cols)
    later = at[relative] + g.integers(60, 3 * 86_400, m).astype("timedelta64[s]")
    return out[0], out[1], out[2], out[3], np.where(family, later, at)


def _reregistrations(params: UniverseParams, g: np.random.Generator, base: Signups, person: Arr) -> Signups:
    """Firms registering again 20-300 days later on a new phone and device (a lost phone), before as-of."""
    at = base.at[: len(person)] + g.integers(20 * 86_400, 300 * 86_400, len(person)).astype("timedelta64[s]")
    again = np.flatnonzero((g.random(len(person)) < REREGISTER_SHARE) & (at < params.as_of_day.astype("datetime64[s]")))
    take = pa.array(again)
    return Signups(
        at[again],
        ids.mobiles(params.seed, NEW_PHONES + person[again], firm=False),
        ids.device_ids(params.seed, 40, person[again]),
        base.ip.take(take),
        base.credit_code.take(take),
        base.legal_rep_id.take(take),
        np.full(len(again), APP),
        person_models(params.seed, person[again] + 1),
    )


def concat(*parts: Signups) -> Signups:
    """Sign-ups of ``parts``, one after the other."""
    return Signups(
        np.concatenate([p.at for p in parts]),
        pa.concat_arrays([p.phone for p in parts]),
        pa.concat_arrays([p.device_id for p in parts]),
        pa.concat_arrays([p.ip for p in parts]),
        pa.concat_arrays([p.credit_code for p in parts]),
        pa.concat_arrays([p.legal_rep_id for p in parts]),
        np.concatenate([p.channel for p in parts]),
        pa.concat_arrays([p.device_model for p in parts]),
    )
