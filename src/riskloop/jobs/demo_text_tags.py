"""The demo's text tags (issue 17): train the tagger on a sample of the analysts' reviews, release it, tag documents.

Training on every reviewed document of the default universe takes minutes on two cores, and tagging every
document another one or two, so the demo trains on ``REVIEWED_SAMPLE`` reviewed documents and tags
``TAGGED_SAMPLE`` documents no analyst reviewed, both drawn with the demo's seed, and says so. The sample is
tagged in memory: the warehouse's ``text_tags`` table (what features read) is written only by ``riskloop text
tag``, over every document. Precision and recall are read against the universe's ``truth/document_tags``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from riskloop.domain.access import Principal
from riskloop.domain.text_tags import TAG_FAMILIES
from riskloop.errors import ValidationError
from riskloop.jobs.demo_serving import AUTHOR, release_model
from riskloop.service.ports import Progress, no_progress
from riskloop.service.text_tags import (
    TRAIN_TABLES,
    TextTraining,
    active_tagger,
    read_tables,
    tag_frame,
    train_text_tagger,
)
from riskloop.workspace import Workspace

REVIEWED_SAMPLE = 1_200  # reviewed documents trained on (the demo's time budget; all: riskloop text train)
TAGGED_SAMPLE = 4_000  # unreviewed documents tagged (all: riskloop text tag)
FAMILY_OF = {tag: family for family, tags in TAG_FAMILIES.items() for tag in tags}


def run_text_tags(ws: Workspace, truth_dir: Path, approver: Principal, *, seed: int,
                  progress: Progress = no_progress) -> dict[str, Any]:  # fmt: skip
    """Tagger trained by the analyst, released by ``approver``, a sample tagged and judged; or why it was skipped."""
    options = TextTraining(seed=seed, author=AUTHOR, sample=REVIEWED_SAMPLE)
    try:
        trained = train_text_tagger(ws.model_home(), options, lambda s, d, t: progress(f"text {s}", d, t))
    except ValidationError as exc:  # too few reviewed documents on a small universe
        return {"skipped": str(exc)}
    release = release_model(ws, trained["model_id"], approver)
    tables = read_tables(ws.warehouse, TRAIN_TABLES)
    docs, reviews = tables["risk_documents"], tables["document_reviews"]
    unreviewed = docs[~docs["doc_id"].isin(set(reviews["doc_id"]))]
    sample = unreviewed.sample(n=min(TAGGED_SAMPLE, len(unreviewed)), random_state=seed)
    tagger = active_tagger(ws.model_registry())
    found = {(str(doc_id), r.tag) for (doc_id, _, _), r in tag_frame(sample, tagger, progress)}
    return {
        "model_id": trained["model_id"],
        "trained_on": trained["reviewed_documents"],
        "reviewed_documents": int(reviews["doc_id"].nunique()),
        "release": {k: release[k] for k in ("status", "registered_by", "approved_by")},
        "documents": len(docs),
        "tagged": len(sample),
        "tagger": tagger.version,
        "tags": len(found),
        "vs_truth": _vs_truth(found, set(sample["doc_id"].astype(str)), truth_dir),
    }


def _vs_truth(found: set[tuple[str, str]], doc_ids: set[str], truth_dir: Path) -> dict[str, Any]:
    """Precision and recall of the (document, tag) pairs found, overall and per family, on the tagged sample."""
    truth = pd.read_parquet(truth_dir / "document_tags.parquet", columns=["doc_id", "tag"])
    true = {(str(d), str(t)) for d, t in zip(truth["doc_id"], truth["tag"], strict=True) if str(d) in doc_ids}
    families = {
        family: _figures(
            {p for p in found if FAMILY_OF[p[1]] == family}, {p for p in true if FAMILY_OF[p[1]] == family}
        )
        for family in TAG_FAMILIES
    }
    return {**_figures(found, true), "by_family": families}


def _of(pairs: set[tuple[str, str]], family: str) -> set[tuple[str, str]]:
    return {p for p in pairs if FAMILY_OF[p[1]] == family}


def _figures(found: set[tuple[str, str]], true: set[tuple[str, str]]) -> dict[str, Any]:
    hit = len(found & true)
    return {
        "found": len(found),
        "true": len(true),
        "correct": hit,
        "precision": hit / len(found) if found else None,
        "recall": hit / len(true) if true else None,
    }
