"""Profiling the API under load: every request's stages, written by its worker when ``RISKLOOP_PROFILE_STAGES`` is set.

``RISKLOOP_PROFILE_STAGES`` names a folder; each worker process appends one JSON line per request to
``stages-<pid>.jsonl`` there: route, status, total nanoseconds and the stages the decision path lapped
(``service.stages``). The load benchmark (``benchmarks.bench_decide``) reads them back into medians and p99
per stage (``RISKLOOP_PROFILE_CPU=1``: thread-CPU time per stage too). Off by default: a line costs a few
microseconds, and nothing is timed while it is off.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import IO

from riskloop.errors import ConfigError
from riskloop.service.stages import Laps

ENV_PROFILE_STAGES = "RISKLOOP_PROFILE_STAGES"
ENV_PROFILE_CPU = "RISKLOOP_PROFILE_CPU"  # "1": each stage's thread-CPU time too (a system call per lap)
RESPOND = "respond"  # from the route's last lap to the response sent: rendering, middleware, the socket


def profile_folder() -> Path | None:
    """The folder ``RISKLOOP_PROFILE_STAGES`` names (created), or None; ConfigError naming it when unwritable."""
    named = os.environ.get(ENV_PROFILE_STAGES, "").strip()
    if not named:
        return None
    folder = Path(named)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{ENV_PROFILE_STAGES}: cannot create {folder} ({exc.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"{ENV_PROFILE_STAGES}: {folder} is not writable")
    return folder


class StageLog:
    """One JSON line per timed request in ``folder/stages-<pid>.jsonl`` (buffered; flushed on ``close``)."""

    def __init__(self, folder: Path, *, cpu: bool = False) -> None:
        self.cpu = cpu
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"stages-{os.getpid()}.jsonl"
        self._file: IO[str] = self.path.open("a", encoding="utf-8", buffering=1 << 16)
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> StageLog | None:
        """The log of the folder ``RISKLOOP_PROFILE_STAGES`` names, or None when it is not set."""
        folder = profile_folder()
        return None if folder is None else cls(folder, cpu=os.environ.get(ENV_PROFILE_CPU) == "1")

    def laps(self) -> Laps:
        """The laps of a new request."""
        return Laps(cpu=self.cpu)

    def write(self, route: str, status: int, laps: Laps) -> None:
        """Record one request: its stages, the rest up to now as ``respond``, and its total."""
        laps.lap(RESPOND)
        line = {
            "route": route,
            "status": status,
            "total_ns": laps.last - laps.started,
            "stages": laps.totals(),
            **({"cpu": laps.cpu_totals()} if laps.cpu else {}),
        }
        with self._lock:
            self._file.write(json.dumps(line, separators=(",", ":")) + "\n")

    def close(self) -> None:
        """Flush and close the file."""
        with self._lock:
            self._file.close()
