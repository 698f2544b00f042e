"""Scoring a raw table with a model trained on a table: its own preparation replayed, then PD, points and reasons.

A model from ``riskloop train --csv`` carries the preparation it was trained with (``table_prep.json`` in the
bundle). Here it is replayed on a new table as it is, so the features are computed exactly as at training. The
bundle is checked against the sha256 the registry recorded. The output holds the row number, PD, points and
reason codes, and never the input's columns: identifiers stay where they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskloop.errors import ValidationError
from riskloop.modeling.ensemble import Ensemble
from riskloop.modeling.table_prep import TablePrep
from riskloop.modeling.tabular import read_table
from riskloop.scoring.registry import ModelRegistry

TOP_REASONS = 3


def score_table(
    registry: ModelRegistry, model_id: str, table: Path, out: Path, top_k: int = TOP_REASONS
) -> dict[str, Any]:
    """Score every row of ``table`` with registered table model ``model_id``; write ``out`` (CSV), never over a file.

    Returns
    -------
    dict
        JSON-ready: ``model_id``, ``rows``, ``out``, ``mean_pd``, ``unparseable`` and ``unseen`` (per input
        column: values of the wrong kind, read as missing; levels not seen at training).

    """
    if out.exists():
        raise ValidationError("out", f"{out}: exists; scores are never written over a file")
    if top_k < 1:
        raise ValidationError("top", f"{top_k}: at least one reason per row")
    model = registry.get(model_id)
    ensemble = Ensemble.load(Path(model.path), model.manifest_sha256)
    if ensemble.prep is None:
        raise ValidationError(
            "model_id", f"{model_id} was trained on the workspace: it scores applications, not tables"
        )
    prepared = TablePrep.from_dict(ensemble.prep).transform_counted(read_table(table))
    scores = ensemble.predict(prepared.frame)
    reasons = ensemble.reasons(prepared.frame, top_k)
    frame = pd.DataFrame(
        {
            "row": np.arange(1, len(prepared.frame) + 1),
            "pd": scores.pd,
            "points": np.round(scores.points, 1),
            "reasons": [";".join(r.code for r in row) for row in reasons],
        }
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False)
    return {
        "model_id": model_id,
        "rows": len(frame),
        "out": str(out),
        "mean_pd": float(np.mean(scores.pd)) if len(frame) else None,
        "unparseable": prepared.unparseable,
        "unseen": prepared.unseen,
    }
