"""Text -> risk tags batch work: train the learned tagger on the analysts' reviews, tag the ingested documents.

- ``train_text_tagger``: the tagger trained on the reviewed sample (``document_reviews``), never on anything
  else, registered for the four-eyes release like every model (kind ``text-tags``).
- ``tag_documents``: every ingested document through the tagger (the active model with the lexicon's rules, or
  the rules alone while none is active); the tags, with confidence, evidence span and the tagger's version, are
  written to the warehouse's ``text_tags`` table (replaced whole on each run), which the ``text_tags`` feature
  group reads point in time (``features/text.py``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from riskloop.domain.text_tags import TEXT_TAGS_KIND
from riskloop.errors import NotFoundError, ValidationError
from riskloop.io.warehouse import Warehouse
from riskloop.scoring.registry import ACTIVE, UNKNOWN_AUTHOR, ModelRegistry, model_id
from riskloop.service.ports import ModelHome, Progress, no_progress
from riskloop.text.document import Document
from riskloop.text.tagger import Tagger, TagResult, load_tagger
from riskloop.text.tags_table import TAGS_SCHEMA, TAGS_TABLE

DOCUMENT_TABLES = ("risk_documents",)
TRAIN_TABLES = ("risk_documents", "document_reviews")
MIN_REVIEWED = 50
_PROGRESS_EVERY = 200


@dataclass(frozen=True)
class TextTraining:
    """Options of a training run: reviews made before a day only, the seed, who trains.

    ``sample``: train on at most this many reviewed documents, drawn with the seed (a time budget: ``riskloop
    demo``); ``None`` trains on every one.
    """

    before: dt.date | None = None
    seed: int = 0
    author: str = UNKNOWN_AUTHOR
    sample: int | None = None


def read_tables(warehouse: Warehouse, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Whole warehouse tables by name; NotFoundError naming the missing ones and the command to run."""
    missing = [n for n in names if n not in set(warehouse.tables())]
    if missing:
        raise NotFoundError(f"the warehouse holds no {', '.join(missing)} (run: riskloop ingest <universe>)")
    con = warehouse.connect()
    try:
        return {n: con.sql(f"SELECT * FROM {n}").to_arrow_table().to_pandas() for n in names}  # noqa: S608
    finally:
        con.close()


def train_text_tagger(home: ModelHome, options: TextTraining, progress: Progress = no_progress) -> dict[str, Any]:
    """Train the tagger on the reviewed sample, save and register it (released by another person)."""
    from riskloop.text.model import read_artifact
    from riskloop.text.tag_train import train_tagger

    progress("read", 0, 1)
    tables = read_tables(Warehouse(home.warehouse), TRAIN_TABLES)
    reviews = tables["document_reviews"]
    if options.before is not None:
        reviews = reviews[pd.to_datetime(reviews["reviewed_at"], utc=True) < pd.Timestamp(options.before, tz="UTC")]
    reviewed = int(reviews["doc_id"].nunique())
    if reviewed < MIN_REVIEWED:
        raise ValidationError("document_reviews", f"{reviewed} reviewed documents; at least {MIN_REVIEWED} are needed")
    available = reviewed
    if options.sample is not None and reviewed > options.sample:
        ids = np.sort(reviews["doc_id"].unique().astype(str))
        chosen = np.random.default_rng(options.seed).choice(ids, options.sample, replace=False)
        reviews = reviews[reviews["doc_id"].astype(str).isin(set(chosen))]
        reviewed = options.sample
    progress("train", 0, 1)
    version = max([m.version for m in home.registry.list(TEXT_TAGS_KIND)], default=0) + 1
    folder = home.models / model_id(TEXT_TAGS_KIND, version)
    train_tagger(tables["risk_documents"], reviews, folder, options.seed)
    spec, _ = read_artifact(folder)
    metrics = {"reviewed_documents": reviewed, "out_of_fold": spec["training"]["out_of_fold"],
               "threshold": spec["threshold"]}  # fmt: skip
    window = {"trained_on": "workspace", "reviews_before": str(options.before), "seed": options.seed,
              "sampled_from": available}  # fmt: skip
    registered = home.registry.register(folder, TEXT_TAGS_KIND, TEXT_TAGS_KIND, metrics, window,
                                        ["risk_documents.body"], registered_by=options.author)  # fmt: skip
    progress("done", 1, 1)
    return {"model_id": registered, "bundle": str(folder), **metrics}


def active_tagger(registry: ModelRegistry) -> Tagger:
    """The active text-tags model with the lexicon's rules (sha256 checked), or the rules alone."""
    model = next((m for m in registry.list(TEXT_TAGS_KIND) if m.status == ACTIVE), None)
    return load_tagger(Path(model.path), model.manifest_sha256) if model else load_tagger()


def tag_documents(warehouse: Warehouse, tagger: Tagger, progress: Progress = no_progress) -> dict[str, Any]:
    """Tag every ingested document and replace the warehouse's ``text_tags``; counts by tag."""
    docs = read_tables(warehouse, DOCUMENT_TABLES)["risk_documents"]
    rows: dict[str, list[Any]] = {name: [] for name in TAGS_SCHEMA.names}
    by_tag: dict[str, int] = {}
    for (doc_id, code, published), r in tag_frame(docs, tagger, progress):
        for name, value in zip(TAGS_SCHEMA.names, (doc_id, code, published, r.tag, r.confidence, r.start, r.end,
                                                    r.source, tagger.version), strict=True):  # fmt: skip
            rows[name].append(value)
        by_tag[r.tag] = by_tag.get(r.tag, 0) + 1
    _replace(warehouse.root / TAGS_TABLE, pa.table(rows, schema=TAGS_SCHEMA))
    return {"documents": len(docs), "tags": sum(by_tag.values()), "by_tag": by_tag, "tagger": tagger.version}


def tag_frame(
    docs: pd.DataFrame, tagger: Tagger, progress: Progress = no_progress
) -> Iterator[tuple[tuple[Any, Any, Any], TagResult]]:
    """Each tag of the documents in ``docs`` (``risk_documents`` rows), with its (doc_id, credit_code, published)."""
    total = len(docs)
    columns = (
        docs[c].tolist() for c in ("doc_id", "credit_code", "subject_name", "doc_type", "body", "published_date")
    )
    for i, (doc_id, code, subject, doc_type, body, published) in enumerate(zip(*columns, strict=True)):
        if i % _PROGRESS_EVERY == 0:
            progress("tag", i, total)
        for r in tagger.tag(Document(str(doc_id), str(subject), str(doc_type), str(body))):
            yield (doc_id, code, published), r
    progress("tag", total, total)


def _replace(folder: Path, table: pa.Table) -> None:
    """Write ``table`` as the folder's only part, atomically enough for a batch table (written, then swapped)."""
    staging = folder.with_name(f".{folder.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    pq.write_table(table, staging / "part-0.parquet")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
