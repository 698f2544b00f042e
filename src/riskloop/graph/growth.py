"""Appending to numpy arrays one element at a time without copying them each time.

The decision path records live applications one by one into arrays sized by the whole graph; ``np.append``
would copy the array on every arrival (O(n) each). ``appended`` keeps the array as a prefix of a buffer
that grows by half when full, so an arrival costs O(1) amortised.
"""

from __future__ import annotations

import numpy as np

MIN_ROOM = 1024


def appended(view: np.ndarray, value: int, buffer: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``view`` with ``value`` appended, as a prefix of ``buffer`` (grown by half when full), and the buffer.

    ``view`` is a prefix of ``buffer`` when it is one of ours (``buffer[:n]``, whose base it is); anything else
    (a fresh array, a buffer of an earlier load) is copied into a new buffer.

    Examples
    --------
    >>> view, buffer = appended(np.array([1, 2]), 3, None)
    >>> view.tolist(), len(buffer) > 3
    ([1, 2, 3], True)
    >>> view, same = appended(view, 4, buffer)
    >>> view.tolist(), same is buffer
    ([1, 2, 3, 4], True)

    """
    n = len(view)
    if buffer is None or view.base is not buffer or n >= len(buffer):
        buffer = np.r_[view, np.zeros(max(MIN_ROOM, n // 2), view.dtype)]
    buffer[n] = value
    return buffer[: n + 1], buffer
