"""Transcript QA of a collection call (serving side: numpy and jieba, no training stack).

``TranscriptQA.check(call)`` validates the transcript, runs the lexicon rules and the classifier, and returns
the findings (issue, dimension, rule or model, turn, utterance, score), a score per dimension and whether the
call needs a team lead's review: some finding's score at or above the threshold. A dimension's score is
``100 * (1 - the highest finding score in it)``: 100 is clean, 0 a certain issue. Only the agent's turns are
scored by the classifier, and the third-party-disclosure model only where a third party is on the line. With a
trained model, the issues it covers are scored by its learned combination of the text and the rule hit (a rule's
finding keeps its source; ``qa_train`` says how the combination is fitted); the other issues by the lexicon.

Examples
--------
>>> qa = load_qa(Path("models/transcript-qa"))  # doctest: +SKIP
>>> result = qa.check(call)  # doctest: +SKIP
>>> result.needs_review, result.scores["courtesy"]  # doctest: +SKIP
(True, 4)

"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from riskloop.collection.qa_model import AGENT_SCOPE, QaModel, read_artifact
from riskloop.collection.qa_rules import Finding, Lexicon, load_lexicon, rule_findings
from riskloop.collection.transcript import Call, interlocutors, validate_call
from riskloop.domain.collection import AGENT, DIMENSION_OF, DIMENSIONS, ISSUE_TYPES, THIRD_PARTY_SPEAKER
from riskloop.errors import ValidationError

DEFAULT_THRESHOLD = 0.5
DEFAULT_REPORT_FLOOR = 0.2


@dataclass(frozen=True)
class QaResult:
    """A call's QA: its findings, a 0-100 score per dimension (100 clean) and whether it needs review."""

    call_id: str
    findings: tuple[Finding, ...]
    scores: dict[str, int]
    needs_review: bool
    threshold: float

    def issues(self) -> frozenset[str]:
        """The issue types with a finding at or above the threshold."""
        return frozenset(f.issue_type for f in self.findings if f.score >= self.threshold)


class TranscriptQA:
    """Lexicon rules and, when given, the trained classifier; ``threshold`` opens a review, ``report_floor`` lists."""

    def __init__(
        self,
        lexicon: Lexicon,
        model: QaModel | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        report_floor: float = DEFAULT_REPORT_FLOOR,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValidationError("threshold", f"must be in (0, 1], got {threshold}")
        if not 0.0 <= report_floor <= threshold:
            raise ValidationError("report_floor", f"must be in [0, threshold={threshold}], got {report_floor}")
        self.lexicon, self.model = lexicon, model
        self.threshold, self.report_floor = threshold, report_floor

    @property
    def name(self) -> str:
        """What checked a call, for the record: ``<model>@<version>`` or ``rules@<lexicon version>``."""
        return f"{self.model.name}@{self.model.version}" if self.model else f"rules@{self.lexicon.version}"

    def check(self, call: Call) -> QaResult:
        """Check one transcript; a malformed one is refused with a ValidationError naming the turn and field."""
        validate_call(call)
        rules = rule_findings(self.lexicon, call)
        findings = rules if self.model is None else self._combined(call, rules, self.model)
        findings.sort(key=lambda f: (f.turn_no or 0, ISSUE_TYPES.index(f.issue_type), f.source))
        scores = dict.fromkeys(DIMENSIONS, 100)
        for f in findings:
            scores[f.dimension] = min(scores[f.dimension], round(100 * (1.0 - f.score)))
        review = any(f.score >= self.threshold for f in findings)
        return QaResult(call.call_id, tuple(findings), scores, review, self.threshold)

    def _combined(self, call: Call, rules: list[Finding], model: QaModel) -> list[Finding]:
        """Rule and classifier findings, the issues the model covers scored by its learned combination.

        A rule's finding keeps its source and is scored by the combination of the rule hit and the text; where
        no rule fired, the classifier's own finding is listed from the report floor up.
        """
        covered = set(model.issue_types)
        out = [f for f in rules if f.issue_type not in covered]
        fired: dict[tuple[int | None, str], list[Finding]] = {}
        for f in rules:
            if f.issue_type in covered:
                fired.setdefault((f.turn_no, f.issue_type), []).append(f)
        source = f"model:{model.name}@{model.version}"
        for turn, other in zip(call.turns, interlocutors(call), strict=True):
            if turn.speaker != AGENT:
                continue
            hits = np.array([(turn.turn_no, i) in fired for i in model.issue_types], dtype=bool)
            probs = model.combined(turn.text, hits).tolist()
            for issue, p, hit in zip(model.issue_types, probs, hits.tolist(), strict=True):
                if model.scope[issue] != AGENT_SCOPE and other != THIRD_PARTY_SPEAKER:
                    continue
                if hit:
                    out.extend(dataclasses.replace(f, score=round(p, 4)) for f in fired.pop((turn.turn_no, issue)))
                elif p >= self.report_floor:
                    out.append(Finding(issue, DIMENSION_OF[issue], source, turn.turn_no, turn.text, round(p, 4)))
        out.extend(f for found in fired.values() for f in found)  # a rule hit the model does not score
        return out


def rules_only(lexicon: Lexicon | None = None, threshold: float = DEFAULT_THRESHOLD) -> TranscriptQA:
    """QA with the lexicon rules alone (the shipped lexicon unless given): before any classifier is trained."""
    return TranscriptQA(lexicon or load_lexicon(), None, threshold, min(DEFAULT_REPORT_FLOOR, threshold))


def load_qa(folder: Path, manifest_sha256: str | None = None) -> TranscriptQA:
    """The QA a trained artifact describes: its classifier (sha256-checked), the lexicon it names, its threshold."""
    spec, digest = read_artifact(folder, manifest_sha256)
    lexicon = load_lexicon()
    if spec.get("lexicon") != lexicon.version:
        raise ValidationError("artifact.lexicon", f"names {spec.get('lexicon')!r}; this build has {lexicon.version!r}")
    model = QaModel(spec, digest[:12])
    return TranscriptQA(lexicon, model, float(spec["threshold"]), float(spec["report_floor"]))
