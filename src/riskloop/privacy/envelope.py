"""Envelope encryption of personal identifiers: an AES-GCM data key per record, wrapped by a key-encryption key.

A sealed value is one text: ``pii1:<kek id>:<wrapped data key>:<nonce + ciphertext>`` (URL-safe base64), so a
field stays a string in JSON and a sealed field can be told from a raw one (``is_sealed``), which makes
sealing idempotent. The field's name is authenticated (AES-GCM associated data): a sealed phone moved into
another field does not open. The key-encryption key (KEK) comes from a ``KeyProvider``; rotating it means
adding a key with a new id (new records use it) and re-wrapping the data keys of old records, never
re-encrypting data. ADR 0016.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from riskloop.domain.pii import SEALED_PREFIX
from riskloop.errors import ConfigError, StorageError

PREFIX = SEALED_PREFIX
KEY_BYTES = 32
NONCE_BYTES = 12


class KeyProvider(Protocol):
    """Where key-encryption keys come from (a file in the workspace, a KMS, a fake in tests)."""

    def current(self) -> tuple[str, bytes]:
        """``(key id, key)`` new data keys are wrapped with."""
        ...

    def key(self, key_id: str) -> bytes:
        """The key ``key_id`` (for opening older records); ConfigError when it is unknown."""
        ...


def is_sealed(value: object) -> bool:
    """Whether ``value`` is a sealed text (raw values never start with the prefix)."""
    return isinstance(value, str) and value.startswith(PREFIX)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Sealer:
    """Seals and opens field values with data keys wrapped by ``provider``'s key-encryption keys.

    Examples
    --------
    >>> class One:
    ...     def current(self): return "k1", b"k" * 32
    ...     def key(self, key_id): return b"k" * 32
    >>> s = Sealer(One())
    >>> sealed = s.record().seal("phone", "13800138000")
    >>> sealed.startswith("pii1:k1:"), s.open("phone", sealed)
    (True, '13800138000')

    """

    def __init__(self, provider: KeyProvider) -> None:
        self.provider = provider
        self._unwrapped: dict[str, AESGCM] = {}  # wrapped data key -> its cipher (a record's fields share one)

    def record(self) -> RecordKey:
        """A fresh data key for one record (its fields are sealed with it)."""
        key_id, kek = self.provider.current()
        dek = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        nonce = os.urandom(NONCE_BYTES)
        wrapped = _b64(nonce + AESGCM(kek).encrypt(nonce, dek, key_id.encode()))
        return RecordKey(f"{PREFIX}{key_id}:{wrapped}:", AESGCM(dek))

    def open(self, field: str, sealed: str) -> str:
        """The raw value of ``sealed`` (sealed for ``field``); a raw value is returned as it is."""
        if not is_sealed(sealed):
            return sealed
        try:
            key_id, wrapped, body = sealed[len(PREFIX) :].split(":")
            blob = _unb64(body)
            cipher = self._cipher(key_id, wrapped)
            return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], field.encode()).decode()
        except (ValueError, InvalidTag) as exc:
            raise StorageError(f"{field}: a sealed value does not open with the workspace's keys") from exc

    def _cipher(self, key_id: str, wrapped: str) -> AESGCM:
        cipher = self._unwrapped.get(wrapped)
        if cipher is None:
            blob = _unb64(wrapped)
            kek = self.provider.key(key_id)
            cipher = AESGCM(AESGCM(kek).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], key_id.encode()))
            if len(self._unwrapped) > 1024:  # bounded: replay of a large log must not hold every data key
                self._unwrapped.clear()
            self._unwrapped[wrapped] = cipher
        return cipher

    def open_fields(self, values: Mapping[str, object], fields: tuple[str, ...], scope: str) -> dict[str, object]:
        """``values`` with its sealed ``fields`` opened (``scope.field`` is the authenticated name)."""
        out = dict(values)
        for name in fields:
            value = out.get(name)
            if isinstance(value, str):
                out[name] = self.open(f"{scope}.{name}", value)
        return out

    def seal_fields(self, values: Mapping[str, object], fields: tuple[str, ...], scope: str) -> dict[str, object]:
        """``values`` with its raw text ``fields`` sealed under one new data key (sealed ones stay as they are)."""
        out = dict(values)
        todo = [n for n in fields if isinstance(out.get(n), str) and not is_sealed(out[n])]
        if todo:
            record = self.record()
            for name in todo:
                out[name] = record.seal(f"{scope}.{name}", str(out[name]))
        return out


class RecordKey:
    """One record's data key: seals each of its fields with a fresh nonce."""

    def __init__(self, header: str, cipher: AESGCM) -> None:
        self.header, self.cipher = header, cipher

    def seal(self, field: str, value: str) -> str:
        """The sealed text of ``value`` for ``field``."""
        nonce = os.urandom(NONCE_BYTES)
        return self.header + _b64(nonce + self.cipher.encrypt(nonce, value.encode(), field.encode()))


def check_key(key_id: str, key: bytes) -> bytes:
    """``key`` if it is a 256-bit key; ConfigError naming ``key_id`` otherwise."""
    if len(key) != KEY_BYTES:
        raise ConfigError(f"PII key {key_id}: {len(key)} bytes; a key-encryption key is {KEY_BYTES} bytes")
    return key
