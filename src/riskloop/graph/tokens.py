"""Keyed tokens: HMAC-SHA256 of a normalised identifier, so raw PII never enters the graph, plus masked labels."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.domain.pii import KEYED_PREFIX, UNLINKED_PREFIX
from riskloop.graph.normalize import per_distinct

# Kinds whose values are not personal data keep their own value as the token (still keyed for lookup).
PUBLIC_KINDS = frozenset({"enterprise", "application"})
TOKEN_HEX = 24  # 96 bits: collisions are negligible at billions of identifiers
KEYED = KEYED_PREFIX  # an identifier stored as ``tok1:<token>:<masked label>`` (ingested tables, the arrival log)
_KEYED_RE = re.compile(r"^tok1:([0-9a-f]{24}):(.*)$", re.DOTALL)
FINGERPRINT_LABEL = b"riskloop graph key fingerprint v1"  # what the key signs to be recognised, never the key


def key_fingerprint(key: bytes) -> str:
    """HMAC-SHA256 of a fixed label under ``key`` (hex): tells keys apart without revealing them."""
    return hmac.digest(key, FINGERPRINT_LABEL, hashlib.sha256).hex()


class Tokenizer:
    """Turns ``(kind, normalised value)`` into a token string and a 64-bit lookup key, both keyed by ``key``.

    Examples
    --------
    >>> t = Tokenizer(b"k" * 32)
    >>> t.token("phone", "13800138000") == t.token("phone", "13800138000")
    True
    >>> t.token("phone", "13800138000") == t.token("email", "13800138000")
    False

    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("graph key must be at least 16 bytes")
        self._key = key

    @property
    def fingerprint(self) -> str:
        """The key's fingerprint (``key_fingerprint``), recorded with each graph build."""
        return key_fingerprint(self._key)

    def _digest(self, kind: str, value: str) -> bytes:
        return hmac.digest(self._key, f"{kind}:{value}".encode(), hashlib.sha256)

    def token(self, kind: str, value: str) -> str:
        """Token of one normalised value."""
        return value if kind in PUBLIC_KINDS else self._digest(kind, value).hex()[:TOKEN_HEX]

    def key64(self, kind: str, value: str) -> int:
        """Signed 64-bit lookup key of one normalised value."""
        return int.from_bytes(self._digest(kind, value)[:8], "little", signed=True)

    def tokens(self, kind: str, values: pa.Array) -> pa.Array:
        """Tokens of an array of normalised values (nulls stay null); one HMAC per distinct value."""
        if kind in PUBLIC_KINDS:
            return values
        return per_distinct(values, lambda v: self.token(kind, v))

    def tokens_and_keys(self, kind: str, values: pa.Array) -> tuple[pa.Array, np.ndarray]:
        """Tokens and lookup keys of distinct normalised values (no nulls), one HMAC per value."""
        digests = [self._digest(kind, v) for v in values.to_pylist()]
        keys = np.frombuffer(b"".join(d[:8] for d in digests), dtype="<i8").astype(np.int64)
        if kind in PUBLIC_KINDS:
            return values, keys
        return pa.array([d.hex()[:TOKEN_HEX] for d in digests], pa.string()), keys

    def keyed(self, kind: str, value: str) -> str:
        """The stored form of one normalised value: token and masked label, no raw identifier (``KEYED``)."""
        if kind in PUBLIC_KINDS:
            return value
        return f"{KEYED}{self.token(kind, value)}:{masked_label(kind, value)}"

    def keyed_values(self, kind: str, values: pa.Array) -> pa.Array:
        """The stored forms (``keyed``) of normalised values, vectorised; values already keyed stay as they are."""
        if kind in PUBLIC_KINDS:
            return values
        return self._stored(KEYED, kind, values)

    def unlinked_values(self, kind: str, values: pa.Array) -> pa.Array:
        """Stored forms of values that did not normalise: ``tok0:<token>:<label>``, linking nothing (nulls stay)."""
        return self._stored(UNLINKED_PREFIX, kind, values)

    def _stored(self, prefix: str, kind: str, values: pa.Array) -> pa.Array:
        encoded = _encoded(values)
        distinct = encoded.dictionary
        done = pc.fill_null(pc.starts_with(distinct, prefix), False)
        raw = distinct.filter(pc.invert(done))
        scope = kind if prefix == KEYED else f"{kind}~text"  # an unlinked text never shares a linkable token
        tokens = pa.array([self._digest(scope, v).hex()[:TOKEN_HEX] for v in raw.to_pylist()], pa.string())
        made = iter(_join(prefix, tokens, ":", masked_labels(kind, raw)).to_pylist())
        out = [v if k else next(made) for v, k in zip(distinct.to_pylist(), done.to_pylist(), strict=True)]
        return pa.array(out, pa.string()).take(encoded.indices)

    def keys64(self, kind: str, values: pa.Array) -> np.ndarray:
        """Lookup keys of an array of normalised or keyed values (no nulls), as int64."""
        encoded = _encoded(values)
        blob = b"".join(
            _token_key(v) if v.startswith(KEYED) else self._digest(kind, v)[:8] for v in encoded.dictionary.to_pylist()
        )
        keys = np.frombuffer(blob, dtype="<i8")
        out: np.ndarray = keys[encoded.indices.to_numpy(zero_copy_only=False)]
        return out


