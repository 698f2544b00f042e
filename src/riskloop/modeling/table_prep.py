"""Table-aware preparation of any table a bank brings: infer each column's type, fit a numeric encoding, replay it.

Why
---
``tabular.prepare_table`` keeps numbers and one-hot encodes text; a bank's table also carries identifiers, dates,
high-cardinality codes, yes/no flags written as text, numbers written as text and missing values. This module
infers what each column is and fits one recorded preparation for it:

* **Label-free.** :func:`fit_prep` never reads the target's values (it only checks the column exists and leaves it
  out), so a preparation fitted on a whole table before cross-validation leaks nothing of the labels. What it
  learns from the other columns (levels, frequencies, date formats) is unsupervised.
* **Recorded and replayed.** :class:`TablePrep` is plain JSON (:meth:`TablePrep.to_dict`); it is stored in the
  model bundle and :meth:`TablePrep.transform` applies it identically at training and when serving, one row or a
  batch (every value is converted on its own, never from statistics of the frame being transformed).
* **Visible.** :attr:`TablePrep.report` says, per column, the inferred type, the missing share, the distinct
  count, what was done and the features it produced; :meth:`TablePrep.summary` is that for a training report.

Types and steps
---------------
``numeric`` float passthrough (numbers written as text are parsed; a ``<col>__missing`` 0/1 indicator when 1-99 %
of the training values are missing) · ``boolean`` 0/1 · ``categorical`` one-hot ``<col>=<level>`` · ``high_cardinality``
frequency ``<col>__freq`` plus one-hot of the 10 most frequent levels · ``date`` year, month, day of week, day and
days since 1970-01-01 · ratios ``a__per__b`` between money-like numeric columns · ``identifier``, ``constant``,
``empty`` and ``dropped`` columns produce nothing. Feature names are made LightGBM-safe by
``tabular._safe_names``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal, cast, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from riskloop.errors import ValidationError
from riskloop.modeling.tabular import MAX_LEVELS, _safe_names

FloatArray = npt.NDArray[np.float64]
ColumnType = Literal[
    "numeric", "boolean", "categorical", "high_cardinality", "date", "identifier", "constant", "empty", "dropped"
]
COLUMN_TYPES: Final[tuple[str, ...]] = get_args(ColumnType)
KEPT_TYPES: Final = ("numeric", "boolean", "categorical", "high_cardinality", "date")

FORMAT: Final = "riskloop.table_prep"
VERSION: Final = 1
TOP_LEVELS: Final = 10
MAX_RATIOS: Final = 20
UNIQUE_SHARE: Final = 0.95  # distinct values / rows at or above which a text or integer column is an identifier
PARSE_SHARE: Final = 0.95  # share of non-missing text that must parse for a date or numeric column
MIN_ID_ROWS: Final = 20  # fewer non-missing rows than this: cardinality says nothing about identifiers
INDICATOR_SHARE: Final = (0.01, 0.99)
DATE_PARTS: Final = ("year", "month", "dow", "day", "days")
ISO: Final = "ISO8601"
DATE_FORMATS: Final = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%Y.%m.%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M",
    ISO,
)
TRUE_WORDS: Final = ("true", "t", "yes", "y", "1", "1.0", "是", "有")
FALSE_WORDS: Final = ("false", "f", "no", "n", "0", "0.0", "否", "无")
# Written-out missing values. Not "none": in a bank's table it is a level ("other debtors: none"), not a gap.
NULL_WORDS: Final = frozenset({"", "na", "n/a", "nan", "nat", "null", "-", "--"})
MONEY_STEMS: Final = (
    "amount", "amt", "income", "salary", "revenue", "sales", "profit", "debt", "loan", "balance", "limit",
    "asset", "liabilit", "equity", "capital", "cash", "payment", "expense", "cost",
)  # fmt: skip
MONEY_ZH: Final = (
    "金额", "收入", "营收", "销售", "利润", "负债", "贷款", "余额", "额度", "资产", "权益", "资本", "现金", "还款",
    "支出", "成本",
)  # fmt: skip
NOT_MONEY: Final = frozenset({
    "ratio", "rate", "pct", "percent", "per", "to", "count", "cnt", "num", "number", "times", "days", "months",
    "years", "term", "age", "flag", "missing",
})  # fmt: skip
NOT_MONEY_ZH: Final = ("率", "比", "次数", "笔数", "个数", "数量", "天数", "月数", "期数", "年限")
ID_SUFFIXES_ZH: Final = (
    "编号", "身份证", "身份证号", "证件号", "号码", "账号", "卡号", "客户号", "合同号", "流水号", "手机号",
    "信用代码", "序号",
)  # fmt: skip

# Columns of personal data that repeat (names, addresses), so uniqueness does not catch them: never features,
# and their values never reach the bundle. Phone numbers and ID numbers are unique: the identifier rules drop them.
_PERSONAL_NAME = re.compile(
    r"^(?:name|full_?name|first_?name|last_?name|surname|customer_?name|cust_?name|person_?name|contact(?:_?name)?"
    r"|legal_?rep(?:resentative)?(?:_?name)?|address|addr|home_?address|email|e_?mail)$",
    re.I,
)
PERSONAL_ZH: Final = ("姓名", "联系人", "法人", "法定代表人", "地址", "住址", "邮箱")
_ID_NAME = re.compile(r"(?:^|[^a-z])(?:id|uuid|guid)$|^id[_\-\s.]?(?:no|num|number|card|code)$|[_\-\s.]no$", re.I)
_ID_CAMEL = re.compile(r"[a-z0-9](?:ID|Id)$")
_TOKENS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_EIGHT_DIGITS = re.compile(r"\d{8}")
_ISO_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)(?:Z|[+-]\d{2}:?\d{2})?")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_FOUR_DIGITS = re.compile(r"\d{4}")
_EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class ColumnReport:
    """What the preparation found in one input column and what it does with it.

    Attributes
    ----------
    name : str
        The input column.
    type : ColumnType
        The inferred type.
    missing : float
        Share of training rows where the value is missing (NaN, None, blank or a null word such as ``NULL``).
    distinct : int
        Distinct non-missing values at training (text stripped).
    action : str
        What is done, in a short English phrase.
    outputs : tuple of str
        The (safe) feature names this column produces, ratio features included for their numerator.

    """

    name: str
    type: ColumnType
    missing: float
    distinct: int
    action: str
    outputs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Plain JSON: the fields, ``outputs`` as a list."""
        return {
            "name": self.name,
            "type": self.type,
            "missing": self.missing,
            "distinct": self.distinct,
            "action": self.action,
            "outputs": list(self.outputs),
        }


