"""The platform's registration log (``events/registrations``) and its truth (``truth/registration_attacks``).

Not a table of the ingest contract: a bank screens its registration log as it arrives (``riskloop registrations
screen``), it does not load it. Drawn from streams of its own, so every other file keeps its bytes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskloop.synth.arrays import Arr, ascii_strings, digit_matrix, literal_matrix, vocab_take
from riskloop.synth.firms import Firms
from riskloop.synth.params import UniverseParams
from riskloop.synth.reg_attacks import plant_attacks
from riskloop.synth.registration import FirmText
from riskloop.synth.signups import CHANNELS, concat, honest_signups

EVENTS_REGISTRATIONS = "events/registrations"
ATTACKS = "registration_attacks"
_TS = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        ("registration_id", pa.string()),
        ("registered_at", _TS),
        ("phone", pa.string()),
        ("device_id", pa.string()),
        ("ip", pa.string()),
        ("credit_code", pa.string()),
        ("legal_rep_id", pa.string()),
        ("channel", pa.string()),
        ("device_model", pa.string()),
    ]
)
TRUTH_SCHEMA = pa.schema(
    [("registration_id", pa.string()), ("attack_id", pa.string()), ("shape", pa.string()), ("links", pa.string())]
)


def registration_log(params: UniverseParams, chunk: int, firms: Firms, text: FirmText) -> tuple[pa.Table, pa.Table]:
    """The chunk's registrations in time order (honest and planted) and the truth of the planted ones."""
    honest = honest_signups(params, chunk, firms, text)
    attacks, owner, truth = plant_attacks(params, chunk, firms.n)
    every = concat(honest, attacks)
    attack_of = np.concatenate([np.full(len(honest.at), -1), owner])
    keep = np.flatnonzero(every.at < params.as_of_day.astype("datetime64[s]"))
    order = keep[np.argsort(every.at[keep], kind="stable")]
    n = len(order)
    reg_id = ascii_strings(literal_matrix("REG", n), digit_matrix(np.full(n, chunk), 4), digit_matrix(np.arange(n), 8))
    take = pa.array(order)
    table = pa.table(
        {
            "registration_id": reg_id,
            "registered_at": pa.array(every.at[order].astype("datetime64[us]"), _TS),
            "phone": every.phone.take(take),
            "device_id": every.device_id.take(take),
            "ip": every.ip.take(take),
            "credit_code": every.credit_code.take(take),
            "legal_rep_id": every.legal_rep_id.take(take),
            "channel": vocab_take(CHANNELS, every.channel[order]),
            "device_model": every.device_model.take(take),
        },
        schema=SCHEMA,
    )
    return table, _truth(reg_id, attack_of[order], truth)


def _truth(reg_id: pa.Array, attack: Arr, attacks: list[str]) -> pa.Table:
    planted = np.flatnonzero(attack >= 0)
    rows = [attacks[a].split("\t") for a in attack[planted].tolist()]
    return pa.table(
        {
            "registration_id": reg_id.take(pa.array(planted)),
            "attack_id": pa.array([r[0] for r in rows], pa.string()),
            "shape": pa.array([r[1] for r in rows], pa.string()),
            "links": pa.array([r[2] for r in rows], pa.string()),
        },
        schema=TRUTH_SCHEMA,
    )
