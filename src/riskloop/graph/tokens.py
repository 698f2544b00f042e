"""Keyed tokens: HMAC-SHA256 of a normalised identifier, so raw PII never enters the graph, plus masked labels."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskloop.graph.normalize import per_distinct

# Kinds whose values are not personal data keep their own value as the token (still keyed for lookup).
PUBLIC_KINDS = frozenset({"enterprise", "application"})
TOKEN_HEX = 24  # 96 bits: collisions are negligible at billions of identifiers
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

    def keys64(self, kind: str, values: pa.Array) -> np.ndarray:
        """Lookup keys of an array of normalised values (no nulls), as int64."""
        encoded = pc.dictionary_encode(values)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        blob = b"".join(self._digest(kind, v)[:8] for v in encoded.dictionary.to_pylist())
        keys = np.frombuffer(blob, dtype="<i8")
        out: np.ndarray = keys[encoded.indices.to_numpy(zero_copy_only=False)]
        return out


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


_MASKS = {
    "phone": lambda v: _join(pc.utf8_slice_codeunits(v, 0, 3), "****", pc.utf8_slice_codeunits(v, -4)),
    "person": lambda v: _join(pc.utf8_slice_codeunits(v, 0, 6), "**********", pc.utf8_slice_codeunits(v, -2)),
    "address": lambda v: _join(pc.utf8_slice_codeunits(v, 0, 6), "****"),
    "ip": lambda v: pc.replace_substring_regex(v, r"^([^.:]+[.:][^.:]+).*$", r"\1.*.*"),
    "email": lambda v: pc.replace_substring_regex(v, r"^(.)[^@]*@", r"\1***@"),
    "bank_account": lambda v: _join("****", pc.utf8_slice_codeunits(v, -4)),
}


def masked_labels(kind: str, values: pa.Array) -> pa.Array:
    """Display labels that reveal no full identifier: ``138****8000``, ``420102**********1X``, ``117.136.*.*``."""
    if kind in PUBLIC_KINDS:
        return values
    mask = _MASKS.get(kind)
    return mask(values) if mask else _join(pc.utf8_slice_codeunits(values, 0, 4), "****")