@dataclass(frozen=True)
class ColumnStep:
    """The fitted encoding of one kept input column.

    Attributes
    ----------
    name : str
        The input column.
    kind : str
        One of ``numeric``, ``boolean``, ``categorical``, ``high_cardinality``, ``date``.
    missing_indicator : bool
        ``numeric``: add ``<name>__missing``.
    levels : tuple of str
        ``categorical``: every training level (sorted); ``high_cardinality``: the one-hot top levels.
    frequencies : mapping of str to float
        ``high_cardinality``: each training level's share of training rows, keyed by ``level_key`` (a digest).
    date_format : str or None
        ``date``: the strptime format of the text, ``"ISO8601"``, or None for a datetime column.
    true_values, false_values : tuple of str
        ``boolean``: lower-case words read as 1 and as 0.

    """

    name: str
    kind: ColumnType
    missing_indicator: bool = False
    levels: tuple[str, ...] = ()
    frequencies: Mapping[str, float] = field(default_factory=dict)
    date_format: str | None = None
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()

    def outputs(self) -> list[str]:
        """Raw (not yet made safe) names of the features this step produces, in order."""
        if self.kind == "numeric":
            return [self.name, *([f"{self.name}__missing"] if self.missing_indicator else [])]
        if self.kind == "boolean":
            return [self.name]
        if self.kind == "categorical":
            return [f"{self.name}={level}" for level in self.levels]
        if self.kind == "high_cardinality":
            return [f"{self.name}__freq", *(f"{self.name}={level}" for level in self.levels)]
        return [f"{self.name}__{part}" for part in DATE_PARTS]

    def to_dict(self) -> dict[str, object]:
        """Plain JSON: the column, its kind and only the parameters that kind uses."""
        out: dict[str, object] = {"column": self.name, "type": self.kind}
        if self.kind == "numeric":
            out["missing_indicator"] = self.missing_indicator
        elif self.kind == "boolean":
            out["true"], out["false"] = list(self.true_values), list(self.false_values)
        elif self.kind == "categorical":
            out["levels"] = list(self.levels)
        elif self.kind == "high_cardinality":
            out["top"], out["frequencies"] = list(self.levels), dict(self.frequencies)
        else:
            out["format"] = self.date_format
        return out


