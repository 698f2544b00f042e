"""The product catalogue: the shipped table parses, and every kind of invalid product is refused naming its field."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import numpy as np
import pytest

from riskloop.domain.product_conditions import Condition, normalise_profile, parse_condition
from riskloop.domain.products import AMOUNT_CEILING, GATES, parse_catalogue
from riskloop.errors import ValidationError

SHIPPED = resources.files("riskloop.rules").joinpath("strategies", "products-v1.json").read_text("utf-8")


def graph() -> dict[str, Any]:
    return json.loads(SHIPPED)  # type: ignore[no-any-return]


def table(data: dict[str, Any]) -> dict[str, Any]:
    return next(n for n in data["nodes"] if n["type"] == "decisionTableNode")["content"]  # type: ignore[no-any-return]


def with_cell(code: str, field: str, cell: str) -> str:
    """The shipped catalogue with the cell ``field`` of product ``code`` replaced by ``cell``."""
    data = graph()
    content = table(data)
    column = next(c["id"] for c in content["inputs"] + content["outputs"] if c["field"] == field)
    row = next(r for r in content["rules"] if r["_id"] == code)
    row[column] = cell
    return json.dumps(data, ensure_ascii=False)


def refusal(content: str) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        parse_catalogue(content)
    return refused.value


def test_the_shipped_catalogue_parses_with_every_product_gated() -> None:
    catalogue = parse_catalogue(SHIPPED)
    assert catalogue.codes == ("shuiyidai", "piaoyidai", "shoudai", "danbaodai")
    assert [p.name_zh for p in catalogue.products] == ["税易贷", "票易贷", "小微首贷", "担保贷"]
    for product in catalogue.products:
        gates = {c.field: c.value for c in product.conditions if c.field in GATES}
        assert gates == dict.fromkeys(GATES, False)
        assert 0 < product.amount_min <= product.amount_max <= AMOUNT_CEILING
        assert product.tenor_min <= product.tenor_default <= product.tenor_max
    tax = catalogue.product("shuiyidai")
    assert (tax.rate_low, tax.rate_high, tax.limit_multiple, tax.priority) == (3.45, 6.0, 0.2, 1)
    assert {c.field: c.text for c in tax.conditions}["tax_grade"] == "'A', 'B'"
    guarantee = catalogue.product("danbaodai")  # looser, lower multiple, higher rate than the tax loan
    assert guarantee.limit_multiple < tax.limit_multiple
    assert guarantee.rate_low > tax.rate_low


INVALID_PRODUCTS = [
    ("piaoyidai", "amount_max", "50000", "products[piaoyidai].amount_max", "must be at least amount_min (100000)"),
    ("piaoyidai", "amount_min", "0", "products[piaoyidai].amount_min", "must be more than 0 yuan"),
    ("piaoyidai", "amount_min", "-5", "products[piaoyidai].amount_min", "must be more than 0 yuan"),
    ("piaoyidai", "amount_min", "1000.5", "products[piaoyidai].amount_min", "must be a whole number of yuan"),
    ("danbaodai", "amount_max", "20000000", "products[danbaodai].amount_max", "at most 10,000,000 yuan (普惠"),
    ("shoudai", "amount_max", "'500000'", "products[shoudai].amount_max", "must be a whole number"),
    ("shuiyidai", "tenor_min", "0", "products[shuiyidai].tenor_min", "must be from 1 to 60 months"),
    ("shuiyidai", "tenor_max", "72", "products[shuiyidai].tenor_max", "must be from 1 to 60 months"),
    ("shuiyidai", "tenor_max", "2", "products[shuiyidai].tenor_max", "must be at least tenor_min (3)"),
    ("shuiyidai", "tenor_default", "24", "products[shuiyidai].tenor_default", "tenor_min (3) to tenor_max (12)"),
    ("shuiyidai", "rate_low", "0", "products[shuiyidai].rate_low", "more than 0 and at most 24"),
    ("shuiyidai", "rate_high", "3", "products[shuiyidai].rate_high", "must be at least rate_low (3.45)"),
    ("danbaodai", "rate_high", "36", "products[danbaodai].rate_high", "must be at most 24"),
    ("shoudai", "limit_multiple", "1.5", "products[shoudai].limit_multiple", "more than 0 and at most 1"),
    ("shoudai", "limit_multiple", "0", "products[shoudai].limit_multiple", "more than 0 and at most 1"),
    ("shoudai", "priority", "1.5", "products[shoudai].priority", "must be a whole number"),
    ("shoudai", "priority", "0", "products[shoudai].priority", "must be from 1 to 999"),
    ("piaoyidai", "name_zh", "''", "products[piaoyidai].name_zh", "must be a non-empty quoted text"),
    ("piaoyidai", "name_en", "Invoice loan", "products[piaoyidai].name_en", "must be a literal"),
    ("piaoyidai", "name_en", "1 + 1", "products[piaoyidai].name_en", "must be a literal"),
    ("piaoyidai", "code", "'shuiyidai'", "products[shuiyidai].code", "must be unique"),
    ("piaoyidai", "code", "''", "products[#2].code", "1-32 letters"),
    ("piaoyidai", "code", "'票易贷'", "products[#2].code", "1-32 letters"),
    ("piaoyidai", "blacklisted", "", "products[piaoyidai].blacklisted", "must be false"),
    ("shoudai", "excluded", "true", "products[shoudai].excluded", "must be false"),
    ("danbaodai", "gang", "false, true", "products[danbaodai].gang", "must be false"),
    ("shuiyidai", "pd", "<= abc", "products[shuiyidai].pd", "is not a condition riskloop reads on a number"),
    ("shuiyidai", "pd", "'0.03'", "products[shuiyidai].pd", "is not a condition riskloop reads on a number"),
    ("shuiyidai", "years_in_business", "[5..2]", "products[shuiyidai].years_in_business", "not a condition"),
    ("shuiyidai", "tax_grade", "'A', 'Z'", "products[shuiyidai].tax_grade", "Z not among the known values"),
    ("shuiyidai", "tax_grade", ">= 2", "products[shuiyidai].tax_grade", "not a condition riskloop reads on a text"),
    ("danbaodai", "section", "not in ['JK']", "products[danbaodai].section", "JK not among the known values"),
    ("shuiyidai", "individual", "no", "products[shuiyidai].individual", "on a flag (true or false)"),
]


@pytest.mark.parametrize(("code", "field", "cell", "where", "problem"), INVALID_PRODUCTS)
def test_an_invalid_product_is_refused_naming_the_product_and_field(
    code: str, field: str, cell: str, where: str, problem: str
) -> None:
    refused = refusal(with_cell(code, field, cell))
    assert refused.field == where
    assert problem in refused.problem


def _hit_policy(data: dict[str, Any]) -> None:
    table(data)["hitPolicy"] = "first"


def _output_path(data: dict[str, Any]) -> None:
    table(data)["outputPath"] = None


def _no_gang_column(data: dict[str, Any]) -> None:
    content = table(data)
    content["inputs"] = [c for c in content["inputs"] if c["field"] != "gang"]


def _unknown_input(data: dict[str, Any]) -> None:
    table(data)["inputs"][4]["field"] = "revenue"


def _twice(data: dict[str, Any]) -> None:
    table(data)["inputs"][4]["field"] = "pd"


def _no_rate_column(data: dict[str, Any]) -> None:
    content = table(data)
    content["outputs"] = [c for c in content["outputs"] if c["field"] != "rate_high"]


def _expression_node(data: dict[str, Any]) -> None:
    data["nodes"].append({"id": "x", "type": "expressionNode", "name": "x", "content": {"expressions": []}})


def _renamed(data: dict[str, Any]) -> None:
    next(n for n in data["nodes"] if n["type"] == "decisionTableNode")["name"] = "products"


def _no_rows(data: dict[str, Any]) -> None:
    table(data)["rules"] = []


def _loop(data: dict[str, Any]) -> None:
    table(data)["executionMode"] = "loop"


STRUCTURE: list[tuple[Callable[[dict[str, Any]], None], str, str]] = [
    (_hit_policy, "catalogue.hitPolicy", "must be collect"),
    (_output_path, "catalogue.outputPath", "must be 'products'"),
    (_no_gang_column, "catalogue.inputs", "missing gang (the exclusion flags gate every product)"),
    (_unknown_input, "catalogue.inputs", "'revenue' is not one of"),
    (_twice, "catalogue.inputs", "'pd' appears twice"),
    (_no_rate_column, "catalogue.outputs", "missing rate_high"),
    (_expression_node, "catalogue", "no expressionNode"),
    (_renamed, "catalogue", "named 'catalogue'"),
    (_no_rows, "products", "at least one product"),
    (_loop, "catalogue.executionMode", "must be single"),
]


@pytest.mark.parametrize(("change", "where", "problem"), STRUCTURE, ids=[s[1] + s[0].__name__ for s in STRUCTURE])
def test_a_table_that_is_not_a_catalogue_is_refused(
    change: Callable[[dict[str, Any]], None], where: str, problem: str
) -> None:
    data = graph()
    change(data)
    refused = refusal(json.dumps(data))
    assert (refused.field, problem in refused.problem) == (where, True), refused


def test_not_json_is_refused_as_a_strategy() -> None:
    assert refusal("{not json").field == "strategy"


@pytest.mark.parametrize(
    ("field", "cell", "yes", "no"),
    [
        ("pd", "<= 0.03", [0.03, 0.0], [0.031, None]),
        ("pd", "< 0.03", [0.029], [0.03]),
        ("growth_12m", ">= -0.3", [-0.3, 2.0], [-0.31, None]),
        ("years_in_business", "[1..3]", [1, 3, 2.5], [0.99, 3.01, None]),
        ("bad_neighbours", "0", [0, 0.0], [1, None]),
        ("tax_grade", "'A', 'B'", ["A", "B"], ["M", None]),
        ("tax_grade", "['A']", ["A"], ["B"]),
        ("section", "not in ['J', 'K']", ["C", None], ["J", "K"]),
        ("individual", "false", [False], [True, None]),
        ("gang", "true", [True], [False, None]),
    ],
)
def test_conditions_read_as_written(field: str, cell: str, yes: list[object], no: list[object]) -> None:
    condition = parse_condition("cell", field, cell)
    assert isinstance(condition, Condition)
    assert [condition.holds(normalise_profile({field: v})[field]) for v in yes] == [True] * len(yes)
    assert [condition.holds(normalise_profile({field: v})[field]) for v in no] == [False] * len(no)


def test_profiles_are_normalised_to_what_zen_reads() -> None:
    raw = {"pd": 0.030000000000000002, "last_12m_sales": float("nan"), "years_in_business": 1e300,
           "tax_grade": 3, "gang": 1, "bad_neighbours": True, "section": "C", "unrelated": 1}  # fmt: skip
    seen = normalise_profile(raw)
    assert seen["pd"] == 0.03  # zen reads about 16 digits: both sides round to 12
    assert (seen["last_12m_sales"], seen["years_in_business"], seen["tax_grade"]) == (None, None, None)
    assert (seen["gang"], seen["bad_neighbours"], seen["section"], seen["excluded"]) == (None, None, "C", None)
    assert "unrelated" not in seen


def test_numpy_scalars_of_a_batch_are_read_as_plain_values() -> None:
    seen = normalise_profile({"pd": np.float32(0.25), "gang": np.bool_(False), "bad_neighbours": np.int64(2),
                              "section": np.str_("C"), "individual": np.bool_(True)})  # fmt: skip
    assert seen["pd"] == 0.25
    assert seen["bad_neighbours"] == 2.0
    assert (seen["gang"], seen["individual"]) == (False, True)
    assert type(seen["section"]) is str
    assert type(seen["gang"]) is bool
