"""Registration (工商) tables: enterprises, persons, shareholders, officers and registration changes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.tables import INDUSTRY_SECTIONS
from riskloop.synth import ids
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, join, literal_matrix, vocab_take
from riskloop.synth.firms import STATUSES, Firms
from riskloop.synth.invoices import zipf_partners
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.text import addresses, firm_names, person_names, street_parts
from riskloop.synth.vocab import vocab

Tables = dict[str, pa.Table]
CHANGE_TYPES = ("legal_rep", "address", "capital", "name", "scope", "shareholder")
_CHANGE_RATES = (0.0, 0.12, 0.08, 0.03, 0.10, 0.06)  # per firm over its life; legal_rep is driven by z


@dataclass(frozen=True)
class FirmText:
    """Strings of the chunk's firms that applications reuse."""

    codes: pa.Array
    names: pa.Array
    street: pa.Array  # road, number and building (no region)
    address: pa.Array
    phone: pa.Array


def firm_text(params: UniverseParams, chunk: int, firms: Firms) -> FirmText:
    """Credit codes, names, addresses and phones of the chunk's firms."""
    g = rng(params, chunk, Stream.TEXT)
    v = vocab()
    road, building = street_parts(g, firms.n)
    street = pc.binary_join_element_wise(road, building, "")
    hub_streets = vocab_take([h[1] for h in v.hub_addresses], np.maximum(firms.hub, 0))
    street = pc.if_else(pa.array(firms.hub >= 0), hub_streets, street)
    phone = pc.if_else(
        pa.array(firms.individual),
        ids.mobiles(params.seed, firms.legal_rep, firm=False),
        ids.mobiles(params.seed, firms.index, firm=True),
    )
    return FirmText(
        codes=ids.credit_codes(params.seed, firms.index),
        names=firm_names(g, firms.region, firms.section, firms.individual),
        street=street,
        address=addresses(firms.region, street),
        phone=phone,
    )


def registration_tables(params: UniverseParams, chunk: int, firms: Firms, text: FirmText) -> Tables:
    """Build the registration tables of the chunk."""
    g = rng(params, chunk, Stream.REGISTRATION)
    seed = params.seed
    changes, rep_since = _changes(params, g, firms, text)
    enterprises = pa.table(
        {
            "credit_code": text.codes,
            "name": text.names,
            "kind": vocab_take(("company", "individual_business"), firms.individual.astype(np.int64)),
            "industry_section": vocab_take(INDUSTRY_SECTIONS, firms.section),
            "established_date": firms.established,
            "registered_capital_cents": firms.capital_cents,
            "region_code": vocab_take(vocab().region_codes, firms.region),
            "address": text.address,
            "phone": text.phone,
            "legal_rep_id": ids.resident_ids(seed, firms.legal_rep),
            "status": vocab_take(STATUSES, firms.status),
        }
    )
    company = ~firms.individual
    own_rep = firms.legal_rep == ids.person_index(firms.index, 0)
    own_officer = firms.officer == ids.person_index(firms.index, 2)
    person_idx = np.concatenate(
        [
            ids.person_index(firms.index[own_rep], 0),
            ids.person_index(firms.index[company], 1),
            ids.person_index(firms.index[company & own_officer], 2),
            ids.person_index(firms.index[company], 3),
        ]
    )
    person_idx.sort()
    phone = ids.mobiles(seed, person_idx, firm=False)
    persons = pa.table(
        {
            "person_id": ids.resident_ids(seed, person_idx),
            "name": person_names(g, len(person_idx)),
            "phone": pc.if_else(
                pa.array(g.random(len(person_idx)) < 0.92), phone, pa.nulls(len(person_idx), pa.string())
            ),
        }
    )
    return {
        "enterprises": enterprises,
        "persons": persons,
        "shareholders": _shareholders(params, g, firms, text),
        "officers": _officers(params, g, firms, text, rep_since),
        "registration_changes": changes,
    }


def _shareholders(params: UniverseParams, g: np.random.Generator, firms: Firms, text: FirmText) -> pa.Table:
    n = firms.n
    seed = params.seed
    company = ~firms.individual
    partner_idx = zipf_partners(g, params.enterprises, firms.index, 1.1)
    corporate = company & (g.random(n) < 0.10) & ~ids.is_individual(seed, partner_idx)
    second = company & (g.random(n) < 0.55)
    corp_stake = np.where(corporate, g.integers(10, 50, n) * 100, 0)
    remaining = 10000 - corp_stake
    first_stake = np.where(second, np.round(remaining * g.uniform(0.5, 0.9, n) / 100) * 100, remaining)
    main = company | (firms.individual & (g.random(n) < 0.5))  # individual businesses: none or one row
    since_corp = _later(g, firms.established, params.as_of_day)
    holders = [
        (main, "person", ids.resident_ids(seed, firms.legal_rep[main]), first_stake, firms.established),
        (
            second,
            "person",
            ids.resident_ids(seed, ids.person_index(firms.index[second], 1)),
            remaining - first_stake,
            firms.established,
        ),
        (corporate, "enterprise", ids.credit_codes(seed, partner_idx[corporate]), corp_stake, since_corp),
    ]
    return pa.concat_tables(
        [
            pa.table(
                {
                    "credit_code": text.codes.filter(pa.array(mask)),
                    "holder_kind": pa.array([kind] * int(mask.sum()), pa.string()),
                    "holder_id": holder,
                    "stake_bp": stake[mask].astype(np.int64),
                    "since_date": since[mask],
                }
            )
            for mask, kind, holder, stake, since in holders
        ]
    )


