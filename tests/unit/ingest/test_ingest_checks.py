"""The vectorised identifier checks agree with riskloop.domain.identifiers."""

from __future__ import annotations

import random

import pandas as pd
import pyarrow as pa

from riskloop.domain.identifiers import USCC_CHARSET, canonical_ip, is_valid_resident_id, is_valid_uscc
from riskloop.domain.tables import table
from riskloop.errors import IdentifierError
from riskloop.ingest import checks
from riskloop.ingest.coerce import coerce_column


def _valid(series: pd.Series, fns) -> list[bool]:
    ok = pd.Series(True, index=series.index)
    for fn in fns:
        ok &= fn(series)
    return ok.tolist()


def test_credit_code_checks_match_the_domain_validator(sample):
    rng = random.Random(7)
    values = [sample.uscc(i) for i in range(300)]
    values += ["".join(rng.choice(USCC_CHARSET) for _ in range(18)) for _ in range(300)]
    values += [v[:17] + rng.choice(USCC_CHARSET) for v in values[:300]] + ["", "91420100", "9142010000000000I0"]
    fns = [checks.regex_check(checks.USCC_SHAPE), checks.uscc_prefix, checks.uscc_check_digit]
    assert _valid(pd.Series(values, dtype="str"), fns) == [is_valid_uscc(v) for v in values]


def test_resident_id_checks_match_the_domain_validator(sample):
    rng = random.Random(11)
    values = [sample.resident_id(i) for i in range(300)]
    values += ["".join(rng.choice("0123456789") for _ in range(17)) + rng.choice("0123456789X") for _ in range(300)]
    values += ["42010219801301001X", "4201021980010100", "42010219800101001x"]
    fns = [
        checks.regex_check(checks.RESIDENT_ID_SHAPE),
        checks.resident_id_region,
        checks.resident_id_birth_date,
        checks.resident_id_check_digit,
    ]
    expected = [is_valid_resident_id(v) and v == v.upper() for v in values]  # lower x is normalised before the check
    assert _valid(pd.Series(values, dtype="str"), fns) == expected


def test_ip_addresses():
    values = pd.Series(["10.0.0.1", "256.1.1.1", "::1", "2001:db8::8a2e:370:7334", "1.2.3", "a:b:c"], dtype="str")
    assert checks.ip_address(values).tolist() == [True, False, False, True, False, False]  # ::1 is loopback


def test_ip_checks_match_the_domain_validator():
    values = ["0.0.0.0", "127.0.0.1", "169.254.1.1", "224.0.0.1", "255.255.255.255", "240.1.1.1", "10.1.2.3"]
    values += ["100.64.0.1", "58.1.2.3", "::", "fe80::1", "ff02::1", "::ffff:58.1.2.3", "2400:da00::6666", "0.1.2.3"]
    expected = []
    for v in values:
        try:
            canonical_ip(v)
            expected.append(True)
        except IdentifierError:
            expected.append(False)
    assert checks.ip_address(pd.Series(values, dtype="str")).tolist() == expected
    assert expected.count(True) == 6


def test_coercion_of_integers_booleans_and_timestamps():
    spec = table("applications")
    ints, err = coerce_column(
        pa.array(["12", " 7 ", "3.0", "1e3", "", "99999999999999999999"]), spec.column("term_months")
    )
    assert ints.to_pylist() == [12, 7, 3, None, None, None]
    assert err is not None
    assert err.positions.tolist() == [3, 5]
    bools, err = coerce_column(pa.array(["true", "N", "1", "maybe"]), spec.column("sms_verified"))
    assert bools.to_pylist() == [True, False, True, None]
    assert err is not None
    assert err.positions.tolist() == [3]
    stamps, _ = coerce_column(
        pa.array(["2024-05-01T09:30:00+08:00", "2024-05-01 01:30:00", "2024-05-01T01:30:00Z"]),
        spec.column("applied_at"),
    )
    assert len(set(stamps.to_pylist())) == 1  # offsets honoured; naive times are UTC