@dataclass(frozen=True)
class PreparedFrame:
    """A transformed frame and what could not be read.

    Attributes
    ----------
    frame : DataFrame
        Float64 features in :attr:`TablePrep.features` order, index reset.
    unparseable : dict of str to int
        Per input column, non-missing values of the wrong kind (text in a numeric column, an unknown boolean word,
        a date that does not parse); they became NaN. Columns without any are absent.
    unseen : dict of str to int
        Per categorical or high-cardinality input column, values not seen at training (all zeros, frequency 0).

    """

    frame: pd.DataFrame
    unparseable: dict[str, int]
    unseen: dict[str, int]


@dataclass(frozen=True)
class TablePrep:
    """A fitted, label-free preparation: see the module docstring; build with :func:`fit_prep`.

    Attributes
    ----------
    target : str
        The target column it was fitted beside (never read).
    rows : int
        Training rows.
    max_levels : int
        Most levels a text column may have to be one-hot encoded whole.
    steps : tuple of ColumnStep
        One per kept input column, in table order.
    ratios : tuple of (str, str)
        Money-like numeric column pairs ``(numerator, denominator)``.
    features : tuple of str
        The output (safe) feature names, in order.
    raw_features : tuple of str
        The same before they were made safe (``城市=北京`` where the feature is ``=``).
    report : tuple of ColumnReport
        One per input column but the target, in table order.

    """

    target: str
    rows: int
    max_levels: int
    steps: tuple[ColumnStep, ...]
    ratios: tuple[tuple[str, str], ...]
    features: tuple[str, ...]
    raw_features: tuple[str, ...]
    report: tuple[ColumnReport, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """The input columns :meth:`transform` needs."""
        return tuple(step.name for step in self.steps)

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Apply the preparation: float64 features in :attr:`features` order, index reset.

        Raises
        ------
        ValidationError
            ``frame`` lacks columns the preparation needs (named in the message).

        """
        return self.transform_counted(frame).frame

    def transform_counted(self, frame: pd.DataFrame) -> PreparedFrame:
        """:meth:`transform`, with the counts of unparseable and unseen values per input column."""
        positions = _positions(frame, self.columns)
        parts: list[FloatArray] = []
        numbers: dict[str, FloatArray] = {}
        unparseable: dict[str, int] = {}
        unseen: dict[str, int] = {}
        for step in self.steps:
            arrays, bad, new = _apply(step, frame.iloc[:, positions[step.name]])
            parts.extend(arrays)
            if step.kind == "numeric":
                numbers[step.name] = arrays[0]
            if bad:
                unparseable[step.name] = bad
            if new:
                unseen[step.name] = new
        parts.extend(_ratio(numbers[a], numbers[b]) for a, b in self.ratios)
        out = pd.DataFrame(dict(zip(self.features, parts, strict=True)), index=pd.RangeIndex(len(frame)))
        return PreparedFrame(out, unparseable, unseen)

    def summary(self) -> dict[str, object]:
        """JSON-ready overview for a training report: counts per type, the ratios and one row per column."""
        counts: Counter[str] = Counter(r.type for r in self.report)
        return {
            "target": self.target,
            "rows": self.rows,
            "columns": len(self.report),
            "features": len(self.features),
            "types": {t: counts[t] for t in COLUMN_TYPES if counts[t]},
            "ratios": [f"{a}__per__{b}" for a, b in self.ratios],
            "per_column": [r.to_dict() for r in self.report],
        }

    def to_dict(self) -> dict[str, object]:
        """Plain JSON (``json.dumps`` works); :meth:`from_dict` gives back an equal preparation."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "target": self.target,
            "rows": self.rows,
            "max_levels": self.max_levels,
            "steps": [s.to_dict() for s in self.steps],
            "ratios": [[a, b] for a, b in self.ratios],
            "features": list(self.features),
            "raw_features": list(self.raw_features),
            "report": [r.to_dict() for r in self.report],
        }

    @classmethod
    def from_dict(cls, data: object) -> TablePrep:
        """Rebuild from :meth:`to_dict`; anything malformed is a :class:`ValidationError`, never a KeyError."""
        d = _mapping(data, "table_prep")
        if d.get("format") != FORMAT or d.get("version") != VERSION:
            raise ValidationError("table_prep", f"not a {FORMAT} version {VERSION} document")
        steps = tuple(_step_from(s, f"steps[{i}]") for i, s in enumerate(_list(d, "steps", "table_prep")))
        ratios = tuple(_ratio_from(r, f"ratios[{i}]") for i, r in enumerate(_list(d, "ratios", "table_prep")))
        numeric = {s.name for s in steps if s.kind == "numeric"}
        if len({s.name for s in steps}) != len(steps) or any(a not in numeric or b not in numeric for a, b in ratios):
            raise ValidationError("table_prep", "steps repeat a column or ratios name a column that is not numeric")
        raw = _raw_features(steps, ratios)
        prep = cls(
            target=_str(d, "target", "table_prep"),
            rows=_int(d, "rows", "table_prep"),
            max_levels=_int(d, "max_levels", "table_prep"),
            steps=steps,
            ratios=ratios,
            features=tuple(_safe_names(raw)),
            raw_features=tuple(raw),
            report=tuple(_report_from(r, f"report[{i}]") for i, r in enumerate(_list(d, "report", "table_prep"))),
        )
        if [prep.features, prep.raw_features] != [_strs(d, k, "table_prep") for k in ("features", "raw_features")]:
            raise ValidationError("table_prep", "features do not follow from the steps and ratios")
        return prep


