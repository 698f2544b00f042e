# ruff: noqa: S608  (SQL assembled from constants of this module only)
"""Who used which identifier when: the application x identifier table gang detection and the checks work on.

One row per (application, identifier, role). Roles are the field the identifier came from: the declared
phone, address, device, IP and its /24 network, e-mail, settlement account, the applicant, the firm's
legal representative and officers, and the devices and IPs the applicant logged in from in the days before.
Identifiers are keyed like graph nodes (``Tokenizer.key64`` of the normalised value).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.versions import in_force_order_sql
from riskloop.graph.build import available
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
    "SELECT application_id, credit_code, CAST(epoch(applied_at) AS BIGINT) AS at, phone, address, device_id, ip, "
    "email, bank_account, applicant_id FROM applications ORDER BY applied_at, application_id"
)
# The legal representative in force on the application's day (ADR 0020).
_REPS = (
    "SELECT application_id, value FROM (SELECT a.application_id, e.legal_rep_id AS value, row_number() OVER "
    f"(PARTITION BY a.application_id ORDER BY {in_force_order_sql('CAST(a.applied_at AS DATE)', alias='e')}) AS rank "
    "FROM applications a JOIN enterprises e USING (credit_code)) reps WHERE rank = 1"
)
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

    @property
    def n_apps(self) -> int:
        """Number of applications."""
        return len(self.application_id)


def _rows(
    tokenizer: Tokenizer, all_ids: pa.Array, app_ids: pa.Array, values: pa.Array, role: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    norm = normalize(ROLE_KIND[role] if role != "ip_subnet" else "ip_subnet", values)
    ok = pc.is_valid(norm)
    norm, app_ids = norm.filter(ok), app_ids.filter(ok)
    apps = pc.index_in(app_ids, value_set=all_ids).to_numpy(zero_copy_only=False).astype(np.int64)
    keys = tokenizer.keys64(ROLE_KIND[role], norm) if len(norm) else np.zeros(0, np.int64)
    return apps, keys, np.full(len(apps), ROLE_CODE[role], dtype=np.int8)


def read_usage(con: duckdb.DuckDBPyConnection, tokenizer: Tokenizer) -> Usage:
    """Read applications and their identifier uses from the tables visible on ``con``."""
    have = available(con)
    apps = con.sql(_APPS).to_arrow_table()
    ids = apps["application_id"].combine_chunks()
    parts = [_rows(tokenizer, ids, ids, apps[column].combine_chunks(), role) for column, role in APPLICATION_ROLES]
    extra = [("enterprises", _REPS, "legal_rep"), ("officers", _OFFICERS, "officer")]
    extra += [("login_events", _LOGINS.format(col="device_id"), "login_device")]
    extra += [("login_events", _LOGINS.format(col="ip"), "login_ip")]
    for needed, sql, role in extra:
        if needed in have:
            rows = con.sql(sql).to_arrow_table()
            parts.append(
                _rows(tokenizer, ids, rows["application_id"].combine_chunks(), rows["value"].combine_chunks(), role)
            )
    return Usage(
        application_id=ids.to_pylist(),
        credit_code=apps["credit_code"].to_pylist(),
        at=apps["at"].to_numpy(),
        app=np.concatenate([p[0] for p in parts]),
        key=np.concatenate([p[1] for p in parts]),
        role=np.concatenate([p[2] for p in parts]),
    )
