"""How long OpenMP worker threads (LightGBM's) spin before they sleep between parallel regions: briefly.

The runtime reads it once, when it loads, so it is set before LightGBM is imported (``cli.main`` does it first).
Measured on the demo's forecaster (24 small LightGBM models, two threads, ``python -m benchmarks.bench_openmp``):

- spinning without bound (libgomp's default, 300,000 rounds) is fast on an idle machine and several times slower
  beside other busy processes, where spinning threads take the cores the working ones need;
- never spinning (``OMP_WAIT_POLICY=PASSIVE``) holds up under load and is 2-3 times slower on an idle machine:
  every parallel region pays for putting its threads to sleep and waking them;
- a thousand rounds costs neither.

A deployment that sets ``OMP_WAIT_POLICY`` or ``GOMP_SPINCOUNT`` itself keeps its setting.
"""

from __future__ import annotations

import os

SPIN_COUNT = "1000"


def bounded_spin() -> None:
    """Let OpenMP threads spin ``SPIN_COUNT`` rounds, unless the environment already says how they wait."""
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ.setdefault("GOMP_SPINCOUNT", SPIN_COUNT)
