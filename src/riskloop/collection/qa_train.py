"""Training of the transcript-QA classifier from the bank's reviewed sample (``call_reviews``), never from truth.

Rows are the agent's utterances in reviewed calls: a review naming an issue and a turn makes that turn a
positive of the issue; every other agent turn of a reviewed call is a negative of it (the reviewer read the whole
call; a call reviewed as ``none`` gives only negatives). A review naming a turn-level issue without its turn
leaves that call out of that issue's rows (which turn is unknown). Third-party disclosure is learnt and scored
only on agent turns spoken while a third party is on the line: the same words are lawful to the debtor.

Per issue type, two stages. The text model: a seeded logistic regression on TF-IDF of jieba words and word
pairs plus character 2-3-grams (``qa_features``). The combination: a logistic of the text model's logit and
whether a lexicon rule of the issue fired on the turn, fitted on out-of-fold logits (folds grouped by call), so
the reviewed sample decides how far to trust each rule and the text (a precise rule keeps its weight, a rule
that fires on what reviewers judged clean loses it). Out-of-fold precision and recall of the text model, the
rules and the combination are recorded in the artifact; the text model is then refitted on every reviewed
call. The export is plain JSON (``qa_model``), served with numpy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

from riskloop.collection.qa import DEFAULT_REPORT_FLOOR, DEFAULT_THRESHOLD
from riskloop.collection.qa_features import ANALYZERS, CHAR, WORD
from riskloop.collection.qa_model import AGENT_SCOPE, FORMAT, KIND, THIRD_PARTY_SCOPE, write_artifact
from riskloop.collection.qa_rules import load_lexicon, rule_findings
from riskloop.collection.transcript import Call, Turn, interlocutors, validate_call
from riskloop.domain.collection import AGENT, FALSE_LEGAL, INSULT, THIRD_PARTY, THIRD_PARTY_SPEAKER, THREAT
from riskloop.errors import ValidationError

MODEL_NAME = "transcript-qa"
# The issues a single utterance carries; off hours and missing statements are whole-call facts the rules decide.
TURN_ISSUES = (THREAT, INSULT, THIRD_PARTY, FALSE_LEGAL)
SCOPE = {THREAT: AGENT_SCOPE, INSULT: AGENT_SCOPE, FALSE_LEGAL: AGENT_SCOPE, THIRD_PARTY: THIRD_PARTY_SCOPE}
FOLDS = 5
STAGE_C = 100.0
MIN_POSITIVES = 5  # fewer labelled examples of an issue than this: no model for it (the rules still run)
VECTORIZERS = {WORD: {"min_df": 2, "max_features": 30_000}, CHAR: {"min_df": 3, "max_features": 50_000}}


@dataclass(frozen=True)
class LabelledTurns:
    """Agent utterances of reviewed calls: text, call, whether a third party is on the line, label per issue.

    ``labels[issue]`` is 1 (the reviewer named this turn), 0 (a clean turn of a reviewed call) or -1 (unknown:
    the review named the issue without its turn). ``rule_hits[issue]``: a lexicon rule of the issue fired there.
    """

    texts: list[str]
    call_ids: npt.NDArray[np.str_]
    third_party_on_line: npt.NDArray[np.bool_]
    labels: dict[str, npt.NDArray[np.int8]]
    rule_hits: dict[str, npt.NDArray[np.bool_]]
    skipped_calls: int


def build_calls(turns: pd.DataFrame, calls: pd.DataFrame, call_ids: Iterable[str]) -> tuple[list[Call], int]:
    """The well-formed transcripts of ``call_ids`` (malformed ones are counted and left out)."""
    started = dict(zip(calls["call_id"], pd.to_datetime(calls["started_at"], utc=True), strict=True))
    wanted = set(call_ids) & set(started)
    rows = turns[turns["call_id"].isin(wanted)].sort_values(["call_id", "turn_no"])
    out, skipped = [], 0
    for call_id, group in rows.groupby("call_id", sort=True):
        t = tuple(
            Turn(int(n), str(s), str(x))
            for n, s, x in zip(group["turn_no"], group["speaker"], group["text"], strict=True)
        )
        call = Call(str(call_id), started[call_id].to_pydatetime().astimezone(dt.UTC), t)
        try:
            validate_call(call)
        except ValidationError:
            skipped += 1
            continue
        out.append(call)
    return out, skipped


def label_turns(turns: pd.DataFrame, reviews: pd.DataFrame, calls: pd.DataFrame) -> LabelledTurns:
    """The labelled agent utterances of the reviewed calls (see the module's docstring)."""
    built, skipped = build_calls(turns, calls, reviews["call_id"].unique())
    named = reviews.dropna(subset=["turn_no"])
    positive = set(zip(named["call_id"], named["issue_type"], named["turn_no"].astype(int), strict=True))
    unplaced = reviews[reviews["turn_no"].isna() & reviews["issue_type"].isin(TURN_ISSUES)]
    unknown = set(zip(unplaced["call_id"], unplaced["issue_type"], strict=True))
    texts, ids, on_line = [], [], []
    labels: dict[str, list[int]] = {i: [] for i in TURN_ISSUES}
    hits: dict[str, list[bool]] = {i: [] for i in TURN_ISSUES}
    lexicon = load_lexicon()
    for call in built:
        fired = {(f.turn_no, f.issue_type) for f in rule_findings(lexicon, call)}
        for turn, other in zip(call.turns, interlocutors(call), strict=True):
            if turn.speaker != AGENT:
                continue
            texts.append(turn.text)
            ids.append(call.call_id)
            on_line.append(other == THIRD_PARTY_SPEAKER)
            for issue in TURN_ISSUES:
                known = (call.call_id, issue) not in unknown
                labels[issue].append(int((call.call_id, issue, turn.turn_no) in positive) if known else -1)
                hits[issue].append((turn.turn_no, issue) in fired)
    return LabelledTurns(
        texts,
        np.array(ids, dtype=np.str_),
        np.array(on_line, dtype=bool),
        {i: np.array(v, dtype=np.int8) for i, v in labels.items()},
        {i: np.array(v, dtype=bool) for i, v in hits.items()},
        skipped,
    )


def _vectorize(
    texts: list[str],
) -> tuple[dict[str, TfidfVectorizer], sparse.csr_matrix, list[dict[str, Any]]]:
    """TF-IDF blocks (words, characters) fitted on ``texts``: the vectorizers, the matrix, each block's export."""
    vectorizers, mats, blocks = {}, [], []
    for name, options in VECTORIZERS.items():
        vec = TfidfVectorizer(analyzer=ANALYZERS[name], sublinear_tf=True, dtype=np.float64, **options)
        mats.append(vec.fit_transform(texts))
        vectorizers[name] = vec
        vocabulary = [t for t, _ in sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])]
        blocks.append({"name": name, "vocabulary": vocabulary, "idf": [float(x) for x in vec.idf_]})
    return vectorizers, sparse.hstack(mats, format="csr"), blocks


