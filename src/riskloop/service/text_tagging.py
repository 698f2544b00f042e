"""The active text tagger for serving (``POST /v1/documents/tag``): loaded without the training stack.

The active ``text-tags`` model with the lexicon's rules, reloaded when another model is activated (its manifest
sha256 checked on load); the lexicon's rules alone while none is active.
"""

from __future__ import annotations

import threading
from pathlib import Path

from riskloop.domain.text_tags import TEXT_TAGS_KIND
from riskloop.scoring.registry import ACTIVE, ModelRegistry
from riskloop.text.tagger import Tagger, load_tagger


class ActiveTagger:
    """The tagger of the active text-tags model, or the rules alone; asked on every use."""

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry
        self._rules = load_tagger()
        self._loaded: tuple[str, Tagger] | None = None
        self._lock = threading.Lock()

    def __call__(self) -> Tagger:
        """The current tagger."""
        model = next((m for m in self.registry.list(TEXT_TAGS_KIND) if m.status == ACTIVE), None)
        if model is None:
            return self._rules
        with self._lock:
            if self._loaded is None or self._loaded[0] != model.manifest_sha256:
                self._loaded = (model.manifest_sha256, load_tagger(Path(model.path), model.manifest_sha256))
            return self._loaded[1]
