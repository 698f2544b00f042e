"""Building JDM decision graphs in code: one decision table between the request and the response.

The policies riskloop ships as JDM files and builds in code (propagation caps, model-monitoring thresholds) are a
single table; this writes them in the layout and formatting of the shipped files, so a test can compare the two.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def single_table(
    table_id: str,
    hit_policy: str,
    inputs: Sequence[Mapping[str, str]],
    outputs: Sequence[Mapping[str, str]],
    rules: Sequence[Mapping[str, str]],
) -> str:
    """The JDM JSON of request → table ``table_id`` → response, formatted as shipped (one-space indent)."""
    table = {
        "id": table_id,
        "type": "decisionTableNode",
        "name": table_id,
        "position": {"x": 400, "y": 100},
        "content": {
            "hitPolicy": hit_policy,
            "inputs": [dict(i) for i in inputs],
            "outputs": [dict(o) for o in outputs],
            "rules": [dict(r) for r in rules],
            "passThrough": False,
            "inputField": None,
            "outputPath": None,
            "executionMode": "single",
        },
    }
    nodes: list[dict[str, Any]] = [
        {"id": "request", "type": "inputNode", "name": "request", "position": {"x": 100, "y": 100},
         "content": {"schema": ""}},
        table,
        {"id": "response", "type": "outputNode", "name": "response", "position": {"x": 700, "y": 100},
         "content": {"schema": ""}},
    ]  # fmt: skip
    edges = [
        {"id": "e0", "sourceId": "request", "targetId": table_id, "type": "edge"},
        {"id": "e1", "sourceId": table_id, "targetId": "response", "type": "edge"},
    ]
    doc = {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