def infer_columns(
    frame: pd.DataFrame, target: str, drop: Sequence[str] = (), max_levels: int = MAX_LEVELS
) -> tuple[ColumnReport, ...]:
    """Each column but ``target``: its inferred type and what :func:`fit_prep` does with it.

    Parameters
    ----------
    frame : DataFrame
        The whole table, target included.
    target : str
        The label column; its values are not read.
    drop : sequence of str
        Columns to leave out (type ``dropped``).
    max_levels : int
        Most levels for a ``categorical`` column; more is ``high_cardinality``.

    Returns
    -------
    tuple of ColumnReport
        In table order.

    """
    return fit_prep(frame, target, drop, max_levels).report


def fit_prep(frame: pd.DataFrame, target: str, drop: Sequence[str] = (), max_levels: int = MAX_LEVELS) -> TablePrep:
    """Infer every column's type and fit its encoding, without reading the target's values.

    Parameters
    ----------
    frame : DataFrame
        The whole table, target included (it is only checked to exist).
    target : str
        The label column.
    drop : sequence of str
        Columns to leave out.
    max_levels : int
        Most levels for a text column to be one-hot encoded whole; more is frequency-encoded.

    Returns
    -------
    TablePrep

    Raises
    ------
    ValidationError
        No ``target`` column, an unknown ``drop`` column, repeated column names, or no usable feature.

    Examples
    --------
    >>> t = pd.DataFrame({"x": [1.0, None, 3.0], "flag": ["是", "否", "是"], "y": [0, 1, 0]})
    >>> fit_prep(t, "y").features
    ('x', 'x__missing', 'flag')

    """
    names = _names(frame, target, drop)
    if max_levels < 1:
        raise ValidationError("max_levels", f"must be at least 1, not {max_levels}")
    rows = len(frame)
    plans = [
        _plan(name, frame.iloc[:, i], rows, max_levels, asked=name in drop)
        for i, name in enumerate(names)
        if name != target
    ]
    steps = tuple(p.step for p in plans if p.step is not None)
    if not steps:
        raise ValidationError("features", f"no usable feature column besides the target {target!r}")
    money = [s.name for s in steps if s.kind == "numeric" and is_money(s.name)]
    ratios = tuple((a, b) for a in money for b in money if a != b)[:MAX_RATIOS]
    raw = _raw_features(steps, ratios)
    safe = dict(zip(raw, _safe_names(raw), strict=True))
    report = tuple(_report(p, ratios, safe) for p in plans)
    return TablePrep(target, rows, max_levels, steps, ratios, tuple(safe.values()), tuple(raw), report)


def is_money(name: str) -> bool:
    """Whether a column name looks like a money amount (and not a ratio, count or duration).

    Examples
    --------
    >>> names = ("loan_amount", "MonthlyIncome", "贷款余额", "debt_to_income", "资产负债率", "age", "sales / assets")
    >>> [is_money(n) for n in names]
    [True, True, True, False, False, False, True]

    """
    tokens = [t.lower() for t in _TOKENS.findall(name)]
    # A name such as "net profit / total assets" counts: the ratio of two such columns over one denominator is
    # a ratio of amounts (net profit / total liabilities), which is what lifted Polish bankruptcy's scorecard.
    if any(t in NOT_MONEY for t in tokens) or any(w in name for w in NOT_MONEY_ZH):
        return False
    return any(t.startswith(MONEY_STEMS) for t in tokens) or any(w in name for w in MONEY_ZH)


