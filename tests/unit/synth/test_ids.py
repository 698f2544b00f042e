import numpy as np
import pytest

from riskloop.domain.identifiers import (
    is_valid_resident_id,
    is_valid_uscc,
    resident_id_check_char,
    uscc_check_char,
)
from riskloop.synth import ids
from riskloop.synth.arrays import ascii_strings

INDICES = np.concatenate([np.arange(0, 3000), np.random.default_rng(0).integers(0, 99_999_999, 3000)])


@pytest.mark.parametrize("seed", [0, 1, 987654321])
def test_vectorised_uscc_check_digit_agrees_with_domain(seed: int) -> None:
    matrix = ids.credit_code_matrix(seed, INDICES)
    bodies = ascii_strings(matrix[:, :17]).to_pylist()
    checks = [chr(c) for c in ids.uscc_check_digits(matrix[:, :17])]
    assert checks == [uscc_check_char(b) for b in bodies]
    codes = ids.credit_codes(seed, INDICES).to_pylist()
    assert all(is_valid_uscc(c) for c in codes)
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("seed", [0, 7])
def test_vectorised_resident_id_check_digit_agrees_with_domain(seed: int) -> None:
    numbers = ids.resident_ids(seed, INDICES * ids.PERSON_SLOTS + 3).to_pylist()
    assert all(resident_id_check_char(n[:17]) == n[17] for n in numbers)
    assert all(is_valid_resident_id(n) for n in numbers)
    assert len(set(numbers)) == len(numbers)


def test_identifiers_are_functions_of_the_index() -> None:
    idx = np.array([5, 17, 123_456])
    assert ids.credit_codes(3, idx).to_pylist() == ids.credit_codes(3, idx[::-1]).to_pylist()[::-1]
    assert ids.credit_codes(3, idx).to_pylist() != ids.credit_codes(4, idx).to_pylist()
    kinds = ids.credit_codes(3, np.arange(1000)).to_pylist()
    individual = ids.is_individual(3, np.arange(1000))
    assert all((code[1] == "2") == flag for code, flag in zip(kinds, individual, strict=True))


def test_phones_are_unique_and_well_formed() -> None:
    person = ids.mobiles(1, INDICES, firm=False).to_pylist()
    firm = ids.mobiles(1, INDICES, firm=True).to_pylist()
    assert len(set(person) | set(firm)) == len(person) + len(firm)
    assert all(len(p) == 11 and p.isdigit() and p[0] == "1" for p in person + firm)
