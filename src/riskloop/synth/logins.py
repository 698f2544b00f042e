"""Login events around each application: register, one-time codes, logins, submission and device-farm bursts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.synth import ids
from riskloop.synth.applications import Applications
from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, literal_matrix, segment_ids, vocab_take
from riskloop.synth.firms import Firms
from riskloop.synth.params import Stream, UniverseParams, rng
from riskloop.synth.rings import DEVICE_FARM

EVENT_TYPES = ("register", "login", "otp", "apply")
REGISTER, LOGIN, OTP, APPLY = range(4)


def login_events(params: UniverseParams, chunk: int, firms: Firms, apps: Applications, table: pa.Table) -> pa.Table:
    """Build ``login_events`` for the chunk's applications (``table`` is the applications table)."""
    g = rng(params, chunk, Stream.LOGINS)
    n = apps.n
    fraud = apps.ring >= 0
    at = apps.applied_at
    pos = np.arange(n, dtype=np.int64)
    sec = "timedelta64[s]"
    register = (g.random(n) < 0.7) | fraud
    failed_otp = g.random(n) < np.where(fraud, 0.3, 0.05)
    prior = g.poisson(np.where(fraud, 0.3, 1.2))
    burst = np.where(apps.shape == DEVICE_FARM, g.poisson(4.0, n), 0)
    prior_pos = segment_ids(prior)
    burst_pos = segment_ids(burst)
    groups: list[tuple[Arr, Arr, int, Arr, bool]] = [  # app position, time, type, success, app device?
        (
            pos[register],
            at[register] - g.integers(1800, 259_200, int(register.sum())).astype(sec),
            REGISTER,
            np.ones(int(register.sum()), dtype=bool),
            True,
        ),
        (
            pos[failed_otp],
            at[failed_otp] - g.integers(1300, 1800, int(failed_otp.sum())).astype(sec),
            OTP,
            np.zeros(int(failed_otp.sum()), dtype=bool),
            True,
        ),
        (pos, at - g.integers(300, 1200, n).astype(sec), OTP, np.ones(n, dtype=bool), True),
        (pos, at - g.integers(60, 290, n).astype(sec), LOGIN, np.ones(n, dtype=bool), True),
        (pos, at, APPLY, np.ones(n, dtype=bool), True),
        (
            prior_pos,
            at[prior_pos] - g.integers(86_400, 60 * 86_400, len(prior_pos)).astype(sec),
            LOGIN,
            g.random(len(prior_pos)) < 0.97,
            False,
        ),
        (
            burst_pos,
            at[burst_pos] - g.integers(0, 7200, len(burst_pos)).astype(sec),
            LOGIN,
            g.random(len(burst_pos)) < 0.3,
            True,
        ),
    ]
    owner = np.concatenate([grp[0] for grp in groups])
    ts = np.concatenate([grp[1] for grp in groups])
    kind = np.concatenate([np.full(len(grp[0]), grp[2]) for grp in groups])
    success = np.concatenate([grp[3] for grp in groups])
    app_device = np.concatenate([np.full(len(grp[0]), grp[4]) for grp in groups])
    order = np.lexsort((kind, ts, owner))
    owner, ts, kind, success, app_device = owner[order], ts[order], kind[order], success[order], app_device[order]
    seq = np.arange(len(owner)) - np.searchsorted(owner, owner)
    take = pa.array(owner)
    own_device = ids.device_ids(params.seed, 1, apps.applicant[owner])
    own_ip = ids.ips(params.seed, 1, apps.applicant[owner])
    use_app = pa.array(app_device)
    return pa.table(
        {
            "event_id": ascii_strings(
                literal_matrix("EVT", len(owner)), digit_matrix(firms.index[apps.row[owner]], 10), digit_matrix(seq, 3)
            ),
            "person_id": ids.resident_ids(params.seed, apps.applicant[owner]),
            "ts": pa.array(ts.astype("datetime64[us]"), pa.timestamp("us", tz="UTC")),
            "event_type": vocab_take(EVENT_TYPES, kind),
            "device_id": pc.if_else(use_app, table["device_id"].take(take), own_device),
            "ip": pc.if_else(use_app, table["ip"].take(take), own_ip),
            "phone": table["phone"].take(take),
            "success": success,
        }
    )
