"""The served tag model: TF-IDF over sentence words and character n-grams, a logistic model per tag, numpy only.

The artifact is a folder with ``tag-model.json`` (per block of terms: vocabulary in column order and idf; per
tag: coefficients, intercept and the combination — a noisy-or of the fired rule's precision and the calibrated
best sentence logit; the threshold) and ``manifest.json`` (its sha256). Loading checks the sha256 (and the
manifest's own, when the caller registered one); nothing is unpickled. Scoring reproduces scikit-learn's
``TfidfVectorizer(sublinear_tf=True)``: ``1 + log(count)`` times idf, each block l2-normalised.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from riskloop.domain.text_tags import TEXT_TAGS_KIND
from riskloop.errors import ValidationError
from riskloop.nlp.artifact import JsonArtifact, term_blocks, tfidf_features
from riskloop.text.features import ANALYZERS

MODEL_FILE = "tag-model.json"
KIND, FORMAT = TEXT_TAGS_KIND, 2  # 2: the rule and the text combined as a noisy-or
ARTIFACT = JsonArtifact(MODEL_FILE, KIND, FORMAT, "text-tag")
write_artifact, read_artifact = ARTIFACT.write, ARTIFACT.read


class TagModel:
    """Per tag, the logit that one sentence is evidence of it, and the document-level combination."""

    def __init__(self, spec: dict[str, Any], version: str) -> None:
        try:
            self.name, self.version = str(spec["name"]), version
            self.tags: tuple[str, ...] = tuple(spec["tags"])
            self.threshold = float(spec["threshold"])
            self.blocks = term_blocks(spec["blocks"], ANALYZERS)
            coef = np.array([spec["coefficients"][t] for t in self.tags], dtype=np.float64).T
            self.intercept = np.array([spec["intercepts"][t] for t in self.tags], dtype=np.float64)
            stage = [spec["combine"][t] for t in self.tags]
            self.combine_text = np.array([s["text"] for s in stage], dtype=np.float64)
            self.combine_rule = np.array([s["rule"] for s in stage], dtype=np.float64)
            self.combine_intercept = np.array([s["intercept"] for s in stage], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError("artifact", f"malformed text-tag model ({exc!r})") from None
        width = sum(len(b.column) for b in self.blocks)
        if coef.shape != (width, len(self.tags)):
            raise ValidationError("artifact.coefficients", f"shape {coef.shape}, expected ({width}, {len(self.tags)})")
        self.coef = coef

    def features(self, text: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """One analyzer input's non-zero TF-IDF features: columns and values (each block l2-normalised)."""
        return tfidf_features(self.blocks, ANALYZERS, text)

    def logits(self, text: str) -> npt.NDArray[np.float64]:
        """Each tag's sentence logit (in ``tags`` order) for one analyzer input."""
        cols, vals = self.features(text)
        z: npt.NDArray[np.float64] = self.intercept + (vals @ self.coef[cols] if cols.size else 0.0)
        return z

    def logits_many(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """Each input's sentence logits (rows in ``texts`` order): one gather and one segmented sum for all."""
        parts = [self.features(t) for t in texts]
        sizes = np.array([c.size for c, _ in parts], dtype=np.int64)
        z = np.tile(self.intercept, (len(texts), 1))
        if not sizes.any():
            return z
        cols = np.concatenate([c for c, _ in parts])
        vals = np.concatenate([v for _, v in parts])
        weighted = self.coef[cols] * vals[:, None]
        nonempty = sizes > 0
        starts = (np.cumsum(sizes) - sizes)[nonempty]
        z[nonempty] += np.add.reduceat(weighted, starts, axis=0)
        return z

    def combined(self, best: npt.NDArray[np.float64], rule_hits: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
        """Each tag's document probability: a noisy-or of the fired rule's reviewed precision and the text's.

        The text can add a tag the rule missed but never veto a rule that fired: a low score from the sentence
        model on a wording it has not seen says little.
        """
        text = 1.0 / (1.0 + np.exp(-(self.combine_text * best + self.combine_intercept)))
        out: npt.NDArray[np.float64] = 1.0 - (1.0 - self.combine_rule * rule_hits) * (1.0 - text)
        return out