def transform(fitted: FittedQa, texts: list[str]) -> sparse.csr_matrix:
    """The training side's features of ``texts`` (for checking the served model against scikit-learn)."""
    return sparse.hstack([fitted.vectorizers[name].transform(texts) for name in VECTORIZERS], format="csr")


def _fit(x: sparse.csr_matrix, y: npt.NDArray[np.int8], seed: int, c: float) -> LogisticRegression:
    model = LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=1000)
    return model.fit(x, y)


def _out_of_fold_logits(
    x: sparse.csr_matrix, y: npt.NDArray[np.int8], calls: npt.NDArray[np.str_], seed: int, c: float
) -> npt.NDArray[np.float64]:
    """Each row's text-model logit from a model fitted without its call (grouped folds, seeded)."""
    folds = min(FOLDS, len(np.unique(calls)))
    z = np.zeros(y.size, dtype=np.float64)
    for fit, test in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y, calls):
        if len(np.unique(y[fit])) < 2:
            continue
        z[test] = _fit(x[fit], y[fit], seed, c).decision_function(x[test])
    return z


def _combine(z: npt.NDArray[np.float64], rule: npt.NDArray[np.bool_], y: npt.NDArray[np.int8]) -> dict[str, float]:
    """The second stage: a logistic of the text logit and the rule hit, fitted on out-of-fold logits."""
    # Three parameters on thousands of rows: barely regularised, so a rule that reviewers confirm keeps its weight.
    stage = LogisticRegression(C=STAGE_C, solver="lbfgs", max_iter=1000).fit(np.column_stack([z, rule]), y)
    return {"text": float(stage.coef_[0][0]), "rule": float(stage.coef_[0][1]), "intercept": float(stage.intercept_[0])}


