"""Text -> risk tags against the generator's truth: the tagger (rules + learned model), its rules alone, keywords.

Run: ``.venv/bin/python -m benchmarks.bench_text_tags`` (``--train-enterprises``, ``--test-enterprises``,
``--seed``, ``--json``).

The learned model is trained on the analysts' reviewed sample (``document_reviews``) of one universe; every
document of a second universe (another seed: no document, firm or wording draw shared) is tagged and compared
with ``truth/document_tags``. Per tag: precision and recall at document level, and the share of true positives
whose evidence span overlaps a true span, for (a) the tagger, (b) its lexicon rules alone, (c) a keyword
baseline (a tag wherever one of its words appears) — same documents, same run — apart for SEEN and HELD-OUT
wording families. A document's true tag is held out when every span of it is written in a held-out family
(``synth/document_unseen.py``: written after the lexicon was frozen, never in any reviewed document); a tag
predicted but not true counts against the held-out figures when the document has any held-out part, else
against the seen ones. Also the share of hard-negative
documents (creditor, withdrawn, released, removed, negated, unrelated sense, another company) given a tag they
do not carry, and throughput (documents per second, median of three passes). Truth is read here only, to score.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from riskloop.domain.text_tags import TAGS
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import chunk_tables
from riskloop.text.baseline import keyword_tags
from riskloop.text.document import Document
from riskloop.text.tag_train import documents_of, train_tagger
from riskloop.text.tagger import Tagger, load_tagger

Predict = Callable[[Document], dict[str, tuple[int, int]]]


def _universe(enterprises: int, seed: int) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    params = UniverseParams(enterprises=enterprises, seed=seed, chunk_size=max(enterprises, 1))
    return chunk_tables(params, 0)


def _predictor(tagger: Tagger) -> Predict:
    return lambda doc: {r.tag: (r.start, r.end) for r in tagger.tag(doc)}


SEEN, HELD_OUT = "seen", "held_out"


def _truth(truth: pa.Table) -> tuple[dict[str, dict[str, list[tuple[int, int]]]], dict[str, dict[str, bool]]]:
    """Per document and tag: the true spans, and whether every one of them is in a held-out family."""
    true: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    held: dict[str, dict[str, bool]] = defaultdict(dict)
    columns = ("doc_id", "tag", "span_start", "span_end", "held_out")
    for d, t, a, b, h in zip(*(truth[c].to_pylist() for c in columns), strict=True):
        true[d][t].append((a, b))
        held[d][t] = held[d].get(t, True) and bool(h)
    return true, held


def _score(docs: list[Document], truth: pa.Table, hard: pa.Table, predict: Predict) -> dict[str, Any]:
    true, held = _truth(truth)
    hard_docs = set(hard["doc_id"].to_pylist())
    counts = {b: {k: dict.fromkeys(TAGS, 0) for k in ("tp", "fp", "fn", "span")} for b in (SEEN, HELD_OUT)}
    hard_flagged = 0
    for doc in docs:
        pred, real, unseen = predict(doc), true.get(doc.doc_id, {}), held.get(doc.doc_id, {})
        for tag, (a, b) in pred.items():
            if tag in real:
                c = counts[HELD_OUT if unseen[tag] else SEEN]
                c["tp"][tag] += 1
                c["span"][tag] += any(x < b and a < y for x, y in real[tag])
            else:
                counts[HELD_OUT if any(unseen.values()) else SEEN]["fp"][tag] += 1
        for tag in real:
            if tag not in pred:
                counts[HELD_OUT if unseen[tag] else SEEN]["fn"][tag] += 1
        hard_flagged += doc.doc_id in hard_docs and any(t not in real for t in pred)
    out = {b: _figures(c) for b, c in counts.items()}
    return out | {"hard_negative_docs_mistagged": round(hard_flagged / max(len(hard_docs), 1), 3)}


def _figures(c: dict[str, dict[str, int]]) -> dict[str, Any]:
    tp, fp, fn, span = c["tp"], c["fp"], c["fn"], c["span"]
    per_tag = {
        t: {
            "precision": round(tp[t] / max(tp[t] + fp[t], 1), 3),
            "recall": round(tp[t] / max(tp[t] + fn[t], 1), 3),
            "span_hit": round(span[t] / max(tp[t], 1), 3),
            "support": tp[t] + fn[t],
        }
        for t in TAGS
    }
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    return {
        "per_tag": per_tag,
        "micro_precision": round(all_tp / max(all_tp + all_fp, 1), 3),
        "micro_recall": round(all_tp / max(all_tp + all_fn, 1), 3),
    }


def _throughput(docs: list[Document], predict: Predict, n: int = 1000) -> float:
    batch = docs[:n]
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        for doc in batch:
            predict(doc)
        rates.append(len(batch) / (time.perf_counter() - start))
    return round(statistics.median(rates), 1)


def run(train_enterprises: int, test_enterprises: int, seed: int) -> dict[str, Any]:
    """Train on one universe's reviews, score every document of another; return the figures."""
    train_tables, _ = _universe(train_enterprises, seed)
    test_tables, test_truth = _universe(test_enterprises, seed + 1)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        folder = train_tagger(
            train_tables["risk_documents"].to_pandas(), train_tables["document_reviews"].to_pandas(), Path(tmp), seed
        )
        train_seconds = time.perf_counter() - start
        tagger = load_tagger(folder)
    rules = Tagger(tagger.lexicon)
    docs = documents_of(test_tables["risk_documents"].to_pandas())
    truth, hard = test_truth["document_tags"], test_truth["document_hard_negatives"]
    out: dict[str, Any] = {
        "train_documents": train_tables["risk_documents"].num_rows,
        "reviewed_documents": len(set(train_tables["document_reviews"]["doc_id"].to_pylist())),
        "test_documents": len(docs),
        "hard_negative_documents": len(set(hard["doc_id"].to_pylist())),
        "held_out_documents": len(set(truth.filter(truth["held_out"])["doc_id"].to_pylist())),
        "train_seconds": round(train_seconds, 1),
        "tagger_version": tagger.version,
    }
    for name, predict in (("tagger", _predictor(tagger)), ("rules", _predictor(rules)), ("keywords", keyword_tags)):
        out[name] = _score(docs, truth, hard, predict) | {"documents_per_second": _throughput(docs, predict)}
    return out


