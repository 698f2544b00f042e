"""Benchmark turning a fitted CatBoost model into LightGBM text, against fitting it, in the same run.

Run: ``.venv/bin/python -m benchmarks.bench_catboost_convert [--rows 3000] [--trees 1000] [--repeats 5]``
Every CatBoost sub-model that ``riskloop train`` fits is exported as CatBoost's JSON and converted
(``modeling.catboost_text.lightgbm_text``) before it is scored; on a small table the conversion can cost more
than the fit. Times, on a synthetic table, CatBoost's own fit (single thread, depth 6) and the conversion of its
JSON, each the median of ``--repeats``, and prints both and their ratio. Writes
``benchmarks/out/catboost_convert.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_forest_load import COLUMNS, synthetic_table
from riskloop.modeling.catboost_text import lightgbm_text

OUT = Path(__file__).parent / "out" / "catboost_convert.json"


def _fit(x: np.ndarray, y: np.ndarray, trees: int) -> tuple[float, dict[str, Any]]:
    """Seconds to fit, and the model's JSON export."""
    import catboost

    model = catboost.CatBoostClassifier(
        iterations=trees, depth=6, verbose=False, random_seed=1, thread_count=1, allow_writing_files=False
    )
    start = time.perf_counter()
    model.fit(x, y)
    seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.json"
        model.save_model(str(path), format="json")
        dump: dict[str, Any] = json.loads(path.read_text())
    return seconds, dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--trees", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    x, y = synthetic_table(args.rows, seed=7)
    names = [f"x{i}" for i in range(COLUMNS)]
    fits, converts, dump = [], [], {}
    for _ in range(args.repeats):  # alternated: the machine's noise falls on both
        seconds, dump = _fit(x, y, args.trees)
        fits.append(seconds * 1000)
        start = time.perf_counter()
        lightgbm_text(dump, names)
        converts.append((time.perf_counter() - start) * 1000)
    fit_ms, convert_ms = round(statistics.median(fits), 1), round(statistics.median(converts), 1)
    result = {
        "rows": args.rows,
        "trees": len(dump["oblivious_trees"]),
        "repeats": args.repeats,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "fit_ms": fit_ms,
        "convert_ms": convert_ms,
        "ratio_convert_to_fit": round(convert_ms / fit_ms, 3),
    }
    print(
        f"catboost {result['trees']} trees on {args.rows} rows: fit {fit_ms} ms, "
        f"conversion to LightGBM text {convert_ms} ms (ratio {result['ratio_convert_to_fit']})"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
