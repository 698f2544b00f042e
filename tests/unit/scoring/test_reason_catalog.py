"""The reason catalogue: versioned, one code per feature group, every catalogue feature covered, two languages."""

from __future__ import annotations

from riskloop.features.catalog import GROUPS
from riskloop.scoring.reasons import ReasonCatalog


def test_catalogue_covers_every_feature_once() -> None:
    catalog = ReasonCatalog.default()
    assert catalog.version
    codes = catalog.data["codes"]
    assert len({c["code"] for c in codes}) == len(codes)
    listed = [f for c in codes for f in c["features"]]
    assert len(listed) == len(set(listed))
    graph = {f for c in codes if c["source"] == "graph" for f in c["features"]}  # computed from the graph
    assert set(listed) - graph == {f for g in GROUPS for f in g.feature_names}
    assert all(f.startswith("graph_") for f in graph)
    assert all(c["zh"] and c["en"] for c in codes)


def test_missing_sources_and_unknown_features_get_template_codes() -> None:
    catalog = ReasonCatalog.default()
    assert catalog.entry("invoices", "").code == "SRC_MISSING_INVOICES"
    assert catalog.entry("direct", "missing:app_bureau_score").code == "APP_MISSING_APP_BUREAU_SCORE"
    other = catalog.entry("graph", "graph_risky_neighbours")  # not in the catalogue
    assert other.code == "OTH_GRAPH"
    assert "graph_risky_neighbours" in other.en
