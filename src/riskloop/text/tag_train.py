"""Training of the learned text tagger from the analysts' reviewed sample (``document_reviews``), never from truth.

Rows are the sentences of reviewed documents. A review naming a tag with its evidence span makes the sentences
overlapping the span positives of the tag; the other sentences of that document are left out for that tag (the
analyst marked one piece of evidence, not every one); every sentence of a reviewed document without the tag is a
negative of it (the analyst read the whole document; a ``none`` review gives only negatives).

Every sentence also enters training as a twin with the lexicon's terms cut out (keyword masking): the model
must learn from the words around a legal term too (你单位, 给付义务, 税款, 限制转让 ...), which carry over to
wordings the lexicon lacks; twins share their sentence's labels and folds and never count as a document's best
sentence.

Per tag, two stages. The sentence model: a seeded logistic regression on TF-IDF of jieba words and word pairs
plus character 2-3-grams of the masked sentence (``features``). The combination, per document: a noisy-or of the
lexicon rule (when it fired: its precision on the reviewed sample) and the text (a logistic of the best
sentence's out-of-fold logit, folds grouped by document, calibrated on the documents where the rule is silent):
the text adds the tags the rule misses and never vetoes one it found — on a wording it has not seen, a low
score from the sentence model says little.
Out-of-fold precision and recall per tag of the sentence model, the rules and the combination are recorded in
the artifact; the sentence model is then refitted on every reviewed document. The export is plain JSON
(``model``), served with numpy.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from riskloop.domain.text_tags import NO_TAG, TAGS
from riskloop.errors import ValidationError
from riskloop.text.document import Document
from riskloop.text.features import ANALYZERS, CHAR, WORD
from riskloop.text.model import FORMAT, KIND, write_artifact
from riskloop.text.rules import load_lexicon, rule_hits
from riskloop.text.tagger import units

MODEL_NAME = "text-tags"
FOLDS = 5
STAGE_C = 100.0
MIN_POSITIVES = 5  # fewer reviewed documents with a tag than this: no model for it (its rule still runs)
DEFAULT_THRESHOLD = 0.5
VECTORIZERS = {WORD: {"min_df": 2, "max_features": 30_000}, CHAR: {"min_df": 3, "max_features": 50_000}}


@dataclass(frozen=True)
class LabelledSentences:
    """Sentences of reviewed documents with a label per tag (1, 0, or -1: left out).

    Per document, ``doc_found[tag]``: the analyst found the tag; ``doc_fired[tag]``: its rule fired.
    """

    texts: list[str]
    doc_index: npt.NDArray[np.int64]
    twin: npt.NDArray[np.bool_]
    labels: dict[str, npt.NDArray[np.int8]]
    doc_found: dict[str, npt.NDArray[np.bool_]]
    doc_fired: dict[str, npt.NDArray[np.bool_]]


def documents_of(frame: pd.DataFrame) -> list[Document]:
    """Documents from rows with doc_id, subject_name, doc_type, body (title optional)."""
    titles = frame["title"] if "title" in frame else pd.Series([""] * len(frame), index=frame.index)
    return [
        Document(str(i), str(s), str(t), str(b), str(x))
        for i, s, t, b, x in zip(
            frame["doc_id"], frame["subject_name"], frame["doc_type"], frame["body"], titles, strict=True
        )
    ]


def label_sentences(documents: pd.DataFrame, reviews: pd.DataFrame) -> LabelledSentences:
    """The labelled sentences of the reviewed documents (see the module's docstring)."""
    spans: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for doc_id, tag, a, b in zip(
        reviews["doc_id"], reviews["tag"], reviews["span_start"], reviews["span_end"], strict=True
    ):
        if tag != NO_TAG and tag in TAGS:
            spans[str(doc_id)][str(tag)].append((int(a), int(b)) if pd.notna(a) and pd.notna(b) else (-1, -1))
    reviewed = documents[documents["doc_id"].isin(set(reviews["doc_id"].astype(str)))].sort_values("doc_id")
    lexicon = load_lexicon()
    terms = [p for rule in lexicon.rules for p in rule.patterns]
    texts: list[str] = []
    doc_index: list[int] = []
    twin: list[bool] = []
    labels: dict[str, list[int]] = {t: [] for t in TAGS}
    found: dict[str, list[bool]] = {t: [] for t in TAGS}
    fired: dict[str, list[bool]] = {t: [] for t in TAGS}
    for k, doc in enumerate(documents_of(reviewed)):
        sentence_spans, inputs = units(doc)
        hits = rule_hits(lexicon, doc)
        marked = spans.get(doc.doc_id, {})
        for tag in TAGS:
            found[tag].append(tag in marked)
            fired[tag].append(tag in hits)
        for (a, b), x in zip(sentence_spans, inputs, strict=True):
            cut = _without_terms(x, terms)
            for text in (x, cut) if cut != x else (x,):
                texts.append(text)
                doc_index.append(k)
                twin.append(text is cut)
                for tag in TAGS:
                    if tag not in marked:
                        labels[tag].append(0)
                    else:
                        labels[tag].append(1 if any(s < b and a < e for s, e in marked[tag]) else -1)
    return LabelledSentences(
        texts,
        np.array(doc_index, dtype=np.int64),
        np.array(twin, dtype=bool),
        {t: np.array(v, dtype=np.int8) for t, v in labels.items()},
        {t: np.array(v, dtype=bool) for t, v in found.items()},
        {t: np.array(v, dtype=bool) for t, v in fired.items()},
    )


def _without_terms(text: str, terms: list[re.Pattern[str]]) -> str:
    """``text`` with every lexicon term cut out (the twin of keyword masking)."""
    for term in terms:
        text = term.sub("", text)
    return text


def _vectorize(texts: list[str]) -> tuple[dict[str, TfidfVectorizer], sparse.csr_matrix, list[dict[str, Any]]]:
    """TF-IDF blocks (words, characters) fitted on ``texts``: the vectorizers, the matrix, each block's export."""
    vectorizers, mats, blocks = {}, [], []
    for name, options in VECTORIZERS.items():
        vec = TfidfVectorizer(analyzer=ANALYZERS[name], sublinear_tf=True, dtype=np.float64, **options)
        mats.append(vec.fit_transform(texts))
        vectorizers[name] = vec
        vocabulary = [t for t, _ in sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])]
        blocks.append({"name": name, "vocabulary": vocabulary, "idf": [float(x) for x in vec.idf_]})
    return vectorizers, sparse.hstack(mats, format="csr"), blocks


