"""Vectorised format checks (credit code, resident ID, phone, IP, email): boolean Series, True = valid.

Each format is split into ordered sub-checks so a row gets one precise reason: a later sub-check
passes whenever an earlier one already failed. Check digits follow GB 32100-2015 and GB 11643-1999,
exactly as ``riskloop.domain.identifiers`` (which the tests compare against).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import numpy as np
import pandas as pd

from riskloop.domain.identifiers import RESIDENT_ID_WEIGHTS, USCC_CHARSET, USCC_WEIGHTS

SeriesCheck = Callable[[pd.Series], pd.Series]

_USCC_LUT = np.full(256, 0, dtype=np.int64)
for _i, _c in enumerate(USCC_CHARSET):
    _USCC_LUT[ord(_c)] = _i
_USCC_W = np.array(USCC_WEIGHTS, dtype=np.int64)
_RID_W = np.array(RESIDENT_ID_WEIGHTS, dtype=np.int64)
_RID_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)

USCC_SHAPE = r"[0-9A-HJ-NP-RTUW-Y]{18}"
USCC_PREFIX = r"[159Y].\d{6}.*"
RESIDENT_ID_SHAPE = r"\d{17}[\dX]"
PHONE = r"1[3-9]\d{9}|0\d{9,11}"
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


def resident_id_birth_date(s: pd.Series) -> pd.Series:
    """Digits 7-14 form a calendar date, when the shape is right."""
    shaped = _matches(s, RESIDENT_ID_SHAPE)
    births = pd.to_datetime(_text(s).str.slice(6, 14), format="%Y%m%d", errors="coerce")
    return ~shaped | births.notna()


def resident_id_check_digit(s: pd.Series) -> pd.Series:
    """Check character matches (GB 11643-1999), when shape and birth date are right."""
    ok = pd.Series(True, index=s.index)
    candidates = _matches(s, RESIDENT_ID_SHAPE) & resident_id_birth_date(s)
    if candidates.any():
        chars = _char_matrix(s[candidates])
        digits = chars[:, :17].astype(np.int64) - ord("0")
        expected = _RID_CHECK[(digits @ _RID_W) % 11]
        ok[candidates] = chars[:, 17] == expected
    return ok


def ip_address(s: pd.Series) -> pd.Series:
    """IPv4 (vectorised) or IPv6 (checked once per distinct value)."""
    text = _text(s)
    ok = text.str.fullmatch(_IPV4).astype(bool)
    rest = text[~ok & text.str.contains(":", regex=False)]
    if not rest.empty:
        valid = {v for v in rest.unique() if _is_ipv6(v)}
        ok[rest.index] = rest.isin(valid)
    return ok


def _is_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True
