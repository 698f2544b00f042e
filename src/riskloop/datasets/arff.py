"""A small Weka ARFF reader: numeric and nominal attributes, ``?`` as missing, dense data only."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from riskloop.errors import DataSourceError

_ATTRIBUTE = re.compile(r"""@attribute\s+('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)\s+(.+)$""", re.IGNORECASE)
_NUMERIC = {"numeric", "real", "integer"}


def parse_arff(text: str, source: str = "<arff>") -> pd.DataFrame:
    r"""Parse ARFF ``text`` into a frame: numeric attributes as float64 (``?`` → NaN), nominal ones as strings.

    String attributes are kept as strings; dates and sparse ``{index value}`` rows are rejected.

    Examples
    --------
    >>> parse_arff("@relation r\n@attribute a numeric\n@attribute c {0,1}\n@data\n1.5,0\n?,1\n")
         a  c
    0  1.5  0
    1  NaN  1

    """
    names: list[str] = []
    kinds: list[str] = []
    lines = text.splitlines()
    for number, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        lower = line.lower()
        if lower.startswith("@relation"):
            continue
        if lower.startswith("@attribute"):
            name, kind = _attribute(line, source, number + 1)
            names.append(name)
            kinds.append(kind)
        elif lower.startswith("@data"):
            return _data(lines[number + 1 :], names, kinds, source)
        else:
            raise DataSourceError(f"{source}:{number + 1}: unexpected header line {line[:60]!r}")
    raise DataSourceError(f"{source}: no @data section")


def read_arff(path: Path) -> pd.DataFrame:
    """Read an ARFF file (UTF-8) with :func:`parse_arff`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataSourceError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_arff(text, str(path))


def _attribute(line: str, source: str, number: int) -> tuple[str, str]:
    match = _ATTRIBUTE.match(line)
    if not match:
        raise DataSourceError(f"{source}:{number}: malformed @attribute line")
    name, kind = match.group(1), match.group(2).strip()
    if name[0] in "'\"":
        name = name[1:-1].replace("\\" + name[0], name[0])
    low = kind.lower()
    if low in _NUMERIC:
        return name, "numeric"
    if kind.startswith("{"):
        return name, "nominal"
    if low == "string":
        return name, "string"
    raise DataSourceError(f"{source}:{number}: attribute {name!r} has unsupported type {kind!r}")


def _data(lines: list[str], names: list[str], kinds: list[str], source: str) -> pd.DataFrame:
    body = "\n".join(line for line in lines if line.strip() and not line.lstrip().startswith("%"))
    if body.lstrip().startswith("{"):
        raise DataSourceError(f"{source}: sparse ARFF data is not supported")
    rows = list(csv.reader(io.StringIO(body), quotechar="'", skipinitialspace=True))
    bad = next((i for i, row in enumerate(rows) if len(row) != len(names)), None)
    if bad is not None:
        raise DataSourceError(f"{source}: data row {bad + 1} has {len(rows[bad])} values, expected {len(names)}")
    columns: dict[str, object] = {}
    for j, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        values = [row[j].strip() for row in rows]
        if kind == "numeric":
            try:
                columns[name] = np.array([np.nan if v == "?" else float(v) for v in values], dtype=np.float64)
            except ValueError as exc:
                raise DataSourceError(f"{source}: attribute {name!r}: {exc}") from None
        else:
            columns[name] = pd.array([None if v == "?" else v for v in values], dtype="string")
    return pd.DataFrame(columns)
