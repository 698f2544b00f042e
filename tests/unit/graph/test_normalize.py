import numpy as np
import pyarrow as pa
import pytest

from riskloop.graph.normalize import normalize, normalize_one
from riskloop.graph.tokens import Tokenizer, masked_labels
from riskloop.synth.text import address_variants
from riskloop.synth.vocab import vocab

PHONE_VARIANTS = ["13800138000", "+86 138-0013-8000", "0086 13800138000", "8613800138000", "(138) 0013 8000"]
SAME_PLACE = [
    "湖北省武汉市洪山区珞喻路129号",
    "武汉市洪山区珞喻路１２９号",
    "湖北省 武汉市 洪山区 珞喻路129号 301室",
    "武汉市洪山区珞喻路129号3楼",
    "湖北省武汉市洪山区珞喻路129號",
]
OTHER_PLACES = [
    "武汉市洪山区珞喻路130号",
    "武汉市武昌区珞喻路129号",
    "武汉市洪山区珞狮路129号",
    "北京市洪山区珞喻路129号",
]


@pytest.mark.parametrize(("kind", "values"), [("phone", PHONE_VARIANTS), ("address", SAME_PLACE)])
def test_variants_of_one_identifier_become_one_token(kind, values):
    tokens = Tokenizer(b"k" * 32).tokens(kind, normalize(kind, pa.array(values)))
    assert len(set(tokens.to_pylist())) == 1


def test_different_places_keep_different_keys():
    keys = normalize("address", pa.array(SAME_PLACE[:1] + OTHER_PLACES)).to_pylist()
    assert len(set(keys)) == len(keys)


def test_generator_address_variants_merge_per_place_and_not_across_places():
    g = np.random.default_rng(3)
    region = np.repeat(np.arange(6), 5)
    streets = pa.array([f"测试路{i}号" for i in np.repeat(np.arange(6), 5)])
    written = address_variants(g, region, streets, np.tile(np.arange(5), 6))
    keys = np.array(normalize("address", written).to_pylist()).reshape(6, 5)
    assert all(len(set(row)) == 1 for row in keys)
    assert len({row[0] for row in keys}) == 6
    assert vocab().cities  # the vocabulary the variants came from


def test_invalid_identifiers_become_null_and_link_nothing():
    assert normalize("phone", pa.array(["12345", "", None])).null_count == 3
    assert normalize("email", pa.array(["not-an-email"])).null_count == 1
    assert normalize("address", pa.array(["武汉"])).null_count == 1


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("phone", [*PHONE_VARIANTS, "027-8765 4321", "12", None]),
        ("address", [*SAME_PLACE, *OTHER_PLACES, "武汉"]),
        ("email", [" A.B@QQ.com ", "x@y", None]),
        ("bank_account", ["6222 0212 3456 7890 123", "12-34", "abc"]),
        ("ip_subnet", ["117.136.1.27", "::1", "bad"]),
        ("person", [" 11010519491231002x "]),
    ],
)
def test_request_path_normalisation_equals_batch(kind, values):
    assert [normalize_one(kind, v) for v in values] == normalize(kind, pa.array(values, pa.string())).to_pylist()


def test_tokens_are_keyed_and_labels_masked():
    raw = pa.array(["13800138000"])
    a, b = Tokenizer(b"a" * 32), Tokenizer(b"b" * 32)
    assert a.tokens("phone", raw)[0] != b.tokens("phone", raw)[0]
    assert "13800138000" not in a.tokens("phone", raw)[0].as_py()
    assert masked_labels("phone", raw)[0].as_py() == "138****8000"
    assert masked_labels("person", pa.array(["11010519491231002X"]))[0].as_py() == "110105**********2X"
    assert masked_labels("ip", pa.array(["117.136.1.27"]))[0].as_py() == "117.136.*.*"