def _encoded(values: pa.Array) -> pa.DictionaryArray:
    encoded = pc.dictionary_encode(values)
    return encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded


def _token_key(keyed: str) -> bytes:
    """The 8 lookup-key bytes of a keyed value: its token is the hex of the digest's first bytes."""
    return bytes.fromhex(keyed[len(KEYED) : len(KEYED) + 16])


def keyed_parts(values: pa.Array) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """Tokens, lookup keys and labels of keyed values (``tok1:<token>:<label>``, no nulls)."""
    start = len(KEYED)
    tokens = pc.utf8_slice_codeunits(values, start, start + TOKEN_HEX)
    labels = pc.utf8_slice_codeunits(values, start + TOKEN_HEX + 1, 1 << 30)
    blob = b"".join(bytes.fromhex(t[:16]) for t in tokens.to_pylist())
    return tokens, np.frombuffer(blob, dtype="<i8").astype(np.int64), labels


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


_MASKS = {
    "phone": lambda v: _join(pc.utf8_slice_codeunits(v, 0, 3), "****", pc.utf8_slice_codeunits(v, -4)),
    "person": lambda v: _join(pc.utf8_slice_codeunits(v, 0, 6), "**********", pc.utf8_slice_codeunits(v, -2)),
    "address": lambda v: _join(pc.utf8_slice_codeunits(v, 0, 6), "****"),
    "ip": lambda v: pc.replace_substring_regex(v, r"^([^.:]+[.:][^.:]+).*$", r"\1.*.*"),
    "email": lambda v: pc.replace_substring_regex(v, r"^(.)[^@]*@", r"\1***@"),
    "bank_account": lambda v: _join("****", pc.utf8_slice_codeunits(v, -4)),
    "name": lambda v: _join(pc.utf8_slice_codeunits(v, 0, 1), "**"),  # a surname, as a bank's screen shows it
}


_IP_HEAD = re.compile(r"^([^.:]+[.:][^.:]+).*$")
_EMAIL_LOCAL = re.compile(r"^(.)[^@]*@")
_SCALAR_MASKS = {  # the masks of ``masked_labels`` on one value, without an Arrow round trip (the decision path)
    "phone": lambda v: f"{v[:3]}****{v[-4:]}",
    "person": lambda v: f"{v[:6]}**********{v[-2:]}",
    "address": lambda v: f"{v[:6]}****",
    "ip": lambda v: _IP_HEAD.sub(r"\1.*.*", v),
    "email": lambda v: _EMAIL_LOCAL.sub(r"\1***@", v),
    "bank_account": lambda v: f"****{v[-4:]}",
    "name": lambda v: f"{v[:1]}**",
}


def masked_label(kind: str, value: str) -> str:
    """The display label ``masked_labels`` gives one normalised value."""
    if kind in PUBLIC_KINDS:
        return value
    mask = _SCALAR_MASKS.get(kind)
    return mask(value) if mask else f"{value[:4]}****"


def masked_labels(kind: str, values: pa.Array) -> pa.Array:
    """Display labels that reveal no full identifier: ``138****8000``, ``420102**********1X``, ``117.136.*.*``."""
    if kind in PUBLIC_KINDS:
        return values
    mask = _MASKS.get(kind)
    return mask(values) if mask else _join(pc.utf8_slice_codeunits(values, 0, 4), "****")


@dataclass(frozen=True)
class Keyed:
    """An identifier known by its token only: what the graph needs of it (lookup key, token, label).

    Examples
    --------
    >>> t = Tokenizer(b"k" * 32)
    >>> k = Keyed.parse(t.keyed("phone", "13800138000"))
    >>> k.key64 == t.key64("phone", "13800138000"), k.label
    (True, '138****8000')

    """

    token: str
    label: str

    @property
    def key64(self) -> int:
        """The lookup key ``Tokenizer.key64`` gives the raw value (the token is the digest's first bytes)."""
        return int.from_bytes(bytes.fromhex(self.token[:16]), "little", signed=True)

    @classmethod
    def parse(cls, value: object) -> Keyed | None:
        """The keyed identifier ``value`` holds, or None when it is a raw value."""
        if not isinstance(value, str) or not value.startswith(KEYED):
            return None
        found = _KEYED_RE.match(value)
        return cls(found.group(1), found.group(2)) if found else None
