# ruff: noqa: S608  (SQL assembled from constants of this module only)
"""Who used which identifier when: the application x identifier table gang detection and the checks work on.

One row per (application, identifier, role). Roles are the field the identifier came from: the declared
phone, address, device, IP and its /24 network, e-mail, settlement account, the applicant, the firm's
legal representative and officers, and the devices and IPs the applicant logged in from in the days before.
Identifiers are keyed like graph nodes (``Tokenizer.key64`` of the normalised value).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.versions import in_force_order_sql
from riskloop.graph.build import available
from riskloop.graph.infrastructure import CARRIER_ROLES, OWN_CHANNEL_ROLES, Infrastructure, shipped_infrastructure
from riskloop.graph.normalize import normalize
from riskloop.graph.tokens import Tokenizer

ROLES: tuple[str, ...] = (
    "phone",
    "address",
    "device",
    "ip",
    "ip_subnet",
    "email",
    "bank_account",
    "applicant",
    "legal_rep",
    "officer",
    "login_device",
    "login_ip",
)
ROLE_CODE = {name: code for code, name in enumerate(ROLES)}
# Application column -> role of the identifier it holds (the batch usage table and the live checks agree).
APPLICATION_ROLES: tuple[tuple[str, str], ...] = (
    ("phone", "phone"),
    ("address", "address"),
    ("device_id", "device"),
    ("ip", "ip"),
    ("ip", "ip_subnet"),
    ("email", "email"),
    ("bank_account", "bank_account"),
    ("applicant_id", "applicant"),
)
# The identifier kind each role is keyed as: a person is one node whichever role brought them in.
ROLE_KIND = {
    "phone": "phone",
    "address": "address",
    "device": "device",
    "ip": "ip",
    "ip_subnet": "ip_subnet",
    "email": "email",
    "bank_account": "bank_account",
    "applicant": "person",
    "legal_rep": "person",
    "officer": "person",
    "login_device": "device",
    "login_ip": "ip",
}
LOGIN_LOOKBACK_DAYS = 7

_APPS = (
    "SELECT application_id, credit_code, CAST(epoch(applied_at) AS BIGINT) AS at, channel, phone, address, device_id, "
    "ip, email, bank_account, applicant_id FROM applications ORDER BY applied_at, application_id"
)
# The legal representative in force on the application's day (ADR 0020).
_REPS = (
    "SELECT application_id, value FROM (SELECT a.application_id, e.legal_rep_id AS value, row_number() OVER "
    f"(PARTITION BY a.application_id ORDER BY {in_force_order_sql('CAST(a.applied_at AS DATE)', alias='e')}) AS rank "
    "FROM applications a JOIN enterprises e USING (credit_code)) reps WHERE rank = 1"
)
_REGISTERED = "SELECT DISTINCT credit_code, {column} AS value FROM enterprises WHERE {column} IS NOT NULL"
_OFFICERS = (
    "SELECT DISTINCT a.application_id, o.person_id AS value FROM applications a JOIN officers o USING (credit_code) "
    "WHERE o.role <> 'legal_rep'"
)
_LOGINS = (
    "SELECT DISTINCT a.application_id, l.{col} AS value FROM applications a JOIN login_events l "
    "ON l.person_id = a.applicant_id AND l.ts <= a.applied_at "
    f"AND l.ts > a.applied_at - INTERVAL {LOGIN_LOOKBACK_DAYS} DAY WHERE l.{{col}} IS NOT NULL"
)


@dataclass(frozen=True)
class Usage:
    """Applications (in time order) and their identifier uses.

    ``app`` indexes ``application_id`` / ``credit_code`` / ``at``; ``key`` is the identifier's lookup key.
    """

    application_id: list[str]
    credit_code: list[str]
    at: np.ndarray  # epoch seconds
    app: np.ndarray
    key: np.ndarray
    role: np.ndarray
    # keys of known infrastructure met in the batch (the bank's kiosk devices and IPs): no use of them is kept
    infrastructure: frozenset[int] = frozenset()

    @property
    def n_apps(self) -> int:
        """Number of applications."""
        return len(self.application_id)

    @cached_property
    def party(self) -> np.ndarray:
        """Enterprise number of each application (equal credit codes, equal numbers): the parties links count."""
        if not self.credit_code:
            return np.zeros(0, dtype=np.int64)
        codes: np.ndarray = np.unique(np.array(self.credit_code, dtype=object), return_inverse=True)[1]
        return codes.astype(np.int64)


def _rows(
    tokenizer: Tokenizer, all_ids: pa.Array, app_ids: pa.Array, values: pa.Array, role: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    norm = normalize(ROLE_KIND[role] if role != "ip_subnet" else "ip_subnet", values)
    ok = pc.is_valid(norm)
    norm, app_ids = norm.filter(ok), app_ids.filter(ok)
    apps = pc.index_in(app_ids, value_set=all_ids).to_numpy(zero_copy_only=False).astype(np.int64)
    keys = tokenizer.keys64(ROLE_KIND[role], norm) if len(norm) else np.zeros(0, np.int64)
    return apps, keys, np.full(len(apps), ROLE_CODE[role], dtype=np.int8)


def read_usage(
    con: duckdb.DuckDBPyConnection, tokenizer: Tokenizer, infrastructure: Infrastructure | None = None
) -> Usage:
    """Read applications and their identifier uses from the tables visible on ``con``.

    Uses of known infrastructure (``graph.infrastructure``, the shipped list by default) are left out, as the
    request path leaves them out (``checks.GraphChecks.uses``). Login IPs are not read: a login comes through a
    phone's carrier or a public network far more often than through a place of the applicant's own.
    """
    infra = infrastructure or shipped_infrastructure()
    have = available(con)
    apps = con.sql(_APPS).to_arrow_table()
    ids = apps["application_id"].combine_chunks()
    parts = [_rows(tokenizer, ids, ids, apps[column].combine_chunks(), role) for column, role in APPLICATION_ROLES]
    extra = [("enterprises", _REPS, "legal_rep"), ("officers", _OFFICERS, "officer")]
    extra += [("login_events", _LOGINS.format(col="device_id"), "login_device")]
    for needed, sql, role in extra:
        if needed in have:
            rows = con.sql(sql).to_arrow_table()
            parts.append(
                _rows(tokenizer, ids, rows["application_id"].combine_chunks(), rows["value"].combine_chunks(), role)
            )
    uses = Usage(
        application_id=ids.to_pylist(),
        credit_code=apps["credit_code"].to_pylist(),
        at=apps["at"].to_numpy(),
        app=np.concatenate([p[0] for p in parts]),
        key=np.concatenate([p[1] for p in parts]),
        role=np.concatenate([p[2] for p in parts]),
    )
    own = pc.is_in(apps["channel"].combine_chunks(), pa.array(sorted(infra.own_channels), pa.string()))
    own_apps = own.fill_null(False).to_numpy(zero_copy_only=False)
    kiosk = own_apps[uses.app] & np.isin(uses.role, [ROLE_CODE["device"], ROLE_CODE["ip"]])
    hubs = registered_hubs(con, tokenizer, infra.registered_hub_firms) if "enterprises" in have else frozenset()
    keep = infrastructure_kept(uses, own_apps, infra.subnet_keys(tokenizer)) & ~np.isin(uses.key, list(hubs))
    keep &= ~owned_since(uses, kiosk)
    owned = frozenset(uses.key[kiosk].tolist()) | hubs
    return dataclasses.replace(uses, app=uses.app[keep], key=uses.key[keep], role=uses.role[keep], infrastructure=owned)


def owned_since(usage: Usage, kiosk: np.ndarray) -> np.ndarray:
    """Uses of a key at or after its first use on an own channel (from then on it is known as the bank's).

    Point in time, as the request path learns a kiosk when it records its first application
    (``checks.GraphChecks.record``): a login from that device before it is still the applicant's.
    """
    if not kiosk.any():
        return np.zeros(len(usage.key), dtype=bool)
    at = usage.at[usage.app]
    keys, first = usage.key[kiosk], at[kiosk]
    order = np.lexsort((first, keys))
    keys, first = keys[order], first[order]
    lead = np.r_[True, keys[1:] != keys[:-1]]
    keys, first = keys[lead], first[lead]  # each key's first own-channel time
    pos = np.minimum(np.searchsorted(keys, usage.key), len(keys) - 1)
    out: np.ndarray = (keys[pos] == usage.key) & (at >= first[pos])
    return out


def registered_hubs(con: duckdb.DuckDBPyConnection, tokenizer: Tokenizer, firms: int) -> frozenset[int]:
    """Keys of the addresses and phones more than ``firms`` enterprises registered (any version of theirs)."""
    out: set[int] = set()
    for column in ("address", "phone"):
        rows = con.sql(_REGISTERED.format(column=column)).to_arrow_table()
        norm = normalize(column, rows["value"].combine_chunks())
        ok = pc.is_valid(norm)
        if not pc.any(ok).as_py():
            continue
        keys = tokenizer.keys64(column, norm.filter(ok))
        codes = rows["credit_code"].combine_chunks().filter(ok)
        pairs = pa.table({"key": keys, "code": codes}).group_by("key").aggregate([("code", "count_distinct")])
        out.update(pairs.filter(pc.greater(pairs["code_count_distinct"], firms))["key"].to_pylist())
    return frozenset(out)


def infrastructure_kept(usage: Usage, own: np.ndarray, carrier_subnets: frozenset[int]) -> np.ndarray:
    """Which use rows are not of infrastructure: an own-channel application's device and network, a carrier's IP.

    ``own`` flags the applications filed on an own channel, ``carrier_subnets`` are the carrier /24 networks' keys.
    """
    app, key, role = usage.app, usage.key, usage.role
    carrier_subnet = (role == ROLE_CODE["ip_subnet"]) & np.isin(key, list(carrier_subnets))
    carrier = np.zeros(len(own), dtype=bool)
    carrier[app[carrier_subnet]] = True
    own_roles = np.isin(role, [ROLE_CODE[r] for r in OWN_CHANNEL_ROLES])
    carrier_roles = np.isin(role, [ROLE_CODE[r] for r in CARRIER_ROLES])
    out: np.ndarray = ~((own[app] & own_roles) | (carrier[app] & carrier_roles))
    return out
