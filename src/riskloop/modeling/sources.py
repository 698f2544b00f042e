"""Sources of the ensemble: one spec per data source, and the registry that adding a source goes through."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from riskloop.errors import ConfigError
from riskloop.features.catalog import GROUPS

# Business-expected direction of risk per feature: +1 risk rises with the value, -1 it falls.
# Features whose effect is not clear-cut (shareholders, officers, individual business ...) are left free.
EXPECTED_DIRECTIONS: dict[str, int] = {
    "reg_firm_age_days": -1,
    "reg_log_capital": -1,
    "reg_legal_rep_changes_3y": 1,
    "fin_debt_ratio": 1,
    "fin_current_ratio": -1,
    "fin_net_margin": -1,
    "fin_log_revenue": -1,
    "fin_ocf_to_assets": -1,
    "fin_negative_equity": 1,
    "gov_headcount_12m": -1,
    "gov_headcount_trend": -1,
    "gov_ss_months_12m": -1,
    "gov_arrears_months_12m": 1,
    "gov_hf_months_12m": -1,
    "tax_log_revenue_12m": -1,
    "tax_revenue_cv": 1,
    "tax_filing_months_12m": -1,
    "tax_late_filings_12m": 1,
    "tax_arrears_ratio": 1,
    "tax_grade_score": -1,
    "inv_sales_count_12m": -1,
    "inv_log_sales_12m": -1,
    "inv_void_red_ratio": 1,
    "inv_customer_hhi": 1,
    "inv_customers": -1,
    "inv_supplier_hhi": 1,
    "risk_defendant_cases_24m": 1,
    "risk_open_enforcements": 1,
    "risk_enforced_amount_log": 1,
    "risk_dishonest_listed": 1,
    "risk_penalties_24m": 1,
    "risk_days_since_event": -1,
    # more documents tagged with a family of risk tags: more risk (ADR 0029); recency is left free
    "tag_litigation_docs_24m": 1,
    "tag_enforcement_docs_24m": 1,
    "tag_regulatory_docs_24m": 1,
    "tag_control_docs_24m": 1,
}
# The application group carries the bureau score and verification results: the decision uses them
# directly (``EnsembleConfig.direct_inputs``), not through a sub-model.
NOT_A_SOURCE = frozenset({"application", "text_tags"})
# Risk tags read from documents are a source only once `riskloop text tag` has written them (``text_source``),
# as the graph is only with --graph: a workspace without them trains as before.
TEXT_TAGS = "text_tags"


@dataclass(frozen=True)
class SourceSpec:
    """The features of one data source that get their own sub-models.

    Parameters
    ----------
    name : str
        Source name (``"registration"``, ``"tax"`` ...), or ``"all"`` for an arbitrary table.
    features : tuple of str
        Column names, in the order the sub-models see them.
    monotone : mapping of str to int
        +1 when risk rises with the feature, -1 when it falls; unlisted features are unconstrained.
    kinds : tuple of str
        Sub-model kinds of this source; empty (the default) means ``EnsembleConfig.kinds``.

    Examples
    --------
    >>> SourceSpec("risk", ("risk_dishonest_listed",), {"risk_dishonest_listed": 1}).name
    'risk'

    """

    name: str
    features: tuple[str, ...]
    monotone: Mapping[str, int] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", self.name):
            raise ConfigError(f"source name {self.name!r}: use letters, digits, '_', '.' or '-' (it names files)")
        if not self.features or len(set(self.features)) != len(self.features):
            raise ConfigError(f"source {self.name}: needs distinct features, got {self.features}")
        bad = {f: d for f, d in self.monotone.items() if f not in self.features or d not in (-1, 0, 1)}
        if bad:
            raise ConfigError(f"source {self.name}: monotone entries {bad} name unknown features or are not -1/0/+1")

    def direction(self, feature: str) -> int:
        """Monotone direction of ``feature`` (0 when unconstrained)."""
        return int(self.monotone.get(feature, 0))


class SourceRegistry:
    """Ordered, named sources; registering one is all it takes for the ensemble to model and fuse it.

    Examples
    --------
    >>> registry = SourceRegistry(default_sources())
    >>> registry.register(SourceSpec("graph", ("graph_risky_neighbours",), {"graph_risky_neighbours": 1}))
    >>> registry.names()[-1]
    'graph'

    """

    def __init__(self, specs: Iterable[SourceSpec] = ()) -> None:
        self._specs: dict[str, SourceSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: SourceSpec, replace: bool = False) -> None:
        """Add ``spec``; a second source of the same name is an error unless ``replace``."""
        if spec.name in self._specs and not replace:
            raise ConfigError(f"source {spec.name!r} is already registered; registered: {', '.join(self._specs)}")
        self._specs[spec.name] = spec

    def unregister(self, name: str) -> None:
        """Remove source ``name``."""
        if name not in self._specs:
            raise ConfigError(f"no source {name!r}; registered: {', '.join(self._specs)}")
        del self._specs[name]

    def names(self) -> tuple[str, ...]:
        """Names in registration order."""
        return tuple(self._specs)

    def specs(self) -> tuple[SourceSpec, ...]:
        """Specs in registration order."""
        return tuple(self._specs.values())


def catalog_sources() -> tuple[SourceSpec, ...]:
    """One spec per feature group of ``features.catalog`` (the application group excepted)."""
    return tuple(
        SourceSpec(
            g.name,
            g.feature_names,
            {f: EXPECTED_DIRECTIONS[f] for f in g.feature_names if f in EXPECTED_DIRECTIONS},
        )
        for g in GROUPS
        if g.name not in NOT_A_SOURCE
    )


REGISTRY = SourceRegistry(catalog_sources())


def text_source() -> SourceSpec:
    """The source of the risk-tag features (``features/text.py``)."""
    group = next(g for g in GROUPS if g.name == TEXT_TAGS)
    directions = {f: EXPECTED_DIRECTIONS[f] for f in group.feature_names if f in EXPECTED_DIRECTIONS}
    return SourceSpec(group.name, group.feature_names, directions)


def register_source(spec: SourceSpec, replace: bool = False) -> None:
    """Register ``spec`` in the process-wide registry that ``default_sources`` reads.

    Examples
    --------
    >>> register_source(SourceSpec("graph", ("graph_risky_neighbours",)))  # doctest: +SKIP

    """
    REGISTRY.register(spec, replace=replace)


def cross_source(specs: Iterable[SourceSpec], extra: Iterable[str] = (), name: str = "all") -> SourceSpec:
    """One source over every feature of ``specs`` (then ``extra``), for a cross-source sub-model.

    It has a GBDT only (a scorecard over every feature adds little to the per-source ones): the GBDT sees
    interactions between sources that per-source sub-models cannot; it keeps each feature's monotone
    direction. Rows count as having it when any of its features is known.

    Examples
    --------
    >>> spec = cross_source(default_sources(), ("app_bureau_score",))
    >>> spec.name, spec.features[-1]
    ('all', 'app_bureau_score')

    """
    specs = tuple(specs)
    features = tuple(dict.fromkeys([f for s in specs for f in s.features] + list(extra)))
    monotone = {f: d for s in specs for f, d in s.monotone.items()}
    return SourceSpec(name, features, monotone, kinds=("gbdt",))


def default_sources() -> tuple[SourceSpec, ...]:
    """The registered sources: the feature catalogue's data sources, then any registered later.

    Examples
    --------
    >>> [s.name for s in default_sources()][:3]
    ['registration', 'financial', 'government']

    """
    return REGISTRY.specs()
