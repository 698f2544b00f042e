"""The lists on the decision path: one screen (7 identifiers, one indexed read) on empty and on large lists.

Run: ``.venv/bin/python -m benchmarks.bench_lists [--entries 100000] [--repeats 2000] [--json]``

A SQLite database is migrated in a temporary directory; the lists get ``--entries`` black-listed phones (one
version, as a file load). The figure is the time of ``StoreListScreen.screen`` of an application whose seven
identifiers are not listed, and of one whose phone is, with the same screen on empty lists as the baseline from
the same run: the read is by token index, so its time should not grow with the size of the lists. The
workspace's screen also keys the request's personal identifiers as the graph does (confirmed gangs' shared
identifiers are listed by graph key): ``screen_graph_keys`` is that screen, in the same single read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from riskloop.domain.lists import new_entry
from riskloop.graph.shared import request_keys
from riskloop.graph.tokens import Tokenizer
from riskloop.privacy.envelope import Sealer
from riskloop.service.lists import StoreListScreen
from riskloop.storage.engine import make_engine
from riskloop.storage.list_store import SQLListStore
from riskloop.storage.migrate import upgrade
from riskloop.testing.decider import IDENTITY, request
from riskloop.testing.keys import MemoryKeyProvider

AT = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def _timed(screen: StoreListScreen, req: Any, repeats: int) -> dict[str, float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        screen.screen(req, AT)
        times.append((time.perf_counter() - started) * 1e6)
    times.sort()
    return {"median_us": round(statistics.median(times), 1), "p99_us": round(times[int(0.99 * len(times))], 1)}


def run(entries: int, repeats: int) -> dict[str, Any]:
    """Screen timings on empty lists and on ``entries`` listed phones."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'lists.db'}"
        upgrade(url)
        engine = make_engine(url)
        tokenizer = Tokenizer(b"k" * 32)
        store = SQLListStore(engine, tokenizer, Sealer(MemoryKeyProvider()))
        screen = StoreListScreen(store)
        keyed = StoreListScreen(store, partial(request_keys, tokenizer=tokenizer))  # as the workspace builds it
        clean, listed = request(), request(phone="13900000000")
        empty = _timed(screen, clean, repeats)
        started = time.perf_counter()
        batch = [new_entry("black", "phone", f"139{i:08d}", reason="bench", source="file", provenance={},
                           valid_from=AT - dt.timedelta(days=1)) for i in range(entries)]  # fmt: skip
        store.save(batch, action="list.load", actor="bench", at=AT, detail={})
        load_s = time.perf_counter() - started
        result = {
            "entries": entries,
            "load_seconds": round(load_s, 2),
            "screen_empty_lists": empty,
            "screen_not_listed": _timed(screen, clean, repeats),
            "screen_listed": _timed(screen, listed, repeats),
            "screen_graph_keys": _timed(keyed, clean, repeats),
            "listed_is_black": screen.screen(listed, AT).black == ("phone",),
            "identifiers_screened": 1 + len(IDENTITY),
        }
        engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.entries, args.repeats)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['entries']:,} entries loaded in {result['load_seconds']} s (one version, sealed and tokenised)")
    for name in ("screen_empty_lists", "screen_not_listed", "screen_listed", "screen_graph_keys"):
        figures = result[name]
        print(f"{name:20s} median {figures['median_us']:>8.1f} µs   p99 {figures['p99_us']:>8.1f} µs")


if __name__ == "__main__":
    main()
