"""Ports the use cases call: progress reporting (the CLI renders it; tests ignore it)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress of long work: ``done`` of ``total`` units of the stage called ``stage``."""

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report progress."""
        ...


def no_progress(stage: str, done: int, total: int) -> None:
    """A Progress that reports nothing."""
