"""The request's address, e-mail and settlement account: validated in the domain, linked as the batch links them."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from riskloop.errors import ValidationError
from riskloop.graph.divisions import placed_address
from riskloop.graph.normalize import normalize, normalize_one
from riskloop.graph.tokens import Tokenizer
from riskloop.testing.decider import request

TOKENS = Tokenizer(b"k" * 32)


def test_the_request_keeps_them_normalised() -> None:
    r = request(
        address="  湖北省武汉市洪山区珞喻路129号 301室\u3000",
        email=" Zhang.San@Example.COM ",
        bank_account="６２２２ 0212-3456",
    )
    assert (r.address, r.email, r.bank_account) == (
        "湖北省武汉市洪山区珞喻路129号 301室",
        "zhang.san@example.com",
        "622202123456",
    )
    assert request().address is None  # optional: a request without them is valid
    assert r.to_dict()["bank_account"] == "622202123456"


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"email": "zhang.san.example.com"}, "email", "not an e-mail address"),
        ({"email": "zhang san@example.com"}, "email", "not an e-mail address"),
        ({"email": "a@" + "b" * 250 + ".cn"}, "email", "at most 254"),
        ({"email": "a\x07@example.com"}, "email", "control characters"),
        ({"bank_account": "12345"}, "bank_account", "6 to 32 digits"),
        ({"bank_account": "6222O2123456"}, "bank_account", "6 to 32 digits"),  # a letter O
        ({"bank_account": 622202123456}, "bank_account", "must be a string"),
        ({"address": "   "}, "address", "must not be empty"),
        ({"address": "，。"}, "address", "must not be empty"),
        ({"address": "武汉市洪山区珞喻路\x1b129号"}, "address", r"U\+001B"),
        ({"address": "武" * 301}, "address", "at most 300"),
        ({"address": "tok1:0123456789abcdef01234567:武汉市洪山****"}, "address", "not a stored token"),
        ({"device_id": "pii1:k1:abc:def"}, "device_id", "not a stored token"),
    ],
)
def test_a_bad_value_names_its_field(changes: dict[str, Any], field: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem) as raised:
        request(**changes)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("kind", "written"),
    [
        (
            "address",
            ["湖北省武汉市洪山区珞喻路129号", "武汉市洪山区珞喻路１２９号 301室", "湖北武汉市洪山区珞喻路129號3F"],
        ),
        ("email", ["Zhang.San@Example.com", "  zhang.san@example.com"]),
        ("bank_account", ["6222 0212 3456 7890", "6222-0212-3456-7890", "６２２２０２１２３４５６７８９０"]),
    ],
)
def test_each_spelling_links_under_the_key_the_batch_gives_it(kind: str, written: list[str]) -> None:
    """What the request keeps, keyed online (``normalize_one``), is the batch's key of the written value."""
    batch = TOKENS.keys64(kind, normalize(kind, pa.array(written))).tolist()
    online = [TOKENS.key64(kind, str(normalize_one(kind, getattr(request(**{kind: w}), kind)))) for w in written]
    assert online == batch
    assert len(set(online)) == 1  # the spellings are one identifier


def test_an_address_the_division_table_cannot_place_is_refused_by_what_the_request_path_carries() -> None:
    """The domain checks the written form; placing it is the graph's (the API and recorded requests ask it)."""
    assert placed_address(" 武汉市洪山区珞喻路129号 ") == "武汉市洪山区珞喻路129号"
    for unplaced in ("珞喻路129号", "湖北省武汉市", "湖北省"):  # no area; a city with no street; a province only
        assert request(address=unplaced).address == unplaced  # a valid written form: it links nothing
        assert normalize_one("address", unplaced) is None
        with pytest.raises(ValidationError, match="cannot be placed") as raised:
            placed_address(unplaced)
        assert raised.value.field == "address"
