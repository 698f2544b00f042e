"""Vectorised normalisation of identifiers before linking: one key per phone, place, device, IP, e-mail, account.

Each function takes an Arrow string array and returns one of the same length; values that cannot be read
as the identifier become null (and so link nothing). Phones follow ``domain.identifiers.normalize_phone``,
addresses ``graph.divisions.address_key`` (applied once per distinct value).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.fold import fold_identifier
from riskloop.domain.pii import KEYED_PREFIX, PROTECTED_PREFIXES
from riskloop.errors import IdentifierError
from riskloop.graph.divisions import address_key

_MOBILE = r"^1[3-9][0-9]{9}$"
_LANDLINE = r"^0[0-9]{9,11}$"


def _null_where_not(values: pa.Array, pattern: str) -> pa.Array:
    ok = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    return pc.if_else(ok, values, pa.nulls(len(values), pa.string()))


def phones(values: pa.Array) -> pa.Array:
    """Mainland mobiles (11 digits, no +86) and landlines (0 + area code + number); anything else null."""
    text = pc.replace_substring_regex(pc.utf8_trim_whitespace(values), r"[\s\-()（）.]", "")
    text = pc.replace_substring_regex(text, r"^(?:\+86|0086)", "")
    text = pc.replace_substring_regex(text, r"^86([0-9]{11})$", r"\1")
    mobile = pc.fill_null(pc.match_substring_regex(text, _MOBILE), False)
    landline = pc.fill_null(pc.match_substring_regex(text, _LANDLINE), False)
    return pc.if_else(pc.or_(mobile, landline), text, pa.nulls(len(text), pa.string()))


def per_distinct(values: pa.Array, function: Callable[[str], str]) -> pa.Array:
    """Apply ``function`` once per distinct non-null value and spread the results back."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    mapped = pa.array([function(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return mapped.take(encoded.indices)


def _address_key(raw: str) -> str:
    return address_key(raw) or ""


def addresses(values: pa.Array) -> pa.Array:
    """Matching keys of written addresses: variants of one place share a key (``graph.divisions.address_key``).

    An address that cannot be placed at least in its prefecture locates nothing: null.
    """
    keys = per_distinct(values, _address_key)
    return pc.if_else(pc.equal(keys, ""), pa.nulls(len(keys), pa.string()), keys)


def lowered(values: pa.Array) -> pa.Array:
    """Trimmed, lower-cased text (device fingerprints, IPs, e-mails); empty strings null."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    return pc.if_else(pc.equal(text, ""), pa.nulls(len(text), pa.string()), text)


def emails(values: pa.Array) -> pa.Array:
    """Trimmed, lower-cased e-mail addresses; anything without ``local@domain.tld`` null."""
    return _null_where_not(lowered(values), r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def accounts(values: pa.Array) -> pa.Array:
    """Bank account numbers without spaces and hyphens; anything but 6..32 digits null."""
    return _null_where_not(pc.replace_substring_regex(values, r"[\s\-]", ""), r"^[0-9]{6,32}$")


def person_ids(values: pa.Array) -> pa.Array:
    """Resident ID numbers, trimmed and upper-cased (the check letter X)."""
    text = pc.utf8_upper(pc.utf8_trim_whitespace(values))
    return pc.if_else(pc.equal(text, ""), pa.nulls(len(text), pa.string()), text)


def subnets(ips: pa.Array) -> pa.Array:
    """The /24 network of IPv4 addresses (``a.b.c``); IPv6 and malformed values null."""
    ipv4 = r"^([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})\.[0-9]{1,3}$"
    return pc.replace_substring_regex(_null_where_not(lowered(ips), ipv4), ipv4, r"\1")


NORMALIZERS: dict[str, Callable[[pa.Array], pa.Array]] = {
    "phone": phones,
    "address": addresses,
    "device": lowered,
    "ip": lowered,
    "email": emails,
    "bank_account": accounts,
    "person": person_ids,
    "ip_subnet": subnets,
}


_FOLDED = ("phone", "person", "ip", "ip_subnet", "device", "bank_account")


def _fold_one(value: str) -> str:
    try:
        return fold_identifier(value, "value")
    except IdentifierError:
        return ""  # a control character: not an identifier, links nothing


def folded(values: pa.Array) -> pa.Array:
    """Identifiers written in any digit script or with full-width forms: one ASCII spelling (``domain.fold``)."""
    odd = pc.invert(pc.fill_null(pc.string_is_ascii(values), True))
    if not pc.any(odd).as_py():
        return values
    return pc.if_else(odd, per_distinct(pc.if_else(odd, values, pa.scalar(None, pa.string())), _fold_one), values)


def normalize(kind: str, values: pa.Array) -> pa.Array:
    """Normalise ``values`` as identifiers of ``kind`` (see ``NORMALIZERS``); other kinds are only trimmed.

    Values protected at rest (ADR 0016) are already normalised: a keyed token stays as it is (it links by its
    token); an unlinked token or a sealed value becomes null (it did not normalise, so it links nothing).
    """
    values = values.cast(pa.string())
    keyed = pc.fill_null(pc.starts_with(values, KEYED_PREFIX), False)
    protected = keyed
    for prefix in PROTECTED_PREFIXES:
        protected = pc.or_(protected, pc.fill_null(pc.starts_with(values, prefix), False))
    if not pc.any(protected).as_py():
        return _plain(kind, values)
    plain = _plain(kind, pc.if_else(protected, pa.scalar(None, pa.string()), values))
    return pc.if_else(keyed, values, plain)


def _plain(kind: str, values: pa.Array) -> pa.Array:
    if kind in _FOLDED:
        values = folded(values)
    if kind in NORMALIZERS:
        return NORMALIZERS[kind](values)
    return pc.utf8_trim_whitespace(values)


_SCALAR_JUNK = re.compile(r"[\s\-()（）.]")
_SCALAR_MOBILE = re.compile(_MOBILE)
_SCALAR_LANDLINE = re.compile(_LANDLINE)
_SCALAR_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SCALAR_IPV4 = re.compile(r"^([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})\.[0-9]{1,3}$")


def _phone_one(value: str) -> str | None:
    text = _SCALAR_JUNK.sub("", value.strip())
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if text.startswith("86") and len(text) == 13 and text.isdigit():
        text = text[2:]
    return text if _SCALAR_MOBILE.match(text) or _SCALAR_LANDLINE.match(text) else None


def normalize_one(kind: str, value: object) -> str | None:
    """Scalar twin of ``normalize`` for the request path (same keys, no Arrow overhead)."""
    if value is None:
        return None
    text = str(value)
    if text.startswith(KEYED_PREFIX):
        return text
    if text.startswith(PROTECTED_PREFIXES):
        return None
    if kind in _FOLDED and not text.isascii():
        text = _fold_one(text)
    out: str | None
    if kind == "phone":
        out = _phone_one(text)
    elif kind == "address":
        out = _address_key(text) or None
    elif kind in ("device", "ip"):
        out = text.strip().lower() or None
    elif kind == "email":
        out = text.strip().lower()
        out = out if _SCALAR_EMAIL.match(out) else None
    elif kind == "bank_account":
        out = re.sub(r"[\s\-]", "", text)
        out = out if out.isascii() and out.isdigit() and 6 <= len(out) <= 32 else None
    elif kind == "person":
        out = text.strip().upper() or None
    elif kind == "ip_subnet":
        match = _SCALAR_IPV4.match(text.strip().lower())
        out = match.group(1) if match else None
    else:
        out = text.strip()
    return out