def _officers(params: UniverseParams, g: np.random.Generator, firms: Firms, text: FirmText, rep_since: Arr) -> pa.Table:
    n = firms.n
    company = ~firms.individual
    finance = company & ((g.random(n) < 0.4) | firms.is_shell)
    roles = [
        (np.ones(n, dtype=bool), firms.legal_rep, "legal_rep", rep_since),
        (company, firms.legal_rep, "director", firms.established),
        (company, firms.officer, "supervisor", firms.established),
        (company & (g.random(n) < 0.6), ids.person_index(firms.index, 1), "manager", firms.established),
        (
            finance,
            np.where(firms.is_shell, firms.officer, ids.person_index(firms.index, 3)),
            "finance",
            firms.established,
        ),
    ]
    return pa.concat_tables(
        [
            pa.table(
                {
                    "credit_code": text.codes.filter(pa.array(mask)),
                    "person_id": ids.resident_ids(params.seed, person[mask]),
                    "role": pa.array([role] * int(mask.sum()), pa.string()),
                    "since_date": since[mask],
                }
            )
            for mask, person, role, since in roles
        ]
    )


def _later(g: np.random.Generator, start: Arr, end: np.datetime64) -> Arr:
    span = np.maximum((end - start).astype(np.int64), 0)
    out: Arr = start + (g.random(len(start)) * span).astype("timedelta64[D]")
    return out


def _changes(params: UniverseParams, g: np.random.Generator, firms: Firms, text: FirmText) -> tuple[pa.Table, Arr]:
    n = firms.n
    open_days = (params.as_of_day - firms.established).astype(np.int64) - 30
    rates = np.array(_CHANGE_RATES)[None, :] * np.ones((n, 1)) * (open_days[:, None] / 1500.0).clip(0, 2)
    rates[:, 0] = np.where(firms.individual, 0.0, 0.25 * np.exp(-0.7 * firms.views["reg"])) * (open_days / 1500.0).clip(
        0, 2
    )
    counts = np.where(open_days[:, None] > 0, np.minimum(g.poisson(rates), 1), 0)
    counts[firms.is_shell | (firms.legal_rep != ids.person_index(firms.index, 0)), 0] = 0
    firm_row, change_type = np.nonzero(counts)
    when = (
        firms.established[firm_row]
        + np.timedelta64(30, "D")
        + (g.random(len(firm_row)) * open_days[firm_row]).astype("timedelta64[D]")
    )
    rep_since = firms.established.copy()
    is_rep = change_type == 0
    rep_since[firm_row[is_rep]] = when[is_rep]
    seq = np.arange(len(firm_row)) - np.searchsorted(firm_row, firm_row)
    change_id = ascii_strings(
        literal_matrix("CHG", len(firm_row)), digit_matrix(firms.index[firm_row], 10), digit_matrix(seq, 2)
    )
    seed = params.seed
    rep_before = ids.resident_ids(seed, ids.person_index(firms.index[firm_row], 3))
    rep_after = ids.resident_ids(seed, firms.legal_rep[firm_row])
    cap = pc.cast(pa.array(firms.capital_cents[firm_row] // 1_000_000), pa.string())
    old_cap = pc.cast(pa.array(np.maximum(firms.capital_cents[firm_row] // 2_000_000, 1)), pa.string())
    null = pa.nulls(len(firm_row), pa.string())
    taken = pa.array(firm_row)
    kind = pa.array(change_type.astype(np.int8))
    before = pc.choose(kind, rep_before, null, join(old_cap, "万元"), null, null, null)
    after = pc.choose(kind, rep_after, text.address.take(taken), join(cap, "万元"), text.names.take(taken), null, null)
    table = pa.table(
        {
            "change_id": change_id,
            "credit_code": text.codes.take(taken),
            "change_date": when,
            "change_type": vocab_take(CHANGE_TYPES, change_type),
            "before_value": before,
            "after_value": after,
        }
    )
    return table, rep_since
