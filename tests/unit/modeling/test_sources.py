"""Sources: one per catalogue data source, business monotone directions, a registry with clear errors."""

from __future__ import annotations

import pytest

from riskloop.errors import ConfigError
from riskloop.features.catalog import GROUPS
from riskloop.modeling.sources import REGISTRY, SourceSpec, default_sources, register_source


def test_default_sources_follow_the_catalogue() -> None:
    names = [s.name for s in default_sources()]
    assert names == [g.name for g in GROUPS if g.name not in {"application", "text_tags"}]
    by_name = {s.name: s for s in default_sources()}
    assert by_name["risk"].direction("risk_defendant_cases_24m") == 1
    assert by_name["tax"].direction("tax_grade_score") == -1
    assert by_name["registration"].direction("reg_shareholders") == 0


def test_register_source_extends_the_defaults() -> None:
    register_source(SourceSpec("graph", ("graph_risky_neighbours",), {"graph_risky_neighbours": 1}))
    try:
        assert default_sources()[-1].name == "graph"
    finally:
        REGISTRY.unregister("graph")
    assert "graph" not in [s.name for s in default_sources()]


@pytest.mark.parametrize(
    ("name", "features", "monotone"),
    [("", ("x",), {}), ("a:b", ("x",), {}), ("a", (), {}), ("a", ("x", "x"), {}), ("a", ("x",), {"y": 1})],
)
def test_bad_specs_are_config_errors(name: str, features: tuple[str, ...], monotone: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        SourceSpec(name, features, monotone)