def is_personal_name(name: str) -> bool:
    """Whether a column name says personal data that repeats: a person's name, an address, an e-mail.

    Examples
    --------
    >>> [is_personal_name(n) for n in ("name", "CustomerName", "客户姓名", "注册地址", "product_name", "telephone")]
    [True, True, True, True, False, False]

    """
    stripped = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name.strip())
    return bool(_PERSONAL_NAME.match(stripped)) or any(word in name for word in PERSONAL_ZH)


def is_id_name(name: str) -> bool:
    """Whether a column name says identifier: ``id``, ``*_id``, ``*ID``, ``*_no``, ``uuid``, ``*编号``, ``身份证号``.

    Examples
    --------
    >>> [is_id_name(n) for n in ("id", "cust_id", "CustomerID", "客户ID", "客户编号", "paid", "PAID", "valid")]
    [True, True, True, True, True, False, False, False]

    """
    stripped = name.strip()
    return bool(_ID_NAME.search(stripped) or _ID_CAMEL.search(stripped) or stripped.endswith(ID_SUFFIXES_ZH))


# --- inference -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    name: str
    type: ColumnType
    missing: float
    distinct: int
    step: ColumnStep | None
    action: str


def _names(frame: pd.DataFrame, target: str, drop: Sequence[str]) -> list[str]:
    names = [str(c) for c in frame.columns]
    if target not in names:
        raise ValidationError("target", f"no column {target!r}; the table has columns: {', '.join(names)}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValidationError("columns", f"repeated column names: {', '.join(repeated)}")
    unknown = [c for c in drop if c not in names]
    if unknown:
        raise ValidationError("drop", f"no column {', '.join(map(repr, unknown))}; columns: {', '.join(names)}")
    return names


def _profile(column: pd.Series) -> tuple[list[str | None] | None, float, int]:
    """Normalised text (None for a numeric, boolean or datetime column), missing share and distinct count."""
    if _is_typed(column):
        share = float(column.isna().mean()) if len(column) else 1.0
        return None, share, int(column.nunique(dropna=True))
    texts = _texts(column)
    present = [t for t in texts if t is not None]
    return texts, ((len(texts) - len(present)) / len(texts)) if texts else 1.0, len(set(present))


def _plan(name: str, column: pd.Series, rows: int, max_levels: int, *, asked: bool) -> _Plan:
    texts, missing, distinct = _profile(column)
    if asked:
        return _Plan(name, "dropped", missing, distinct, None, "dropped (asked)")
    dropped = _dropped_type(name, missing, distinct)
    if dropped is not None:
        named = "dropped (personal data)" if is_personal_name(name) else "dropped (id name)"
        action = {"empty": "dropped (all missing)", "constant": "dropped (constant)"}.get(dropped, named)
        return _Plan(name, dropped, missing, distinct, None, action)
    if pd.api.types.is_bool_dtype(column.dtype):
        return _Plan(name, "boolean", missing, distinct, _boolean(name), "true/false as 1/0")
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return _Plan(name, "date", missing, distinct, ColumnStep(name, "date"), _date_action(None))
    if texts is None:
        values = _numbers(column)[0]
        return _numeric_plan(name, values, rows, missing=missing, distinct=distinct, how="kept as float")
    return _text_plan(name, texts, rows, missing=missing, distinct=distinct, max_levels=max_levels)


def _dropped_type(name: str, missing: float, distinct: int) -> ColumnType | None:
    if distinct == 0:
        return "empty"
    if distinct == 1:
        return "constant"
    return "identifier" if distinct > 2 and (is_id_name(name) or is_personal_name(name)) else None


def _numeric_plan(name: str, values: FloatArray, rows: int, *, missing: float, distinct: int, how: str) -> _Plan:
    present = values[~np.isnan(values)]
    integral = bool(np.all(np.mod(present[np.isfinite(present)], 1) == 0)) and bool(np.isfinite(present).all())
    if integral and not is_money(name) and _mostly_unique(len(np.unique(present)), len(present), rows):
        return _Plan(name, "identifier", missing, distinct, None, "dropped (unique integers)")
    share = float(np.isnan(values).mean()) if len(values) else 1.0
    indicator = INDICATOR_SHARE[0] <= share <= INDICATOR_SHARE[1]
    action = how + ("; missing indicator" if indicator else "")
    return _Plan(name, "numeric", missing, distinct, ColumnStep(name, "numeric", missing_indicator=indicator), action)


def _text_plan(
    name: str, texts: list[str | None], rows: int, *, missing: float, distinct: int, max_levels: int
) -> _Plan:
    present = [t for t in texts if t is not None]
    if _is_boolean_words(present):
        return _Plan(name, "boolean", missing, distinct, _boolean(name), "yes/no words as 1/0")
    fmt = _date_format(present)
    if fmt is not None:
        return _Plan(name, "date", missing, distinct, ColumnStep(name, "date", date_format=fmt), _date_action(fmt))
    values, bad = _numbers(pd.Series(texts, dtype=object))
    if present and bad <= (1 - PARSE_SHARE) * len(present):
        return _numeric_plan(name, values, rows, missing=missing, distinct=distinct, how="text parsed as number")
    if _mostly_unique(distinct, len(present), rows):
        return _Plan(name, "identifier", missing, distinct, None, "dropped (unique text)")
    counts = Counter(present)
    if distinct <= max_levels:
        step = ColumnStep(name, "categorical", levels=tuple(sorted(counts)))
        return _Plan(name, "categorical", missing, distinct, step, f"one-hot, {distinct} levels")
    top = tuple(level for level, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_LEVELS])
    frequencies = {level_key(level): n / rows for level, n in counts.items()}
    step = ColumnStep(name, "high_cardinality", levels=top, frequencies=frequencies)
    action = f"frequency encoded ({distinct} levels) + one-hot of the {len(top)} most frequent"
    return _Plan(name, "high_cardinality", missing, distinct, step, action)