def _print(out: dict[str, Any]) -> None:
    print(
        f"train {out['train_documents']} documents ({out['reviewed_documents']} reviewed, {out['train_seconds']} s); "
        f"test {out['test_documents']} documents of another universe ({out['hard_negative_documents']} with hard "
        f"negatives, {out['held_out_documents']} with a held-out wording family)"
    )
    print(f"tagger {out['tagger_version']}")
    names = ("tagger", "rules", "keywords")
    for bucket in (SEEN, HELD_OUT):
        print(f"-- {bucket} wording families")
        print(f"{'tag':<10}" + "".join(f"{n + ' P/R/span':>24}" for n in names) + f"{'support':>9}")
        for tag in TAGS:
            cells = "".join(
                f"{out[n][bucket]['per_tag'][tag]['precision']:>10.3f}{out[n][bucket]['per_tag'][tag]['recall']:>7.3f}"
                f"{out[n][bucket]['per_tag'][tag]['span_hit']:>7.3f}"
                for n in names
            )
            print(f"{tag:<10}{cells}{out['tagger'][bucket]['per_tag'][tag]['support']:>9}")
        for n in names:
            r = out[n][bucket]
            print(f"{n:<9} micro P {r['micro_precision']:.3f} R {r['micro_recall']:.3f}")
    for n in names:
        r = out[n]
        print(
            f"{n:<9} hard-negative documents mistagged {r['hard_negative_docs_mistagged']:.3f}; "
            f"{r['documents_per_second']} documents/s (median of 3)"
        )


def main() -> None:
    """Parse arguments, run, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-enterprises", type=int, default=16_000)
    parser.add_argument("--test-enterprises", type=int, default=6_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    out = run(args.train_enterprises, args.test_enterprises, args.seed)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        _print(out)


if __name__ == "__main__":
    main()
