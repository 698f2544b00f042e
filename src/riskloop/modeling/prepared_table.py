"""A bank's table made ready for training: its 0/1 target checked and its columns prepared by a fitted ``TablePrep``.

``riskloop train --csv`` goes through here. The preparation (``modeling.table_prep``) is label-free, so it is
fitted once on the whole table before cross-validation without leaking the target; it is stored in the model
bundle (``table_prep.json``) and replayed on any table the model scores later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from riskloop.errors import ValidationError
from riskloop.modeling.table_prep import TablePrep, fit_prep
from riskloop.modeling.tabular import MAX_LEVELS, Categorical, read_table, target_values

TEXT_TYPES = ("categorical", "high_cardinality")
LEFT_OUT = ("identifier", "constant", "empty", "dropped")


@dataclass(frozen=True)
class PreparedTable:
    """Float64 features in ``prep.features`` order, the 0/1 target and the fitted preparation."""

    frame: pd.DataFrame
    y: npt.NDArray[np.int64]
    target: str
    prep: TablePrep
    unparseable: Mapping[str, int]  # per input column: values of the wrong kind, read as missing

    @property
    def features(self) -> tuple[str, ...]:
        """The feature columns, in order."""
        return self.prep.features

    @property
    def dropped(self) -> tuple[str, ...]:
        """Input columns that produce no feature (identifiers, constants, empty or asked to drop)."""
        return tuple(r.name for r in self.prep.report if r.type in LEFT_OUT)

    @property
    def categorical(self) -> dict[str, int]:
        """Text columns encoded by level, with their number of encoded levels."""
        return {s.name: len(s.frequencies or s.levels) for s in self.prep.steps if s.kind in TEXT_TYPES}


def prepare(
    frame: pd.DataFrame,
    target: str,
    drop: Sequence[str] = (),
    categorical: Categorical = "onehot",
    max_levels: int = MAX_LEVELS,
) -> PreparedTable:
    """Check the target, fit the preparation on every column but it, and apply it.

    ``categorical="reject"`` refuses a table with text columns (by name) instead of encoding them.

    Examples
    --------
    >>> t = prepare(pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "a"], "y": [0, 1, 0]}), "y")
    >>> t.features, t.y.tolist()
    (('x', 'c=a', 'c=b'), [0, 1, 0])

    """
    prep = fit_prep(frame, target, drop, max_levels)  # checks the target column exists, never reads it
    y = target_values(frame[target], target)
    text = [s.name for s in prep.steps if s.kind in TEXT_TYPES]
    if text and categorical == "reject":
        raise ValidationError("features", f"non-numeric columns {', '.join(text)}: drop or encode them")
    prepared = prep.transform_counted(frame)
    return PreparedTable(prepared.frame, y, target, prep, prepared.unparseable)


def load_prepared(
    path: Path, target: str, drop: Sequence[str] = (), categorical: Categorical = "onehot", max_levels: int = MAX_LEVELS
) -> PreparedTable:
    """:func:`tabular.read_table` then :func:`prepare`."""
    return prepare(read_table(path), target, drop, categorical, max_levels)