def _mostly_unique(distinct: int, present: int, rows: int) -> bool:
    return present >= MIN_ID_ROWS and distinct >= UNIQUE_SHARE * rows


def _boolean(name: str) -> ColumnStep:
    return ColumnStep(name, "boolean", true_values=TRUE_WORDS, false_values=FALSE_WORDS)


def _is_boolean_words(present: list[str]) -> bool:
    words = {t.lower() for t in present}
    return len(words) == 2 and len(words & set(TRUE_WORDS)) == 1 and len(words & set(FALSE_WORDS)) == 1


def _date_format(present: list[str]) -> str | None:
    """The first format in which at least 95 % of the non-missing values parse, else None."""
    if not present or sum(1 for t in present if _FOUR_DIGITS.match(t)) < PARSE_SHARE * len(present):
        return None
    counts = Counter(present)
    levels = list(counts)
    weights = np.array([counts[level] for level in levels], dtype=np.float64)
    for fmt in DATE_FORMATS:
        candidates: list[str | None] = list(levels)
        if fmt == ISO:  # ISO only for datetimes: plain dates are caught by "%Y-%m-%d" first
            candidates = [t if _ISO_DATETIME.match(t) else None for t in levels]
        parsed = _parse_dates(candidates, fmt)
        if weights[parsed.notna().to_numpy()].sum() >= PARSE_SHARE * weights.sum():
            return fmt
    return None


def _date_action(fmt: str | None) -> str:
    source = "datetime column" if fmt is None else f"dates as {fmt}"
    return f"{source} -> year, month, day of week, day, days since 1970-01-01"


def _report(plan: _Plan, ratios: Iterable[tuple[str, str]], safe: Mapping[str, str]) -> ColumnReport:
    raw = plan.step.outputs() if plan.step is not None else []
    mine = [f"{a}__per__{b}" for a, b in ratios if a == plan.name]
    action = plan.action + (f"; {len(mine)} ratio features" if mine else "")
    outputs = tuple(safe[r] for r in [*raw, *mine])
    return ColumnReport(plan.name, plan.type, plan.missing, plan.distinct, action, outputs)


def _raw_features(steps: Sequence[ColumnStep], ratios: Sequence[tuple[str, str]]) -> list[str]:
    return [*(name for s in steps for name in s.outputs()), *(f"{a}__per__{b}" for a, b in ratios)]


# --- conversion of values (the same at fit, at transform, for one row or many) -------------------------------------


def _is_typed(column: pd.Series) -> bool:
    dtype = column.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    return bool(numeric or pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype))


def _text(value: object) -> str | None:
    """One value as stripped text; None when missing. Integral numbers lose their ``.0``: 3.0 and 3 are ``"3"``."""
    if isinstance(value, str):
        text = value.strip()
        return None if len(text) <= 4 and text.lower() in NULL_WORDS else text
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_ | int | np.integer | float | np.floating):
        return _number_text(value)
    return _text(str(value))


def _number_text(value: bool | np.bool_ | int | np.integer | float | np.floating) -> str | None:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    number = float(value)
    if math.isnan(number):
        return None
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _texts(column: pd.Series) -> list[str | None]:
    return [_text(v) for v in column.astype(object).tolist()]


def _parse_number(text: str) -> float:
    """Text as a float (``1,234.5`` too); NaN when it is not a number."""
    if "_" in text:
        return math.nan
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return math.nan


