"""Arbitrary tables for training: read CSV/Parquet, check the 0/1 target, make every feature numeric.

Numeric and boolean columns are features as they are. Text columns are *categorical*: with
``categorical="onehot"`` each level becomes a 0/1 column ``<column>=<level>`` (a missing value is all zeros),
up to ``max_levels`` levels; with ``"reject"`` they are an error that names them. Column names are made safe
for LightGBM (characters other than ``[A-Za-z0-9_.=-]`` and CJK ideographs become ``_``) and the renaming is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from riskloop.errors import DataSourceError, ValidationError

Categorical = Literal["onehot", "reject"]
MAX_LEVELS = 30
_UNSAFE = re.compile(r"[^0-9A-Za-z_.=\-\u4e00-\u9fff]+")  # CJK ideographs kept: Chinese column names stay readable


@dataclass(frozen=True)
class TabularData:
    """Numeric feature frame, 0/1 target and what was done to get there."""

    frame: pd.DataFrame
    y: npt.NDArray[np.int64]
    target: str
    features: tuple[str, ...]
    dropped: tuple[str, ...] = ()
    categorical: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    renamed: Mapping[str, str] = field(default_factory=dict)


def read_table(path: Path) -> pd.DataFrame:
    """Read a ``.csv`` (optionally ``.gz``) or ``.parquet`` file into a frame."""
    if not path.is_file():
        raise DataSourceError(f"{path}: no such file")
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        if name.endswith((".csv", ".csv.gz", ".txt")):
            return pd.read_csv(path, low_memory=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataSourceError(f"{path}: cannot read ({exc})") from None
    raise DataSourceError(f"{path}: unknown format; expected .csv, .csv.gz or .parquet")


def prepare_table(
    frame: pd.DataFrame,
    target: str,
    drop: Sequence[str] = (),
    categorical: Categorical = "onehot",
    max_levels: int = MAX_LEVELS,
) -> TabularData:
    """Split ``frame`` into numeric features and the 0/1 ``target``; see the module docstring.

    Examples
    --------
    >>> t = prepare_table(pd.DataFrame({"x": [1.0, 2.0], "c": ["a", "b"], "y": [0, 1]}), "y")
    >>> t.features, t.y.tolist()
    (('x', 'c=a', 'c=b'), [0, 1])

    """
    columns = [str(c) for c in frame.columns]
    if target not in columns:
        raise ValidationError("target", f"no column {target!r}; the table has columns: {', '.join(columns)}")
    unknown = [c for c in drop if c not in columns]
    if unknown:
        raise ValidationError("drop", f"no column {', '.join(map(repr, unknown))}; columns: {', '.join(columns)}")
    y = target_values(frame[target], target)
    rest = frame.drop(columns=[target, *drop])
    empty = tuple(c for c in rest.columns if rest[c].isna().all())
    rest = rest.drop(columns=list(empty))
    features, levels = _features(rest, categorical, max_levels)
    if features.shape[1] == 0:
        raise ValidationError("features", f"no usable feature column besides the target {target!r}")
    safe = _safe_names([str(c) for c in features.columns])
    renamed = {old: new for old, new in zip(features.columns, safe, strict=True) if old != new}
    features.columns = pd.Index(safe)
    return TabularData(features, y, target, tuple(safe), (*drop, *empty), levels, renamed)


def load_table(
    path: Path, target: str, drop: Sequence[str] = (), categorical: Categorical = "onehot", max_levels: int = MAX_LEVELS
) -> TabularData:
    """:func:`read_table` then :func:`prepare_table`."""
    return prepare_table(read_table(path), target, drop, categorical, max_levels)


def target_values(column: pd.Series, name: str) -> npt.NDArray[np.int64]:
    """The 0/1 target ``column`` (named ``name`` in errors) as integers; ValidationError on anything else."""
    missing = int(column.isna().sum())
    if missing:
        raise ValidationError(name, f"target has {missing} missing values; it must be 0/1 on every row")
    values = column.astype(np.int64) if pd.api.types.is_bool_dtype(column) else column
    numeric = pd.to_numeric(values, errors="coerce")
    bad = sorted({str(v) for v, n in zip(values, numeric, strict=True) if n not in (0, 1)})
    if bad:
        shown = ", ".join(bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise ValidationError(name, f"target must be 0/1 (1 = bad); found other values: {shown}")
    y = numeric.to_numpy(dtype=np.int64)
    if y.min() == y.max():
        raise ValidationError(name, f"target is {y[0]} on every row; training needs both 0 and 1")
    return y


def _features(
    rest: pd.DataFrame, categorical: Categorical, max_levels: int
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    numeric = [c for c in rest.columns if _is_numeric(rest[c])]
    text = [c for c in rest.columns if c not in numeric]
    if text and categorical == "reject":
        raise ValidationError("features", f"non-numeric columns {', '.join(map(str, text))}: drop or encode them")
    wide = [c for c in text if rest[c].nunique(dropna=True) > max_levels]
    if wide:
        raise ValidationError(
            "features",
            f"categorical columns with more than {max_levels} levels: {', '.join(map(str, wide))} "
            "(an identifier? pass --drop COLUMN)",
        )
    parts = {str(c): rest[c].astype(np.float64) for c in numeric}
    levels: dict[str, tuple[str, ...]] = {}
    for c in text:
        values = rest[c].astype("string")
        levels[str(c)] = tuple(sorted(str(v) for v in values.dropna().unique()))
        for level in levels[str(c)]:
            parts[f"{c}={level}"] = (values == level).fillna(False).astype(np.float64)
    return pd.DataFrame(parts, index=rest.index).reset_index(drop=True), levels


def _is_numeric(column: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column))


def _safe_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        safe = _UNSAFE.sub("_", name).strip("_") or "feature"
        candidate, n = safe, 1
        while candidate in out:
            n += 1
            candidate = f"{safe}_{n}"
        out.append(candidate)
    return out
