"""The text tagger: lexicon rules and, when trained, the learned model, giving per tag a confidence and evidence.

Without a model a tag is the rule's: its score is the confidence and its match the evidence. With a model, each
sentence of the masked document is scored per tag; the document's probability of a tag is a noisy-or of the
fired rule's reviewed precision and its best sentence's calibrated score (the text adds tags, never vetoes a
fired rule), and the evidence is the rule's match when it fired, else the best sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from riskloop.domain.text_tags import TAGS
from riskloop.text.document import Document, masked, sentences, subject_role
from riskloop.text.features import unit
from riskloop.text.model import TagModel, read_artifact
from riskloop.text.rules import RuleHit, TagLexicon, load_lexicon, rule_hits

RULES, MODEL, BOTH = "rules", "model", "rules+model"
RULES_THRESHOLD = 0.5


@dataclass(frozen=True)
class TagResult:
    """One tag of one document: how sure, the evidence span ``[start, end)`` of the body, and what found it."""

    tag: str
    confidence: float
    start: int
    end: int
    evidence: str
    source: str


def units(doc: Document) -> tuple[list[tuple[int, int]], list[str]]:
    """The document's sentences and the analyzer input of each (masked, with the subject's role and the type)."""
    spans = sentences(doc.body)
    role = subject_role(doc.body, doc.subject)
    return spans, [unit(masked(doc.body[a:b], doc.subject), role, doc.doc_type) for a, b in spans]


class Tagger:
    """Tags documents with the lexicon's rules and, when given, the learned model."""

    def __init__(self, lexicon: TagLexicon, model: TagModel | None = None) -> None:
        self.lexicon, self.model = lexicon, model

    @property
    def version(self) -> str:
        """What tagged: the lexicon's version and the model's name and sha256 prefix."""
        model = f"+{self.model.name}@{self.model.version[:12]}" if self.model else ""
        return f"{self.lexicon.version}{model}"

    @property
    def threshold(self) -> float:
        """The confidence from which a tag is reported."""
        return self.model.threshold if self.model else RULES_THRESHOLD

    def scores(self, doc: Document) -> list[TagResult]:
        """Every tag with any evidence in ``doc``, whatever its confidence."""
        hits = rule_hits(self.lexicon, doc)
        if self.model is None:
            return [self._from_rule(hit, doc) for hit in hits.values()]
        return self._with_model(self.model, doc, hits)

    def tag(self, doc: Document) -> list[TagResult]:
        """The tags of ``doc`` whose confidence reaches the threshold, in ``TAGS`` order."""
        out = [r for r in self.scores(doc) if r.confidence >= self.threshold]
        return sorted(out, key=lambda r: TAGS.index(r.tag))

    @staticmethod
    def _from_rule(hit: RuleHit, doc: Document, confidence: float | None = None, source: str = RULES) -> TagResult:
        score = hit.score if confidence is None else confidence
        return TagResult(hit.tag, round(score, 4), hit.start, hit.end, doc.body[hit.start : hit.end], source)

    def _with_model(self, model: TagModel, doc: Document, hits: dict[str, RuleHit]) -> list[TagResult]:
        spans, inputs = units(doc)
        out = [self._from_rule(h, doc) for t, h in hits.items() if t not in model.tags]
        if not spans:
            return out
        logits = model.logits_many(inputs)
        best, where = logits.max(axis=0), logits.argmax(axis=0)
        fired = np.array([t in hits for t in model.tags], dtype=bool)
        probability = model.combined(best, fired)
        for k, tag in enumerate(model.tags):
            p = float(probability[k])
            if tag in hits:
                out.append(self._from_rule(hits[tag], doc, p, BOTH))
            else:
                a, b = spans[int(where[k])]
                out.append(TagResult(tag, round(p, 4), a, b, doc.body[a:b], MODEL))
        return out


def load_tagger(folder: Path | None = None, manifest_sha256: str | None = None) -> Tagger:
    """The shipped lexicon's rules, with the learned model at ``folder`` when one is given (sha256 checked)."""
    lexicon = load_lexicon()
    if folder is None:
        return Tagger(lexicon)
    spec, digest = read_artifact(folder, manifest_sha256)
    return Tagger(lexicon, TagModel(spec, digest))
