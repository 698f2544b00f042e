"""The tagger against the generator's truth on held-out documents: tags, spans and hard negatives (evaluation test).

The learned model is trained on one universe's reviewed sample (``document_reviews``: what the bank can see) and
every document of another universe is tagged; truth (``document_tags``, ``document_hard_negatives``) is read
only to score. The served artifact is checked: sha256 on load, numpy scores equal scikit-learn's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from riskloop.errors import DataSourceError
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import chunk_tables
from riskloop.text.baseline import keyword_tags
from riskloop.text.document import Document
from riskloop.text.model import MANIFEST, MODEL_FILE, read_artifact, sha256_hex
from riskloop.text.tag_train import documents_of, train_tagger
from riskloop.text.tagger import Tagger, load_tagger

Spans = dict[str, dict[str, list[tuple[int, int]]]]


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tables, _ = chunk_tables(UniverseParams(enterprises=1500, seed=3), 0)
    folder = tmp_path_factory.mktemp("tagger") / "model"
    return train_tagger(tables["risk_documents"].to_pandas(), tables["document_reviews"].to_pandas(), folder, 0)


@pytest.fixture(scope="module")
def held_out() -> tuple[list[Document], Spans, set[str]]:
    tables, truth = chunk_tables(UniverseParams(enterprises=800, seed=4), 0)
    spans: Spans = defaultdict(lambda: defaultdict(list))
    t = truth["document_tags"]
    for d, tag, a, b in zip(*(t[c].to_pylist() for c in ("doc_id", "tag", "span_start", "span_end")), strict=True):
        spans[d][tag].append((a, b))
    hard = set(truth["document_hard_negatives"]["doc_id"].to_pylist())
    return documents_of(tables["risk_documents"].to_pandas()), spans, hard


def _score(docs: list[Document], spans: Spans, hard: set[str], predict: Any) -> dict[str, float]:
    tp = fp = fn = on_span = hard_wrong = 0
    for doc in docs:
        pred: dict[str, tuple[int, int]] = predict(doc)
        real = spans.get(doc.doc_id, {})
        for tag, (a, b) in pred.items():
            if tag in real:
                tp += 1
                on_span += any(x < b and a < y for x, y in real[tag])
            else:
                fp += 1
        fn += sum(t not in pred for t in real)
        hard_wrong += doc.doc_id in hard and any(t not in real for t in pred)
    return {"precision": tp / (tp + fp), "recall": tp / (tp + fn), "span": on_span / tp, "hard": hard_wrong / len(hard)}


def _tagger(tagger: Tagger) -> Any:
    return lambda doc: {r.tag: (r.start, r.end) for r in tagger.tag(doc)}


def test_tagger_finds_the_true_tags_where_they_are(artifact: Path, held_out: tuple[Any, Spans, set[str]]) -> None:
    docs, spans, hard = held_out
    assert len(docs) > 900
    assert len(hard) > 300
    tagger = _score(docs, spans, hard, _tagger(load_tagger(artifact)))
    rules = _score(docs, spans, hard, _tagger(load_tagger()))
    keywords = _score(docs, spans, hard, keyword_tags)
    assert tagger["precision"] >= 0.95, tagger
    assert tagger["recall"] >= 0.93, tagger
    assert tagger["recall"] > rules["recall"], (tagger, rules)  # the model learns wordings the lexicon lacks
    assert tagger["precision"] > keywords["precision"] + 0.2, (tagger, keywords)
    assert tagger["span"] >= 0.75, tagger  # the evidence span overlaps a true one
    assert tagger["hard"] < keywords["hard"] / 10, (tagger, keywords)  # hard negatives: far fewer wrong tags
    assert rules["hard"] < keywords["hard"] / 10, (rules, keywords)


def test_every_result_carries_its_evidence(artifact: Path, held_out: tuple[Any, Spans, set[str]]) -> None:
    tagger = load_tagger(artifact)
    for doc in held_out[0][:300]:
        for r in tagger.tag(doc):
            assert doc.body[r.start : r.end] == r.evidence
            assert r.evidence.strip()
            assert tagger.threshold <= r.confidence <= 1.0


def test_the_artifact_is_sha256_checked(artifact: Path, tmp_path: Path) -> None:
    spec, digest = read_artifact(artifact)
    assert digest == sha256_hex((artifact / MODEL_FILE).read_bytes())
    manifest = sha256_hex((artifact / MANIFEST).read_bytes())
    load_tagger(artifact, manifest)  # the registered manifest's digest matches
    with pytest.raises(DataSourceError, match="registered"):
        load_tagger(artifact, "0" * 64)
    tampered = tmp_path / "model"
    tampered.mkdir()
    (tampered / MANIFEST).write_bytes((artifact / MANIFEST).read_bytes())
    spec["threshold"] = 0.0
    (tampered / MODEL_FILE).write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(DataSourceError, match="sha256 does not match the manifest"):
        load_tagger(tampered)


def test_the_generator_is_deterministic_on_new_streams() -> None:
    first, truth = chunk_tables(UniverseParams(enterprises=200, seed=9), 0)
    again, truth_again = chunk_tables(UniverseParams(enterprises=200, seed=9), 0)
    for name in ("risk_documents", "document_reviews"):
        assert first[name].equals(again[name])
    assert truth["document_tags"].equals(truth_again["document_tags"])
    body = first["risk_documents"]["body"].to_pylist()
    ids = first["risk_documents"]["doc_id"].to_pylist()
    t: pa.Table = truth["document_tags"]
    where = dict(zip(ids, body, strict=True))
    for d, a, b in zip(*(t[c].to_pylist() for c in ("doc_id", "span_start", "span_end")), strict=True):
        assert 0 <= a < b <= len(where[d])
        assert where[d][a:b].strip()
