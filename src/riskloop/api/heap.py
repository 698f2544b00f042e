"""The serving process's heap, settled once loaded: what was loaded is never scanned by the garbage collector again.

A serving worker holds hundreds of thousands of long-lived objects (the graph's indexes, the models, the
strategies, the app). Python's cyclic collector scans them all in each full collection, a pause of tens of
milliseconds on a small workspace and more on a large one, at a moment no request chooses: it was the p99 of
the decision path. ``settle`` collects once, then freezes what survived (``gc.freeze``: moved to a permanent
generation the collector skips), and raises the first generation's threshold so the short-lived objects of a
request (a strategy's trace, the response) are collected in fewer, equally short passes. Objects created later
(arrivals recorded into the graph) are collected as usual.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # allocations between young collections (Python's default: 700)


def settle() -> int:
    """Collect, freeze what is left, and space out young collections; how many objects were frozen."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
    return gc.get_freeze_count()
