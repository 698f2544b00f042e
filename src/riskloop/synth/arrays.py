"""Vectorised building blocks: counter-based hashing, bijective index permutations, fixed-width ASCII strings."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Arr = npt.NDArray[Any]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def splitmix64(x: Arr) -> Arr:
    """Return the splitmix64 finaliser of ``x`` (uint64, wrapping): a fast, well-mixed integer hash."""
    z = x.astype(np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def index_hash(seed: int, tag: int, index: Arr) -> Arr:
    """Hash of ``(seed, tag, index)``: attributes any chunk can recompute for any global index."""
    key = splitmix64(np.array([seed * 1_000_003 + tag], dtype=np.uint64))
    return splitmix64(index.astype(np.uint64) ^ key)


def index_uniform(seed: int, tag: int, index: Arr) -> Arr:
    """Uniform [0, 1) floats derived from :func:`index_hash`."""
    return (index_hash(seed, tag, index) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def affine_permutation(index: Arr, modulus: int, multiplier: int, offset: int) -> Arr:
    """Bijective ``(multiplier * index + offset) mod modulus`` (``multiplier`` must be coprime to ``modulus``)."""
    return (index.astype(np.int64) * multiplier + offset) % modulus


def digit_matrix(values: Arr, width: int) -> Arr:
    """ASCII digits of non-negative ``values`` as an ``(n, width)`` uint8 matrix, zero-padded."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values.astype(np.int64)[:, None] // powers) % 10 + 48).astype(np.uint8)


def literal_matrix(text: str, n: int) -> Arr:
    """An ASCII literal repeated ``n`` times as an ``(n, len(text))`` uint8 matrix."""
    row = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.broadcast_to(row, (n, len(row)))


def hex_matrix(values: Arr, width: int = 16) -> Arr:
    """Lower-case hex digits of uint64 ``values`` as an ``(n, width)`` uint8 matrix."""
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    nibbles = ((values.astype(np.uint64)[:, None] >> shifts) & np.uint64(15)).astype(np.uint8)
    return np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[nibbles]


def ascii_strings(*parts: Arr) -> pa.StringArray:
    """Concatenate uint8 matrices column-wise into an Arrow string array without a Python loop."""
    matrix = np.ascontiguousarray(np.hstack(parts), dtype=np.uint8)
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(matrix.tobytes()))


def vocab_take(words: list[str] | tuple[str, ...], idx: Arr) -> pa.Array:
    """Strings ``words[idx]`` as an Arrow array (the vocabulary is small; the index vector is long)."""
    return pa.array(words, type=pa.string()).take(pa.array(idx.astype(np.int32)))


def join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate Arrow string arrays (or scalars) element-wise."""
    arrays = [pa.scalar(p, pa.string()) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def int_strings(values: Arr) -> pa.Array:
    """Decimal strings of integers, without padding."""
    return pc.cast(pa.array(values.astype(np.int64)), pa.string())


def weighted_choice(rng: np.random.Generator, weights: Arr, size: int) -> Arr:
    """Indices drawn with probabilities proportional to ``weights`` (inverse CDF, fast for long outputs)."""
    cdf = np.cumsum(weights, dtype=np.float64)
    return np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(size), side="right"), len(weights) - 1)


def weighted_from_uniform(u: Arr, weights: Arr) -> Arr:
    """Indices by inverse CDF of given uniforms (deterministic per index when ``u`` comes from a hash)."""
    cdf = np.cumsum(weights, dtype=np.float64)
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), len(weights) - 1)


def segment_ids(counts: Arr) -> Arr:
    """For per-owner ``counts``, the owner position of each expanded row (``np.repeat`` of ``arange``)."""
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts.astype(np.int64))


def rank_in_segment(counts: Arr) -> Arr:
    """For per-owner ``counts``, the 0-based rank of each expanded row inside its owner."""
    counts = counts.astype(np.int64)
    starts = np.cumsum(counts) - counts
    out: Arr = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(starts, counts)
    return out
