"""Vectorised format checks (credit code, resident ID, phone, IP, email): boolean Series, True = valid.

Each format is split into ordered sub-checks so a row gets one precise reason: a later sub-check
passes whenever an earlier one already failed. Check digits follow GB 32100-2015 and GB 11643-1999,
exactly as ``riskloop.domain.identifiers`` (which the tests compare against).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from riskloop.domain.identifiers import (
    EARLIEST_BIRTH,
    PROVINCE_CODES,
    RESIDENT_ID_WEIGHTS,
    USCC_CHARSET,
    USCC_WEIGHTS,
    canonical_ip,
)
from riskloop.errors import IdentifierError

SeriesCheck = Callable[[pd.Series], pd.Series]

_USCC_LUT = np.full(256, 0, dtype=np.int64)
for _i, _c in enumerate(USCC_CHARSET):
    _USCC_LUT[ord(_c)] = _i
_USCC_W = np.array(USCC_WEIGHTS, dtype=np.int64)
_RID_W = np.array(RESIDENT_ID_WEIGHTS, dtype=np.int64)
_RID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)

USCC_SHAPE = r"[0-9A-HJ-NP-RTUW-Y]{18}"
USCC_PREFIX = r"[159Y].\d{6}.*"
RESIDENT_ID_SHAPE = r"[0-9]{17}[0-9X]"
PHONE = r"1[3-9][0-9]{9}|0(?:(?:10|2[0-9])[2-9][0-9]{7}|[3-9][0-9]{2}[2-9][0-9]{6,7})"  # as domain.identifiers
REPEATED_DIGIT = r"([0-9])\1*"
EMAIL = r"[^@\s]+@[^@\s]+\.[^@\s]+"
_IPV4 = r"((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"


def _text(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str)


def _matches(s: pd.Series, pattern: str) -> pd.Series:
    return _text(s).str.fullmatch(pattern).astype(bool)


def _char_matrix(values: pd.Series) -> np.ndarray:
    """Rows of 18 ASCII codes; callers pass only values already known to be 18 ASCII characters."""
    raw = values.to_numpy(dtype=str).astype("S18")
    return np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(-1, 18)


def regex_check(pattern: str) -> SeriesCheck:
    """Return a check that the whole value matches ``pattern``."""
    return lambda s: _matches(s, pattern)


def uscc_prefix(s: pd.Series) -> pd.Series:
    """Registration authority (1, 5, 9 or Y) and a 6-digit division code, when the shape is right."""
    return ~_matches(s, USCC_SHAPE) | _matches(s, USCC_PREFIX)


def uscc_check_digit(s: pd.Series) -> pd.Series:
    """Check character matches (GB 32100-2015), when shape and prefix are right."""
    ok = pd.Series(True, index=s.index)
    candidates = _matches(s, USCC_SHAPE) & _matches(s, USCC_PREFIX)
    if candidates.any():
        codes = _USCC_LUT[_char_matrix(s[candidates])]
        expected = (31 - (codes[:, :17] @ _USCC_W) % 31) % 31
        ok[candidates] = codes[:, 17] == expected
    return ok


def resident_id_region(s: pd.Series) -> pd.Series:
    """The first two digits are a province-level division code, when the shape is right."""
    return ~_matches(s, RESIDENT_ID_SHAPE) | _text(s).str.slice(0, 2).isin(PROVINCE_CODES)


def birth_dates(s: pd.Series) -> pd.Series:
    """The birth dates written in digits 7-14 (NaT where they are not a calendar date)."""
    return pd.to_datetime(_text(s).str.slice(6, 14), format="%Y%m%d", errors="coerce")


def resident_id_birth_date(s: pd.Series) -> pd.Series:
    """Digits 7-14 form a calendar date from 1900 on, when the shape is right."""
    births = birth_dates(s)
    return ~_matches(s, RESIDENT_ID_SHAPE) | (births.notna() & (births >= pd.Timestamp(EARLIEST_BIRTH)))


def born_by(day: pd.Timestamp) -> SeriesCheck:
    """A check that the birth date is not after ``day`` (when it is a date at all)."""
    return lambda s: ~(birth_dates(s) > day).fillna(False).astype(bool)


def not_one_digit(s: pd.Series) -> pd.Series:
    """A phone is not one digit repeated."""
    return ~_matches(s, REPEATED_DIGIT)


def resident_id_check_digit(s: pd.Series) -> pd.Series:
    """Check character matches (GB 11643-1999), when shape and birth date are right."""
    ok = pd.Series(True, index=s.index)
    candidates = _matches(s, RESIDENT_ID_SHAPE) & resident_id_region(s) & resident_id_birth_date(s)
    if candidates.any():
        chars = _char_matrix(s[candidates])
        digits = chars[:, :17].astype(np.int64) - ord("0")
        expected = _RID_CHECK[(digits @ _RID_W) % 11]
        ok[candidates] = chars[:, 17] == expected
    return ok


def ip_address(s: pd.Series) -> pd.Series:
    """IPv4 (vectorised) or IPv6 (checked once per distinct value), as ``domain.identifiers.canonical_ip``.

    Addresses no client can have (unspecified, loopback, multicast, reserved, link-local) are invalid.
    """
    text = _text(s)
    ok = text.str.fullmatch(_IPV4).astype(bool)
    first = pd.to_numeric(text.str.extract(r"^(\d+)\.", expand=False), errors="coerce")
    ok &= ~(first.isin([127]) | (first >= 224) | text.str.startswith("169.254.") | (text == "0.0.0.0"))  # noqa: S104
    rest = text[~text.str.fullmatch(_IPV4).astype(bool) & text.str.contains(":", regex=False)]
    if not rest.empty:
        valid = {v for v in rest.unique() if _is_client_ip(v)}
        ok[rest.index] = rest.isin(valid)
    return ok


def _is_client_ip(value: str) -> bool:
    try:
        canonical_ip(value)
    except IdentifierError:
        return False
    return True