def _numbers(column: pd.Series) -> tuple[FloatArray, int]:
    """Floats and the count of non-missing values that are not numbers.

    Numbers are taken as they are, text is parsed; each value on its own, so one row converts as in a batch.
    """
    if _is_typed(column) and not pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column.to_numpy(dtype=np.float64, na_value=np.nan), 0
    raw = column.astype(object).tolist()
    values = np.full(len(raw), np.nan)
    parsed: dict[str, float] = {}
    bad = 0
    for i, value in enumerate(raw):
        if isinstance(value, bool | np.bool_ | int | np.integer | float | np.floating):
            values[i] = float(value)
            continue
        text = _text(value)
        if text is None:
            continue
        if text not in parsed:
            parsed[text] = _parse_number(text)
        values[i] = parsed[text]
        bad += math.isnan(values[i])
    return values, bad


def _booleans(column: pd.Series, step: ColumnStep) -> tuple[FloatArray, int]:
    true, false = set(step.true_values), set(step.false_values)
    out = np.full(len(column), np.nan)
    bad = 0
    for i, value in enumerate(column.astype(object).tolist()):
        text = _text(value)
        word = text.lower() if text is not None else None
        if word in true:
            out[i] = 1.0
        elif word in false:
            out[i] = 0.0
        elif word is not None:
            bad += 1
    return out, bad


def _one_hot(texts: npt.NDArray[np.object_], levels: Sequence[str]) -> list[FloatArray]:
    return [(texts == level).astype(np.float64) for level in levels]


def _parse_dates(texts: Sequence[str | None], fmt: str) -> pd.Series:
    """Parse texts with one format; anything else (or out of range) is NaT. Time zones are dropped (wall time)."""
    if fmt == "%Y%m%d":
        texts = [t if t is not None and _EIGHT_DIGITS.fullmatch(t) else None for t in texts]
    elif fmt == ISO:
        matches = [_ISO_TEXT.fullmatch(t) if t is not None else None for t in texts]
        texts = [m.group(1) if m is not None else None for m in matches]
    parsed = pd.to_datetime(pd.Series(list(texts), dtype=object), format=fmt, errors="coerce")
    return pd.Series(parsed, dtype="datetime64[us]")


