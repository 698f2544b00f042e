"""Group commit: the decisions of concurrent requests written in one transaction by one writer thread per process.

A request awaits ``GroupCommitter.record(entry)``; the writer takes every entry queued while it was writing the
previous batch (up to ``max_batch``) and stores them with ``record_many``: one commit and one statement per table
instead of one commit and five statements per decision. Every entry's rows (claim, decision, audit, review or
outbox, arrival) are in the batch's transaction, so each decision is still all or nothing. When an entry meets
a claim (a retry, a concurrent duplicate), the batch stores nothing and its entries are recorded one by one, each
answered as ``record`` answers it (a replay, or the ConflictError of another body). A failure of the database
fails every request of the batch, so none is answered as stored when it is not. The event loop is never blocked
by a commit: it decides the next requests while the writer writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from riskloop.domain.decision_record import DecisionEntry, Recorded
from riskloop.errors import StorageError

DEFAULT_MAX_BATCH = 64
_STOP = object()
_log = logging.getLogger(__name__)


class BatchStore(Protocol):
    """A decision store that writes a batch in one transaction."""

    def record_many(self, entries: Sequence[DecisionEntry]) -> bool:
        """Store every entry in one transaction; False, storing nothing, when one of them is claimed already."""
        ...

    def record(self, entry: DecisionEntry) -> Recorded:
        """Store ``entry``, or answer its owner's claim (ConflictError when it claims another key or body)."""
        ...


@dataclass(frozen=True)
class _Pending:
    entry: DecisionEntry
    future: asyncio.Future[Recorded]
    loop: asyncio.AbstractEventLoop


@dataclass
class BatchStats:
    """How the writer has batched so far (``/metrics``-style counters, read by tests and benchmarks)."""

    batches: int = 0
    entries: int = 0
    fallbacks: int = 0  # batches that met a claim and were recorded one by one
    largest: int = 0


class GroupCommitter:
    """One writer thread storing the entries requests hand it, in batches; ``start`` before use, ``close`` after."""

    def __init__(self, store: BatchStore, max_batch: int = DEFAULT_MAX_BATCH) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be positive, got {max_batch}")
        self.store, self.max_batch = store, max_batch
        self.stats = BatchStats()
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> GroupCommitter:
        """Start the writer thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)
            self._thread = None

    async def record(self, entry: DecisionEntry) -> Recorded:
        """Store ``entry`` with whatever else is waiting; what ``BatchStore.record`` would answer for it."""
        if self._thread is None:
            raise StorageError("group commit: the writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Recorded] = loop.create_future()
        self._queue.put(_Pending(entry, future, loop))
        return await future

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._write([p for p in batch if isinstance(p, _Pending)])

    def _write(self, batch: list[_Pending]) -> None:
        self.stats.batches += 1
        self.stats.entries += len(batch)
        self.stats.largest = max(self.stats.largest, len(batch))
        try:
            stored = self.store.record_many([p.entry for p in batch])
        except Exception as exc:  # the database failed: no request of the batch is answered as stored
            _log.warning("group commit: a batch of %d failed (%s)", len(batch), type(exc).__name__)
            for p in batch:
                _settle(p, exc)
            return
        if stored:
            for p in batch:
                champion = p.entry.champion
                _settle(p, Recorded(True, champion.decision_id, p.entry.status_code, p.entry.response))
            return
        self.stats.fallbacks += 1
        for p in batch:  # a claim in the batch: each alone, answered as record answers it
            try:
                result: Recorded | Exception = self.store.record(p.entry)
            except Exception as exc:  # its own conflict or failure, for its own request only
                result = exc
            _settle(p, result)


def _settle(pending: _Pending, result: Recorded | Exception) -> None:
    def settle() -> None:
        if pending.future.done():  # the request was cancelled (client gone): its decision is stored all the same
            return
        if isinstance(result, Exception):
            pending.future.set_exception(result)
        else:
            pending.future.set_result(result)

    with contextlib.suppress(RuntimeError):  # the loop has closed (shutdown): nobody waits for the answer
        pending.loop.call_soon_threadsafe(settle)
