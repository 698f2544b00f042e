"""Benchmark compiling boosters for serving: from the model text against from LightGBM's JSON dump.

Run: ``.venv/bin/python -m benchmarks.bench_forest_load [--rows 3000] [--repeats 5]``
Trains, on a synthetic table, a LightGBM booster of 2,000 rounds and a CatBoost model of 1,000 depth-6
trees converted to LightGBM text (as ``riskloop train`` fits them), then times, per booster and in the same
run, ``CompiledForest.from_texts`` (what ``ServingEnsemble`` does on every load) against the former path,
``NativeBooster.dump_model`` then ``CompiledForest`` over the dump. Both forests are checked equal on the
rows first. Prints medians (ms) and the ratio, and writes ``benchmarks/out/forest_load.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from riskloop.modeling.catboost_text import lightgbm_text
from riskloop.scoring.booster import NativeBooster
from riskloop.scoring.trees import CompiledForest

OUT = Path(__file__).parent / "out" / "forest_load.json"
COLUMNS = 8


def synthetic_table(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` rows of ``COLUMNS`` features (10 % missing) and a 0/1 target of a known logit."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, COLUMNS))
    x[rng.random(x.shape) < 0.1] = np.nan
    z = np.nan_to_num(x[:, 0]) - 0.8 * np.nan_to_num(x[:, 1]) + 0.5 * np.nan_to_num(x[:, 2]) ** 2 - 1.5
    return x, (rng.random(rows) < 1 / (1 + np.exp(-z))).astype(float)


def _lightgbm_text(x: np.ndarray, y: np.ndarray) -> str:
    import lightgbm as lgb

    params = {"objective": "binary", "num_leaves": 31, "learning_rate": 0.02, "verbose": -1, "num_threads": 1}
    booster = lgb.train({**params, "seed": 1}, lgb.Dataset(x, label=y), num_boost_round=2000)
    text: str = booster.model_to_string()
    return text


def _catboost_text(x: np.ndarray, y: np.ndarray) -> str:
    import catboost

    model = catboost.CatBoostClassifier(
        iterations=1000, depth=6, verbose=False, random_seed=1, thread_count=1, allow_writing_files=False
    )
    model.fit(x, y)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.json"
        model.save_model(str(path), format="json")
        dump = json.loads(path.read_text())
    return lightgbm_text(dump, [f"x{i}" for i in range(COLUMNS)])


def _ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def measure(name: str, text: str, x: np.ndarray, repeats: int) -> dict[str, Any]:
    """Both compile paths of one model text, alternated, with the forests checked equal first."""
    booster = NativeBooster(text)
    columns = [list(range(COLUMNS))]
    dumped = CompiledForest([booster.dump_model()], columns)
    read = CompiledForest.from_texts([text], columns)
    if not np.array_equal(dumped.raw(x), read.raw(x)):
        raise SystemExit(f"{name}: the two forests score the rows differently")
    from_text, from_dump = [], []
    for _ in range(repeats):  # alternated: the machine's noise falls on both
        from_text.append(_ms(lambda: CompiledForest.from_texts([text], columns)))
        from_dump.append(_ms(lambda: CompiledForest([booster.dump_model()], columns)))
    text_ms, dump_ms = round(statistics.median(from_text), 1), round(statistics.median(from_dump), 1)
    return {
        "trees": booster.num_trees,
        "from_text_ms": text_ms,
        "from_dump_ms": dump_ms,
        "ratio_text_to_dump": round(text_ms / dump_ms, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    x, y = synthetic_table(args.rows, seed=7)
    models = {"lightgbm 2,000 rounds": _lightgbm_text(x, y), "catboost 1,000 trees": _catboost_text(x, y)}
    result = {
        "rows": args.rows,
        "repeats": args.repeats,
        "machine": platform.machine(),
        "python": platform.python_version(),
        "models": {name: measure(name, text, x, args.repeats) for name, text in models.items()},
    }
    for name, m in result["models"].items():
        print(
            f"{name}: {m['trees']} trees; from the text {m['from_text_ms']} ms, "
            f"from the JSON dump {m['from_dump_ms']} ms (ratio {m['ratio_text_to_dump']})"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
