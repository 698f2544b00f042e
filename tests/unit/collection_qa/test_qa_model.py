"""The trained classifier: beats chance on held-out calls, served with numpy as scikit-learn scores, sha256-checked."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from riskloop.collection.qa import TranscriptQA, load_qa, rules_only
from riskloop.collection.qa_model import MODEL_FILE, QaModel, read_artifact
from riskloop.collection.qa_rules import load_lexicon
from riskloop.collection.qa_train import fit_qa, label_turns, train_qa, transform
from riskloop.errors import DataSourceError
from riskloop.nlp.artifact import MANIFEST, sha256_hex

from .transcripts import OPENING, THIRD_PARTY_DISCLOSES, THIRD_PARTY_REFUSED, labelled_sample, make_call


def _frames(rows):
    turns, reviews, calls = rows
    r = pd.DataFrame(reviews, columns=["call_id", "issue_type", "turn_no"])
    r["turn_no"] = r["turn_no"].astype("Int64")
    return (
        pd.DataFrame(turns, columns=["call_id", "turn_no", "speaker", "text"]),
        r,
        pd.DataFrame(calls, columns=["call_id", "started_at"]),
    )


@pytest.fixture(scope="module")
def sample():
    return _frames(labelled_sample(np.random.default_rng(7), 160, "train-"))


@pytest.fixture(scope="module")
def artifact(sample, tmp_path_factory):
    return train_qa(*sample, tmp_path_factory.mktemp("qa") / "model", seed=11)


def test_beats_chance_on_held_out_calls(artifact):
    model = load_qa(artifact).model
    turns, reviews, _ = _frames(labelled_sample(np.random.default_rng(99), 80, "test-"))
    agent = turns[turns["speaker"] == "agent"]
    named = set(zip(reviews["call_id"], reviews["issue_type"], reviews["turn_no"], strict=True))
    probs = np.array([model.probabilities(t) for t in agent["text"]])
    for k, issue in enumerate(model.issue_types):
        y = [(c, issue, n) in named for c, n in zip(agent["call_id"], agent["turn_no"], strict=True)]
        assert 0 < sum(y) < len(y)
        assert roc_auc_score(y, probs[:, k]) > 0.9, issue


def test_served_scores_equal_scikit_learns(sample):
    fitted = fit_qa(label_turns(*sample), seed=11, c=4.0, threshold=0.5, report_floor=0.2)
    served = QaModel(fitted.spec, "test")
    texts = ["你这个废物，赶紧还钱", "请您尽快还款，谢谢配合", "我们知道你家住哪", "完全没见过的句子"]
    x = transform(fitted, texts)
    for k, issue in enumerate(served.issue_types):
        expected = fitted.models[issue].predict_proba(x)[:, 1]
        got = [served.probabilities(t)[k] for t in texts]
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_training_is_seeded(sample, tmp_path):
    a = train_qa(*sample, tmp_path / "a", seed=11)
    b = train_qa(*sample, tmp_path / "b", seed=11)
    assert (a / MODEL_FILE).read_bytes() == (b / MODEL_FILE).read_bytes()


def test_model_findings_name_the_model_and_turn(artifact):
    qa = load_qa(artifact)
    # Not in the lexicon (its insult rules know 你有病, not this word order): the classifier's find.
    turns = (*OPENING, ("agent", "脑子有病吧你，拖了这么久还不还钱。"), ("debtor", "你怎么骂人？"))
    assert rules_only().check(make_call("m", turns)).findings == ()
    result = qa.check(make_call("m", turns))
    digest = sha256_hex((artifact / MODEL_FILE).read_bytes())
    model_hits = [f for f in result.findings if f.source.startswith("model:")]
    assert {f.source for f in model_hits} == {f"model:{qa.name}"} == {f"model:transcript-qa@{digest[:12]}"}
    assert {(f.issue_type, f.turn_no) for f in model_hits if f.score >= qa.threshold} == {("insult", 5)}
    assert result.needs_review


def test_rule_findings_scored_by_the_learned_combination(artifact):
    qa = load_qa(artifact)
    turns = (*OPENING, ("agent", "你真是个废物，拖了这么久还不还钱。"))
    (rule,) = rules_only().check(make_call("r", turns)).findings
    (combined,) = [f for f in qa.check(make_call("r", turns)).findings if f.issue_type == "insult"]
    assert combined.source == rule.source == "rule:INS-ABUSE"
    assert combined.turn_no == 5
    hits = np.array([i == "insult" for i in qa.model.issue_types])
    k = qa.model.issue_types.index("insult")
    assert combined.score == round(float(qa.model.combined(turns[4][1], hits)[k]), 4)
    assert combined.score >= qa.threshold  # the reviewed sample confirms what the rule finds


def test_third_party_model_only_where_a_third_party_is_on_the_line(sample, tmp_path):
    # Disclosures to a third party, and refusals to tell one anything (the negatives in the model's scope).
    turns, reviews, calls = labelled_sample(np.random.default_rng(3), 60, "tp-", issue_rate=0.0)
    for i in range(40):
        call_id = f"third-{i}"
        calls.append((call_id, calls[0][1]))
        script = THIRD_PARTY_DISCLOSES if i % 2 else THIRD_PARTY_REFUSED
        for n, (speaker, text) in enumerate(script, start=1):
            turns.append((call_id, n, speaker, text.replace("30", str(10 + i))))
        reviews.append((call_id, "third_party_disclosure", 3) if i % 2 else (call_id, "none", None))
    qa = load_qa(train_qa(*_frames((turns, reviews, calls)), tmp_path / "m", seed=1))
    assert "third_party_disclosure" in qa.model.issue_types
    to_debtor = (*OPENING, ("agent", THIRD_PARTY_DISCLOSES[2][1]))
    found = qa.check(make_call("d", to_debtor)).findings
    assert not [f for f in found if f.issue_type == "third_party_disclosure"]
    found = qa.check(make_call("t", THIRD_PARTY_DISCLOSES)).findings
    assert ("third_party_disclosure", 3) in {(f.issue_type, f.turn_no) for f in found if f.score >= qa.threshold}


def test_tampered_artifact_refused(artifact, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / MANIFEST).write_bytes((artifact / MANIFEST).read_bytes())
    spec = json.loads((artifact / MODEL_FILE).read_text())
    spec["threshold"] = 0.99
    (copy / MODEL_FILE).write_text(json.dumps(spec))
    with pytest.raises(DataSourceError, match="sha256 does not match the manifest"):
        load_qa(copy)
    with pytest.raises(DataSourceError, match="registered"):
        read_artifact(artifact, manifest_sha256="0" * 64)
    registered = sha256_hex((artifact / MANIFEST).read_bytes())
    assert read_artifact(artifact, manifest_sha256=registered)[1] == sha256_hex((artifact / MODEL_FILE).read_bytes())


def test_threshold_from_the_artifact_decides_review(sample, tmp_path):
    strict = load_qa(train_qa(*sample, tmp_path / "strict", seed=11, threshold=0.999, report_floor=0.2))
    assert strict.threshold == 0.999
    turns = (*OPENING, ("agent", "脑子有病吧你，拖了这么久还不还钱。"))
    loose = TranscriptQA(load_lexicon(), strict.model, threshold=0.2, report_floor=0.2).check(make_call("x", turns))
    tight = TranscriptQA(load_lexicon(), strict.model, threshold=1.0, report_floor=0.2).check(make_call("x", turns))
    assert loose.findings
    assert loose.needs_review
    # The same findings and scores; none reaches a threshold of 1, so no review.
    assert tight.findings == loose.findings
    assert max(f.score for f in tight.findings) < 1.0
    assert not tight.needs_review
