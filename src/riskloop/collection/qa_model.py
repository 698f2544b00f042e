"""The served QA classifier: TF-IDF over words and character n-grams, one logistic model per issue type, numpy only.

The artifact is a folder with ``qa-model.json`` (per block of terms: vocabulary in column order and idf; per issue
type: coefficients, intercept, scope and the second stage combining the text logit with a rule hit; the review
threshold) and ``manifest.json`` (its sha256). Loading checks
the sha256 (and the manifest's own, when the caller registered one); nothing is unpickled. Scoring reproduces
scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``: ``1 + log(count)`` times idf, each block l2-normalised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from riskloop.collection.qa_features import ANALYZERS
from riskloop.domain.collection import QA_KIND
from riskloop.errors import ValidationError
from riskloop.nlp.artifact import JsonArtifact, term_blocks, tfidf_features

MODEL_FILE = "qa-model.json"
FORMAT = 1
KIND = QA_KIND
ARTIFACT = JsonArtifact(MODEL_FILE, KIND, FORMAT, "transcript-QA")
write_artifact, read_artifact = ARTIFACT.write, ARTIFACT.read
AGENT_SCOPE, THIRD_PARTY_SCOPE = "agent", "agent_to_third_party"  # which agent turns a type's model scores
SCOPES = (AGENT_SCOPE, THIRD_PARTY_SCOPE)


class QaModel:
    """Per issue type, the probability that one agent utterance has the issue."""

    def __init__(self, spec: dict[str, Any], version: str) -> None:
        try:
            self.name = str(spec["name"])
            self.version = version
            self.issue_types: tuple[str, ...] = tuple(spec["issue_types"])
            self.scope: dict[str, str] = {t: spec["scope"][t] for t in self.issue_types}
            self.blocks = term_blocks(spec["blocks"], ANALYZERS)
            width = sum(len(b.column) for b in self.blocks)
            coef = np.array([spec["coefficients"][t] for t in self.issue_types], dtype=np.float64).T
            self.intercept = np.array([spec["intercepts"][t] for t in self.issue_types], dtype=np.float64)
            stage = [spec["combine"][t] for t in self.issue_types]
            self.combine_text = np.array([s["text"] for s in stage], dtype=np.float64)
            self.combine_rule = np.array([s["rule"] for s in stage], dtype=np.float64)
            self.combine_intercept = np.array([s["intercept"] for s in stage], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError("artifact", f"malformed transcript-QA model ({exc!r})") from None
        if coef.shape != (width, len(self.issue_types)):
            raise ValidationError(
                "artifact.coefficients", f"shape {coef.shape}, expected ({width}, {len(self.issue_types)})"
            )
        if not set(self.scope.values()) <= set(SCOPES):
            raise ValidationError("artifact.scope", f"unknown scope in {self.scope}; valid: {', '.join(SCOPES)}")
        self.coef = coef

    def features(self, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The utterance's non-zero TF-IDF features: columns and values (each block l2-normalised)."""
        return tfidf_features(self.blocks, ANALYZERS, text)

    def logits(self, text: str) -> npt.NDArray[np.float64]:
        """The text model's logit of each issue type (in ``issue_types`` order) for one utterance."""
        cols, vals = self.features(text)
        z: npt.NDArray[np.float64] = self.intercept + (vals @ self.coef[cols] if cols.size else 0.0)
        return z

    def probabilities(self, text: str) -> npt.NDArray[np.float64]:
        """The text model's probability of each issue type for one utterance."""
        out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-self.logits(text)))
        return out

    def combined(self, text: str, rule_hits: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        """Probability of each issue type from the text model's logit and whether a rule of the type fired."""
        z = self.combine_text * self.logits(text) + self.combine_rule * rule_hits + self.combine_intercept
        out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
        return out
