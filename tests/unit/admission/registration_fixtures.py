"""Registrations for the screening tests: valid identifiers made by the generator's own functions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from riskloop.domain.registration import Registration
from riskloop.synth import ids
from riskloop.synth.signups import MODELS

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SEED = 5


def code(i: int) -> str:
    return str(ids.credit_codes(SEED, np.array([i]))[0])


def person(i: int) -> str:
    return str(ids.resident_ids(SEED, np.array([i]))[0])


def phone(i: int) -> str:
    return str(ids.mobiles(SEED, np.array([i]), firm=False)[0])


def device(i: int) -> str:
    return str(ids.device_ids(SEED, 1, np.array([i]))[0])


def ip(i: int) -> str:
    return str(ids.ips(SEED, 1, np.array([i]))[0])


def registration(i: int, at: dt.datetime = T0, **override: Any) -> Registration:
    """Registration ``i``: its own firm, person, phone, device and home IP unless ``override`` says otherwise."""
    fields: dict[str, Any] = {
        "registration_id": f"r{i}",
        "phone": phone(i),
        "device_id": device(i),
        "ip": ip(i),
        "credit_code": code(i),
        "legal_rep_id": person(i),
        "channel": "app",
        "device_model": MODELS[i % len(MODELS)],  # popular models, in turn
    }
    return Registration(at=at, **(fields | override))
