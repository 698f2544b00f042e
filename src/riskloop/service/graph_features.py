"""The graph source of the ensemble: point-in-time graph features of the workspace's applications.

The graph is built in memory from the ingested tables (no stored build is needed: a training run must not
depend on when ``riskloop graph build`` last ran); ``graph.features.graph_features`` computes each
application's features from what was visible when it was submitted. Tokens are keyed with the workspace's
graph key, the same as the stored graph, although only counts and scores leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from riskloop.graph.build import build_graph
from riskloop.graph.features import graph_features
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.io.warehouse import Warehouse
from riskloop.modeling.sources import SourceSpec

GRAPH_SOURCE = "graph"
PREFIX = "graph_"


def workspace_graph_features(warehouse: Path, key: bytes) -> pd.DataFrame:
    """``application_id`` and the ``graph_*`` features of every application in ``warehouse``.

    Parameters
    ----------
    warehouse : Path
        The workspace's Parquet warehouse (``Settings.warehouse``).
    key : bytes
        The workspace's graph key (``storage.secrets.graph_key``).

    """
    con = Warehouse(warehouse).connect()
    try:
        tokenizer = Tokenizer(key)
        graph = EnterpriseGraph(build_graph(con, tokenizer))
        table = graph_features(read_usage(con, tokenizer), graph, read_status(con), tokenizer)
    finally:
        con.close()
    frame: pd.DataFrame = table.to_pandas()
    return frame


def graph_source(columns: Iterable[str]) -> SourceSpec | None:
    """The graph source over the ``graph_*`` columns present, or None when there are none.

    Every graph feature counts shared identifiers, gang size, new companies behind the legal representative
    or risk spreading from known-bad relations: risk rises with each, so all are monotone increasing.

    Examples
    --------
    >>> graph_source(["app_bureau_score", "graph_gang_size"]).features
    ('graph_gang_size',)
    >>> graph_source(["app_bureau_score"]) is None
    True

    """
    features = tuple(c for c in columns if c.startswith(PREFIX))
    if not features:
        return None
    return SourceSpec(GRAPH_SOURCE, features, dict.fromkeys(features, 1))