def _fit(x: sparse.csr_matrix, y: npt.NDArray[np.int8], seed: int, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=1000).fit(x, y)


def _best_out_of_fold(  # noqa: PLR0917 - the rows, their documents and the fit's options
    x: sparse.csr_matrix, y: npt.NDArray[np.int8], data: LabelledSentences, n_docs: int, seed: int, c: float
) -> npt.NDArray[np.float64]:
    """Per document, its best sentence's logit from a model fitted without the document (grouped folds)."""
    docs = data.doc_index
    z = np.full(y.size, -np.inf)
    folds = min(FOLDS, n_docs)
    for fit, test in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y, docs):
        use = fit[y[fit] >= 0]
        if len(np.unique(y[use])) < 2:
            continue
        z[test] = _fit(x[use], y[use], seed, c).decision_function(x[test])
    z[data.twin] = -np.inf  # served documents have no twins
    best = np.full(n_docs, -np.inf)
    np.maximum.at(best, docs, z)
    return np.where(np.isfinite(best), best, -10.0)


def combined(
    params: dict[str, float], z: npt.NDArray[np.float64], rule: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Probability of the tag from the best sentence logit and the rule hit (the served formula, ``model``)."""
    text = 1.0 / (1.0 + np.exp(-(params["text"] * z + params["intercept"])))
    out: npt.NDArray[np.float64] = 1.0 - (1.0 - params["rule"] * rule) * (1.0 - text)
    return out


def _stage(
    best: npt.NDArray[np.float64], found: npt.NDArray[np.bool_], fired: npt.NDArray[np.bool_]
) -> dict[str, float]:
    """The combination: the rule's reviewed precision (smoothed) and the text calibrated where the rule is silent."""
    rows = ~fired if len(np.unique(found[~fired])) == 2 else np.ones_like(fired)
    text = LogisticRegression(C=STAGE_C, solver="lbfgs", max_iter=1000).fit(best[rows, None], found[rows])
    return {
        "text": float(text.coef_[0][0]),
        "rule": (int((found & fired).sum()) + 1) / (int(fired.sum()) + 2),
        "intercept": float(text.intercept_[0]),
    }


def _figures(y: npt.NDArray[np.bool_], p: npt.NDArray[np.float64], threshold: float) -> dict[str, Any]:
    flagged = p >= threshold
    tp = int((flagged & y).sum())
    return {
        "documents": int(y.size),
        "positives": int(y.sum()),
        "precision": tp / int(flagged.sum()) if flagged.any() else None,
        "recall": tp / int(y.sum()) if y.any() else None,
    }


def fit_tagger(data: LabelledSentences, seed: int, c: float, threshold: float) -> dict[str, Any]:
    """Fit the sentence models and the combination; return the artifact's spec (see the module's docstring)."""
    if not data.texts:
        raise ValidationError("reviews", "no sentence in the reviewed documents: nothing to train on")
    _, x, blocks = _vectorize(data.texts)
    n_docs = int(data.doc_index.max()) + 1
    coefficients: dict[str, list[float]] = {}
    intercepts: dict[str, float] = {}
    combine: dict[str, dict[str, float]] = {}
    figures: dict[str, Any] = {}
    for tag in TAGS:
        y, found, fired = data.labels[tag], data.doc_found[tag], data.doc_fired[tag]
        if int(found.sum()) < MIN_POSITIVES or int((~found).sum()) < MIN_POSITIVES:
            figures[tag] = {"skipped": f"fewer than {MIN_POSITIVES} reviewed documents with and without it"}
            continue
        best = _best_out_of_fold(x, y, data, n_docs, seed, c)
        combine[tag] = _stage(best, found, fired)
        figures[tag] = {
            "sentence_model": _figures(found, 1.0 / (1.0 + np.exp(-best)), threshold),
            "rules": _figures(found, fired.astype(np.float64), threshold),
            "combined": _figures(found, combined(combine[tag], best, fired), threshold),
        }
        rows = y >= 0
        model = _fit(x[rows], y[rows], seed, c)
        coefficients[tag] = [float(f"{v:.7g}") for v in model.coef_[0]]
        intercepts[tag] = float(model.intercept_[0])
    if not combine:
        raise ValidationError("reviews", f"no tag was found in {MIN_POSITIVES} reviewed documents: nothing to train")
    return {
        "kind": KIND,
        "format": FORMAT,
        "name": MODEL_NAME,
        "lexicon": load_lexicon().version,
        "tags": list(combine),
        "blocks": blocks,
        "coefficients": coefficients,
        "intercepts": intercepts,
        "combine": combine,
        "threshold": threshold,
        "training": {
            "seed": seed,
            "c": c,
            "reviewed_documents": n_docs,
            "sentences": int((~data.twin).sum()),
            "twins": int(data.twin.sum()),
            "out_of_fold": figures,
        },
    }


def train_tagger(
    documents: pd.DataFrame,
    reviews: pd.DataFrame,
    out_dir: Path,
    seed: int,
    *,
    c: float = 4.0,
    threshold: float = DEFAULT_THRESHOLD,
) -> Path:
    """Train the tagger on the reviewed documents and write the artifact to ``out_dir`` (``tagger.load_tagger``).

    ``documents`` has doc_id, subject_name, doc_type, body; ``reviews`` doc_id, tag, span_start, span_end.
    """
    spec = fit_tagger(label_sentences(documents, reviews), seed, c, threshold)
    return write_artifact(out_dir, spec)