def _dates(column: pd.Series, fmt: str | None) -> tuple[pd.Series, int]:
    """Naive datetimes (NaT when missing or unparseable) and the count of non-missing values that did not parse."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        stamps = column.reset_index(drop=True)
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        return pd.Series(stamps, dtype="datetime64[us]"), 0
    raw = column.astype(object).tolist()
    given = [i for i, v in enumerate(raw) if isinstance(v, date | np.datetime64)]
    texts = [_text(v) for v in raw]
    for i in given:
        texts[i] = None
    parsed = _parse_dates(texts, fmt or ISO)
    for i in given:
        stamp = pd.Timestamp(cast(date, raw[i]))
        parsed.iat[i] = stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
    bad = sum(1 for t, p in zip(texts, parsed.isna().tolist(), strict=True) if t is not None and p)
    return parsed, bad


def _date_parts(stamps: pd.Series) -> list[FloatArray]:
    days = (stamps.dt.normalize() - _EPOCH).dt.days
    parts = [stamps.dt.year, stamps.dt.month, stamps.dt.day_of_week, stamps.dt.day, days]
    return [p.to_numpy(dtype=np.float64, na_value=np.nan) for p in parts]


def _apply(step: ColumnStep, column: pd.Series) -> tuple[list[FloatArray], int, int]:
    """One step on one column: its feature arrays, unparseable count, unseen-level count."""
    if step.kind == "numeric":
        values, bad = _numbers(column)
        return [values, *([np.isnan(values).astype(np.float64)] if step.missing_indicator else [])], bad, 0
    if step.kind == "boolean":
        values, bad = _booleans(column, step)
        return [values], bad, 0
    if step.kind == "date":
        stamps, bad = _dates(column, step.date_format)
        return _date_parts(stamps), bad, 0
    texts = np.array(_texts(column), dtype=object)
    if step.kind == "categorical":
        known = set(step.levels)
        return _one_hot(texts, step.levels), 0, sum(1 for t in texts if t is not None and t not in known)
    keys = [None if t is None else level_key(t) for t in texts]
    unseen = sum(1 for k in keys if k is not None and k not in step.frequencies)
    freq = np.array([np.nan if k is None else step.frequencies.get(k, 0.0) for k in keys], dtype=np.float64)
    return [freq, *_one_hot(texts, step.levels)], 0, unseen


def level_key(level: str) -> str:
    """The key a long code list's level is stored under: 16 hex digits of its sha256, never the text.

    A column of thousands of levels may hold values nobody meant to publish (a name the rules missed); the
    bundle keeps only its ten most frequent levels in clear, as feature names.

    Examples
    --------
    >>> level_key("C3130")
    '3f678e85193e54bb'

    """
    return hashlib.sha256(level.encode("utf-8")).hexdigest()[:16]


def _ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((b == 0) | np.isnan(b), np.nan, a / b)


def _positions(frame: pd.DataFrame, needed: Sequence[str]) -> dict[str, int]:
    names = [str(c) for c in frame.columns]
    lacking = [n for n in needed if n not in names]
    if lacking:
        raise ValidationError("columns", f"the table lacks column(s) the preparation needs: {', '.join(lacking)}")
    repeated = sorted({n for n in needed if names.count(n) > 1})
    if repeated:
        raise ValidationError("columns", f"repeated column names: {', '.join(repeated)}")
    return {n: names.index(n) for n in needed}


# --- reading a dict back ---------------------------------------------------------------------------------------------


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ValidationError(where, "expected an object")
    return cast(Mapping[str, object], value)


def _value(d: Mapping[str, object], key: str, where: str) -> object:
    if key not in d:
        raise ValidationError(where, f"missing {key!r}")
    return d[key]


def _str(d: Mapping[str, object], key: str, where: str) -> str:
    value = _value(d, key, where)
    if not isinstance(value, str):
        raise ValidationError(where, f"{key!r} must be a string")
    return value


def _int(d: Mapping[str, object], key: str, where: str) -> int:
    value = _value(d, key, where)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(where, f"{key!r} must be a non-negative integer")
    return value


def _list(d: Mapping[str, object], key: str, where: str) -> list[object]:
    value = _value(d, key, where)
    if not isinstance(value, list):
        raise ValidationError(where, f"{key!r} must be a list")
    return value


def _strs(d: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    values = _list(d, key, where)
    if not all(isinstance(v, str) for v in values):
        raise ValidationError(where, f"{key!r} must be a list of strings")
    return tuple(cast(list[str], values))


def _kind(value: object, allowed: Sequence[str], where: str) -> ColumnType:
    if value not in allowed:
        raise ValidationError(where, f"type {value!r} is not one of {', '.join(allowed)}")
    return cast(ColumnType, value)


def _step_from(value: object, where: str) -> ColumnStep:
    d = _mapping(value, where)
    name, kind = _str(d, "column", where), _kind(d.get("type"), KEPT_TYPES, where)
    if kind == "numeric":
        indicator = _value(d, "missing_indicator", where)
        if not isinstance(indicator, bool):
            raise ValidationError(where, "'missing_indicator' must be true or false")
        return ColumnStep(name, kind, missing_indicator=indicator)
    if kind == "boolean":
        return ColumnStep(name, kind, true_values=_strs(d, "true", where), false_values=_strs(d, "false", where))
    if kind == "categorical":
        return ColumnStep(name, kind, levels=_strs(d, "levels", where))
    if kind == "high_cardinality":
        frequencies = _mapping(_value(d, "frequencies", where), where)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in frequencies.values()):
            raise ValidationError(where, "'frequencies' must map levels to numbers")
        shares = {str(k): float(cast(float, v)) for k, v in frequencies.items()}
        return ColumnStep(name, kind, levels=_strs(d, "top", where), frequencies=shares)
    fmt = _value(d, "format", where)
    if fmt is not None and fmt not in DATE_FORMATS:
        raise ValidationError(where, f"date format {fmt!r} is not one of {', '.join(DATE_FORMATS)}")
    return ColumnStep(name, kind, date_format=fmt)


def _ratio_from(value: object, where: str) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise ValidationError(where, "a ratio is a [numerator, denominator] pair of column names")
    return str(value[0]), str(value[1])


def _report_from(value: object, where: str) -> ColumnReport:
    d = _mapping(value, where)
    missing = _value(d, "missing", where)
    if not isinstance(missing, int | float) or isinstance(missing, bool):
        raise ValidationError(where, "'missing' must be a number")
    return ColumnReport(
        name=_str(d, "name", where),
        type=_kind(d.get("type"), COLUMN_TYPES, where),
        missing=float(missing),
        distinct=_int(d, "distinct", where),
        action=_str(d, "action", where),
        outputs=_strs(d, "outputs", where),
    )
