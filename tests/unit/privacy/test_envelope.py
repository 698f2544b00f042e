"""Envelope encryption: sealed values open with the workspace's keys only, for their own field, after rotation."""

from __future__ import annotations

import stat
from pathlib import Path

import pyarrow as pa
import pytest

from riskloop.errors import ConfigError, StorageError
from riskloop.graph.tokens import masked_label, masked_labels
from riskloop.privacy.envelope import Sealer, is_sealed
from riskloop.privacy.fields import REQUEST_FIELDS, open_inputs, open_raw, seal_inputs, seal_raw, sealed_fields
from riskloop.storage.secrets import FileKeyProvider
from riskloop.testing.keys import MemoryKeyProvider

IDS_ONE = "11010519491231002X"
INPUTS = {
    "request": {"application_id": "APP-1", "applicant_id": "11010519491231002X", "phone": "13800138000", "ip": None},
    "graph": {"gang_size": 0},
}


def test_inputs_round_trip_and_hold_no_raw_identifier() -> None:
    sealer = Sealer(MemoryKeyProvider())
    sealed = seal_inputs(sealer, INPUTS)
    assert sealed_fields(sealed)
    assert "11010519491231002X" not in str(sealed)
    assert "13800138000" not in str(sealed)
    assert sealed["request"]["application_id"] == "APP-1"  # only the identifiers are sealed
    assert sealed["request"]["ip"] is None
    assert open_inputs(sealer, sealed) == INPUTS
    assert seal_inputs(sealer, sealed) == sealed  # idempotent: sealed values stay as they are


def test_each_record_gets_its_own_data_key_and_nonce() -> None:
    sealer = Sealer(MemoryKeyProvider())
    a, b = (seal_inputs(sealer, INPUTS)["request"]["phone"] for _ in range(2))
    assert a != b
    assert a.split(":")[2] != b.split(":")[2]  # the wrapped data keys differ


def test_a_sealed_value_does_not_open_in_another_field_or_with_other_keys() -> None:
    sealer = Sealer(MemoryKeyProvider())
    phone = sealer.record().seal("request.phone", "13800138000")
    with pytest.raises(StorageError, match=r"request\.applicant_id"):
        sealer.open("request.applicant_id", phone)
    with pytest.raises(StorageError):
        Sealer(MemoryKeyProvider("another workspace")).open("request.phone", phone)
    tampered = phone[:-2] + ("A" if phone[-2] != "A" else "B") + phone[-1]
    with pytest.raises(StorageError):
        sealer.open("request.phone", tampered)


def test_records_sealed_before_a_rotation_still_open_and_new_ones_use_the_new_key() -> None:
    keys = MemoryKeyProvider()
    sealer = Sealer(keys)
    old = sealer.record().seal("f", "13800138000")
    keys.rotate()
    new = sealer.record().seal("f", "13900139000")
    assert old.startswith("pii1:m1:")
    assert new.startswith("pii1:m2:")
    assert (sealer.open("f", old), sealer.open("f", new)) == ("13800138000", "13900139000")


def test_quarantined_rows_are_sealed_whole() -> None:
    sealer = Sealer(MemoryKeyProvider())
    sealed = seal_raw(sealer, '{"person_id": "11010519491231002X"}')
    assert is_sealed(sealed)
    assert seal_raw(sealer, sealed) == sealed
    assert open_raw(sealer, sealed) == {"person_id": "11010519491231002X"}


def test_the_key_file_is_the_owners_only_and_never_regenerated(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "pii.keys"
    with pytest.raises(ConfigError, match="never regenerated"):
        FileKeyProvider(path).current()
    provider = FileKeyProvider.create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key_id, key = provider.current()
    assert (key_id, len(key)) == ("k1", 32)
    sealed = Sealer(provider).record().seal("f", "x")
    assert provider.rotate() == "k2"
    assert Sealer(FileKeyProvider(path)).open("f", sealed) == "x"  # another process reads the rotated file
    assert FileKeyProvider(path).current()[0] == "k2"
    assert REQUEST_FIELDS == ("applicant_id", "phone", "device_id", "ip", "address", "email", "bank_account")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("phone", "13800138000"),
        ("phone", "02787654321"),
        ("person", IDS_ONE),
        ("address", "武汉市洪山区珞喻路129号"),
        ("address", "北京市"),
        ("ip", "58.19.24.7"),
        ("ip", "2001:db8::7"),
        ("ip", "fe80"),
        ("ip_subnet", "58.19.24"),
        ("email", "zhang.san@example.com"),
        ("email", "a@b.cn"),
        ("bank_account", "6222021234567890123"),
        ("device", "1ff0244b1e0005f6"),
        ("device", "ab"),
        ("name", "欧阳春花"),
        ("enterprise", "91420100000000001Y"),
    ],
)
def test_scalar_labels_are_the_graph_labels(kind: str, value: str) -> None:
    assert masked_label(kind, value) == str(masked_labels(kind, pa.array([value]))[0])
