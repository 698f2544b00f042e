"""The tagger against the generator's truth on held-out documents: tags, spans and hard negatives (evaluation test).

The learned model is trained on one universe's reviewed sample (``document_reviews``: what the bank can see) and
every document of another universe is tagged; truth (``document_tags``, ``document_hard_negatives``) is read
only to score, apart for tags written in seen and in held-out wording families (``synth/document_unseen.py``:
never in the lexicon's sources nor in a reviewed document). The served artifact is checked: sha256 on load.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from riskloop.errors import DataSourceError
from riskloop.nlp.artifact import MANIFEST, sha256_hex
from riskloop.synth.document_unseen import UNSEEN
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import chunk_tables
from riskloop.text.baseline import keyword_tags
from riskloop.text.document import Document
from riskloop.text.model import MODEL_FILE, read_artifact
from riskloop.text.tag_train import documents_of, train_tagger
from riskloop.text.tagger import Tagger, load_tagger

Spans = dict[str, dict[str, list[tuple[int, int]]]]
Held = dict[str, dict[str, bool]]
HeldOut = tuple[list[Document], Spans, set[str], Held]


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tables, _ = chunk_tables(UniverseParams(enterprises=1500, seed=3), 0)
    folder = tmp_path_factory.mktemp("tagger") / "model"
    return train_tagger(tables["risk_documents"].to_pandas(), tables["document_reviews"].to_pandas(), folder, 0)


@pytest.fixture(scope="module")
def held_out() -> HeldOut:
    tables, truth = chunk_tables(UniverseParams(enterprises=1000, seed=4), 0)
    spans: Spans = defaultdict(lambda: defaultdict(list))
    held: Held = defaultdict(dict)
    t = truth["document_tags"]
    columns = ("doc_id", "tag", "span_start", "span_end", "held_out")
    for d, tag, a, b, h in zip(*(t[c].to_pylist() for c in columns), strict=True):
        spans[d][tag].append((a, b))
        held[d][tag] = held[d].get(tag, True) and h
    hard = set(truth["document_hard_negatives"]["doc_id"].to_pylist())
    return documents_of(tables["risk_documents"].to_pandas()), spans, hard, held


Predictions = dict[str, list[dict[str, tuple[int, int]]]]


@pytest.fixture(scope="module")
def predictions(artifact: Path, held_out: HeldOut) -> Predictions:
    """Each document tagged once by the tagger, its rules alone and the keyword baseline."""
    predict = {"tagger": _tagger(load_tagger(artifact)), "rules": _tagger(load_tagger()), "keywords": keyword_tags}
    return {name: [p(doc) for doc in held_out[0]] for name, p in predict.items()}


def _score(data: HeldOut, predicted: list[dict[str, tuple[int, int]]], unseen: bool) -> dict[str, float]:
    """Figures on true tags written in held-out (``unseen``) or seen families; wrong tags by the document's kind."""
    docs, spans, hard, held = data
    tp = fp = fn = on_span = hard_wrong = 0
    for doc, pred in zip(docs, predicted, strict=True):
        real, h = spans.get(doc.doc_id, {}), held.get(doc.doc_id, {})
        for tag, (a, b) in pred.items():
            if tag in real and h[tag] == unseen:
                tp += 1
                on_span += any(x < b and a < y for x, y in real[tag])
            elif tag not in real and any(h.values()) == unseen:
                fp += 1
        fn += sum(t not in pred and h[t] == unseen for t in real)
        hard_wrong += doc.doc_id in hard and any(t not in real for t in pred)
    return {"precision": tp / (tp + fp), "recall": tp / (tp + fn), "span": on_span / tp, "hard": hard_wrong / len(hard)}


def _tagger(tagger: Tagger) -> Any:
    return lambda doc: {r.tag: (r.start, r.end) for r in tagger.tag(doc)}


def test_tagger_finds_the_true_tags_where_they_are(held_out: HeldOut, predictions: Predictions) -> None:
    docs, _, hard, _ = held_out
    assert len(docs) > 1000
    assert len(hard) > 350
    tagger, rules, keywords = (_score(held_out, predictions[n], unseen=False) for n in ("tagger", "rules", "keywords"))
    assert tagger["precision"] >= 0.95, tagger
    assert tagger["recall"] >= 0.95, tagger
    assert tagger["precision"] > keywords["precision"] + 0.2, (tagger, keywords)
    assert tagger["span"] >= 0.85, tagger  # the evidence span overlaps a true one
    assert tagger["hard"] < keywords["hard"] / 10, (tagger, keywords)  # hard negatives: far fewer wrong tags
    assert rules["hard"] < keywords["hard"] / 10, (rules, keywords)


def test_wordings_never_seen_are_still_found(held_out: HeldOut, predictions: Predictions) -> None:
    """Held-out families: neither the lexicon nor the reviews were written from them."""
    tagger, rules, keywords = (_score(held_out, predictions[n], unseen=True) for n in ("tagger", "rules", "keywords"))
    assert tagger["precision"] >= 0.9, tagger
    assert tagger["recall"] >= 0.7, tagger
    assert tagger["recall"] > rules["recall"] + 0.05, (tagger, rules)  # the model reads what the lexicon lacks
    assert tagger["precision"] > keywords["precision"], (tagger, keywords)


def test_every_result_carries_its_evidence(artifact: Path, held_out: HeldOut) -> None:
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
    held = set(truth["document_tags"].filter(truth["document_tags"]["held_out"])["doc_id"].to_pylist())
    assert held  # some tags are written in held-out families ...
    assert not held & set(first["document_reviews"]["doc_id"].to_pylist())  # ... and never reviewed
    assert all(truth["document_tags"]["family"].to_pylist())
    body = first["risk_documents"]["body"].to_pylist()
    ids = first["risk_documents"]["doc_id"].to_pylist()
    t: pa.Table = truth["document_tags"]
    where = dict(zip(ids, body, strict=True))
    for d, a, b in zip(*(t[c].to_pylist() for c in ("doc_id", "span_start", "span_end")), strict=True):
        assert 0 <= a < b <= len(where[d])
        assert where[d][a:b].strip()


def test_no_held_out_wording_is_in_the_lexicon() -> None:
    """The held-out figures measure wordings the lexicon does not contain: no pattern matches one of them."""
    lexicon = load_tagger().lexicon
    fill = {"s": "甲有限公司", "o": "乙有限公司", "h": "张三", "p": "李四", "amt": "100元", "case": "（2024）1号"}
    texts = [w.format(**fill) for wordings in UNSEEN.values() for w in wordings]
    assert len(texts) == 60
    found = [(t, p.pattern) for t in texts for rule in lexicon.rules for p in rule.patterns if p.search(t)]
    assert not found
