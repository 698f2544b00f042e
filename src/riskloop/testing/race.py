"""Interleaved: replay a race deterministically by running a rival's whole call just before a store's write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WRITES = frozenset({"add", "save", "add_change", "apply"})


class Interleaved:
    """A store whose first write runs ``rival`` first: the state the caller read is stale by the time it writes.

    ``rival`` must call the underlying store (not this wrapper), e.g. another use case built on it. ``writes``:
    the names of the store's writing methods (the default suits most stores).
    """

    def __init__(self, store: Any, rival: Callable[[], object], writes: frozenset[str] = WRITES) -> None:
        self.store, self.rival, self.fired, self.writes = store, rival, False, writes

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.store, name)
        if name not in self.writes or self.fired:
            return found

        def write(*args: Any, **kwargs: Any) -> Any:
            self.fired = True
            self.rival()
            return found(*args, **kwargs)

        return write