def combined(
    params: dict[str, float], z: npt.NDArray[np.float64], rule: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Probability of the issue from the text logit and the rule hit (the served formula)."""
    out: npt.NDArray[np.float64] = 1.0 / (
        1.0 + np.exp(-(params["text"] * z + params["rule"] * rule + params["intercept"]))
    )
    return out


def _figures(y: npt.NDArray[np.int8], p: npt.NDArray[np.float64], threshold: float) -> dict[str, Any]:
    flagged = p >= threshold
    tp = int((flagged & (y == 1)).sum())
    return {
        "rows": int(y.size),
        "positives": int(y.sum()),
        "auc": float(roc_auc_score(y, p)) if 0 < y.sum() < y.size else None,
        "precision": tp / int(flagged.sum()) if flagged.any() else None,
        "recall": tp / int(y.sum()) if y.any() else None,
    }


@dataclass(frozen=True)
class FittedQa:
    """What training fitted: the TF-IDF blocks and a logistic model per issue type, and their JSON export."""

    vectorizers: dict[str, TfidfVectorizer]
    models: dict[str, LogisticRegression]
    spec: dict[str, Any]


def fit_qa(data: LabelledTurns, seed: int, c: float, threshold: float, report_floor: float) -> FittedQa:
    """Fit the classifiers on labelled utterances and build the artifact's spec (see the module's docstring)."""
    if not data.texts:
        raise ValidationError("reviews", "no agent utterance in the reviewed calls: nothing to train on")
    vectorizers, x, blocks = _vectorize(data.texts)
    models: dict[str, LogisticRegression] = {}
    combine: dict[str, dict[str, float]] = {}
    figures: dict[str, Any] = {}
    for issue in TURN_ISSUES:
        rows = data.labels[issue] >= 0
        if SCOPE[issue] == THIRD_PARTY_SCOPE:
            rows &= data.third_party_on_line
        y, rule = data.labels[issue][rows], data.rule_hits[issue][rows]
        if int((y == 1).sum()) < MIN_POSITIVES or int((y == 0).sum()) < MIN_POSITIVES:
            figures[issue] = {"skipped": f"fewer than {MIN_POSITIVES} positives or negatives"}
            continue
        z = _out_of_fold_logits(x[rows], y, data.call_ids[rows], seed, c)
        combine[issue] = _combine(z, rule, y)
        figures[issue] = {
            "text_model": _figures(y, 1.0 / (1.0 + np.exp(-z)), threshold),
            "rules": _figures(y, rule.astype(np.float64), threshold),
            "combined": _figures(y, combined(combine[issue], z, rule), threshold),
        }
        models[issue] = _fit(x[rows], y, seed, c)
    if not models:
        raise ValidationError("reviews", f"no issue type has {MIN_POSITIVES} labelled turns: nothing to train")
    spec = {
        "kind": KIND,
        "format": FORMAT,
        "name": MODEL_NAME,
        "lexicon": load_lexicon().version,
        "issue_types": list(models),
        "scope": {i: SCOPE[i] for i in models},
        "blocks": blocks,
        "coefficients": {i: [float(f"{v:.7g}") for v in m.coef_[0]] for i, m in models.items()},
        "intercepts": {i: float(m.intercept_[0]) for i, m in models.items()},
        "combine": combine,
        "threshold": threshold,
        "report_floor": report_floor,
        "training": {
            "seed": seed,
            "c": c,
            "reviewed_calls": int(np.unique(data.call_ids).size),
            "skipped_malformed_calls": data.skipped_calls,
            "agent_turns": len(data.texts),
            "out_of_fold": figures,
        },
    }
    return FittedQa(vectorizers, models, spec)


def train_qa(
    turns: pd.DataFrame,
    reviews: pd.DataFrame,
    calls: pd.DataFrame,
    out_dir: Path,
    seed: int,
    *,
    c: float = 4.0,
    threshold: float = DEFAULT_THRESHOLD,
    report_floor: float = DEFAULT_REPORT_FLOOR,
) -> Path:
    """Train the per-issue utterance classifiers on the reviewed calls and write the artifact to ``out_dir``.

    ``turns`` has call_id, turn_no, speaker, text; ``reviews`` call_id, issue_type, turn_no (nullable);
    ``calls`` call_id, started_at. Returns ``out_dir``, loadable with ``qa.load_qa``.
    """
    fitted = fit_qa(label_turns(turns, reviews, calls), seed, c, threshold, report_floor)
    return write_artifact(out_dir, fitted.spec)
