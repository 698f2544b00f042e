"""The active collection policy and transcript QA behind the desk's ports (``Chooser``, ``Checker``).

Serving side: Vowpal Wabbit's predictor, numpy and jieba only (no training stack, no DuckDB). Each is the
registry's active model of its kind, loaded from its bundle with its sha256 checked; ``ActiveQa`` reloads
only when another QA model is activated, so a running API follows activations without a restart.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.collection.policy import Policy, load_policy
from riskloop.collection.qa import TranscriptQA, load_qa
from riskloop.collection.transcript import Call, Turn
from riskloop.domain.collection import POLICY_KIND, QA_KIND
from riskloop.domain.collection_work import Finding
from riskloop.errors import DataSourceError, NotFoundError
from riskloop.scoring.bundle import MANIFEST, sha256_bytes
from riskloop.scoring.registry import ACTIVE, ModelRegistry, RegisteredModel
from riskloop.service.collection_ports import CheckedCall, Choice


def active_of(registry: ModelRegistry, kind: str) -> RegisteredModel | None:
    """The active model of ``kind`` (its registered name), or None."""
    return next((m for m in registry.list(kind) if m.status == ACTIVE and m.kind == kind), None)


class PolicyChooser:
    """A loaded collection policy as the desk's Chooser."""

    def __init__(self, policy: Policy, policy_id: str) -> None:
        self.policy = policy
        self.policy_id = policy_id

    def choose_rows(self, contexts: Any, seed: int) -> list[Choice]:
        """The policy's choice for every context row, exploration seeded by ``seed``."""
        chosen = self.policy.choose(contexts, np.random.default_rng(seed))
        arms = self.policy.arms
        pmfs: list[list[float]] = chosen["pmf"].tolist()
        nets: list[list[float]] = chosen["expected_net_cents"].tolist()
        reasons: list[list[str]] = chosen["reasons"].tolist()
        return [
            Choice(
                str(arm),
                float(p),
                {a: round(float(x), 6) for a, x in zip(arms, pmf, strict=True)},
                {a: round(float(v)) for a, v in zip(arms, net, strict=True)},
                tuple(why),
            )
            for arm, p, pmf, net, why in zip(
                chosen["arm"].tolist(), chosen["propensity"].tolist(), pmfs, nets, reasons, strict=True
            )
        ]


def active_chooser(registry: ModelRegistry) -> PolicyChooser:
    """The active collection policy; NotFoundError naming the commands that release one."""
    model = active_of(registry, POLICY_KIND)
    if model is None:
        raise NotFoundError(
            "no active collection policy (run: riskloop collections train, then riskloop models approve and "
            "riskloop models activate as another person)"
        )
    return PolicyChooser(load_policy(verified(Path(model.path), model.manifest_sha256)), model.model_id)


def verified(folder: Path, manifest_sha256: str) -> Path:
    """``folder`` when its manifest is the registered one and every file it lists is intact; else DataSourceError."""
    try:
        raw = (folder / MANIFEST).read_bytes()
        if sha256_bytes(raw) != manifest_sha256:
            raise DataSourceError(f"{folder / MANIFEST}: sha256 does not match the registered one; refusing to load")
        for name, digest in json.loads(raw)["files"].items():
            if sha256_bytes((folder / name).read_bytes()) != digest:
                raise DataSourceError(f"{folder / name}: sha256 does not match the manifest; refusing to load")
    except OSError as exc:
        raise DataSourceError(f"{folder}: not a collection policy bundle ({exc.strerror}: {exc.filename})") from None
    return folder


class QaChecker:
    """A loaded transcript QA as the desk's Checker."""

    def __init__(self, qa: TranscriptQA) -> None:
        self.qa = qa

    def check_call(self, call_id: str, started_at: dt.datetime, turns: Sequence[tuple[int, str, str]]) -> CheckedCall:
        """The QA's findings of one call; malformed turns are the QA's ValidationError naming the turn."""
        call = Call(call_id, started_at, tuple(Turn(int(n), speaker, text) for n, speaker, text in turns))
        result = self.qa.check(call)
        findings = tuple(
            Finding(call_id, f.issue_type, f.source, f.turn_no, f.utterance or f.detail, round(float(f.score), 4))
            for f in result.findings
        )
        return CheckedCall(findings, dict(result.scores), result.threshold, self.qa.name)


class ActiveQa:
    """The active transcript QA, reloaded when the active model changes; None while none is active."""

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry
        self._loaded: tuple[str, QaChecker] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> QaChecker | None:
        """The checker of the active QA model, or None."""
        model = active_of(self.registry, QA_KIND)
        if model is None:
            return None
        with self._lock:
            if self._loaded is None or self._loaded[0] != model.manifest_sha256:
                qa = load_qa(Path(model.path), model.manifest_sha256)
                self._loaded = (model.manifest_sha256, QaChecker(qa))
            return self._loaded[1]
