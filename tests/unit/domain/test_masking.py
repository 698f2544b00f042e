"""PII never shows unmasked: not in repr, str, format or logs of the value objects or of any entity holding them."""

from __future__ import annotations

import copy
import dataclasses
import logging
import pickle
from typing import Any

import pytest
from domain_strategies import bank_accounts, emails, mobiles, resident_ids, rows
from hypothesis import assume, given
from hypothesis import strategies as st

from riskloop.domain.identity import BankAccount, Email, Phone, ResidentId
from riskloop.domain.rows import from_row
from riskloop.domain.tables import TABLES
from riskloop.errors import IdentifierError

MASKED = (ResidentId, Phone, BankAccount, Email)
OUTPUTS = (repr, str, format, lambda o: f"{o!s:>40}", lambda o: f"{o!r}", lambda o: f"{o} {o!r}")


def _renderings(obj: object) -> list[str]:
    return [render(obj) for render in OUTPUTS]


@given(resident_ids, mobiles, bank_accounts, emails)
def test_value_objects_never_render_their_raw_value(rid: str, phone: str, account: str, email: str) -> None:
    for cls, raw in ((ResidentId, rid), (Phone, phone), (BankAccount, account), (Email, email)):
        obj = cls(raw)
        assert obj.reveal() == raw
        for text in _renderings(obj):
            assert raw not in text
        assert obj == cls(raw)
        assert hash(obj) == hash(cls(raw))


def test_masked_forms() -> None:
    assert repr(ResidentId("11010519491231002X")) == "ResidentId('110105**********2X')"
    assert str(Phone("13800138000")) == "138****8000"
    assert str(BankAccount("6222021234567890123")) == "***************0123"
    assert str(Email("Zhang.San@Example.com")) == "z***@example.com"


def test_value_objects_are_immutable_and_copy_safely() -> None:
    rid = ResidentId("11010519491231002X")
    with pytest.raises(AttributeError):
        rid._value = "x"
    with pytest.raises(AttributeError):
        rid.other = "x"
    assert copy.deepcopy(rid) is rid
    assert pickle.loads(pickle.dumps(rid)) == rid


def test_log_records_stay_masked(caplog: pytest.LogCaptureFixture) -> None:
    rid = ResidentId("11010519491231002X")
    with caplog.at_level(logging.INFO):
        logging.getLogger("riskloop.test").info("applicant %s (%r)", rid, rid)
    assert "11010519491231002X" not in caplog.text
    assert "110105**********2X" in caplog.text


def test_errors_do_not_echo_a_bad_phone_number() -> None:
    with pytest.raises(IdentifierError) as info:
        Phone.parse("12345678901234", field="phone")
    assert "12345678901234" not in str(info.value)


def _walk(obj: object) -> list[object]:
    """Every value inside a domain object, depth first."""
    found: list[object] = [obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            found.extend(_walk(getattr(obj, f.name)))
    return found


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
@given(data=st.data())
def test_entities_never_render_pii(table: Any, data: st.DataObject) -> None:
    row = data.draw(rows(table))
    obj = from_row(table.name, row)
    values = _walk(obj)
    secrets = [v.reveal() for v in values if isinstance(v, MASKED)]
    public = " ".join(str(v) for v in values[1:] if not isinstance(v, MASKED) and not dataclasses.is_dataclass(v))
    assume(not any(secret in public for secret in secrets))  # the secret is not also a public field by chance
    for text in _renderings(obj):
        for secret in secrets:
            assert secret not in text
