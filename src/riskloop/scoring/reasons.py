"""Reason codes: the top adverse factors of a score, grouped and worded by the versioned reason catalogue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from riskloop.errors import ValidationError
from riskloop.scoring.model import ServingEnsemble

if TYPE_CHECKING:
    import pandas as pd

CATALOG_FILE = "reason_catalog.json"


@dataclass(frozen=True)
class Reason:
    """One adverse factor: catalogue ``code``, the source and the strongest feature behind it, its text.

    ``impact`` is the factor's share of the fused log-odds of bad (higher = more adverse); ``text`` is
    English and ``text_zh`` Chinese, both from the catalogue.
    """

    code: str
    source: str
    feature: str
    text: str
    impact: float
    text_zh: str = ""


@dataclass(frozen=True)
class _Entry:
    code: str
    source: str
    en: str
    zh: str


class ReasonCatalog:
    """Codes and texts per feature, from the catalogue JSON (``version``, ``codes``, templates).

    Examples
    --------
    >>> catalog = ReasonCatalog.default()
    >>> catalog.entry("risk", "risk_dishonest_listed").code
    'RSK_DISHONEST'

    """

    def __init__(self, data: dict[str, Any]) -> None:
        try:
            self.version = str(data["version"])
            self._by_feature = {
                f: _Entry(c["code"], c["source"], c["en"], c["zh"]) for c in data["codes"] for f in c["features"]
            }
            self._templates: dict[str, dict[str, str]] = {
                k: data[k] for k in ("missing_source", "missing_input", "fallback")
            }
        except (KeyError, TypeError) as exc:
            raise ValidationError("reason catalogue", f"malformed ({exc!r})") from None
        self.data = data

    @classmethod
    def default(cls) -> ReasonCatalog:
        """The catalogue shipped with riskloop."""
        return cls(json.loads(resources.files("riskloop.scoring").joinpath(CATALOG_FILE).read_text("utf-8")))

    @classmethod
    def from_file(cls, path: Path) -> ReasonCatalog:
        """A catalogue from a JSON file."""
        return cls(json.loads(path.read_text("utf-8")))

    def _template(self, kind: str, source: str, feature: str) -> _Entry:
        t = self._templates[kind]
        fill = {"SOURCE": source.upper(), "FEATURE": feature.upper(), "source": source, "feature": feature}
        return _Entry(t["code"].format(**fill), source, t["en"].format(**fill), t["zh"].format(**fill))

    def entry(self, source: str, feature: str) -> _Entry:
        """Catalogue entry of a feature; ``feature == ""`` is the source being missing."""
        if source == "direct" and feature.startswith("missing:"):
            return self._template("missing_input", source, feature.removeprefix("missing:"))
        if not feature:
            return self._template("missing_source", source, feature)
        found = self._by_feature.get(feature)
        return found if found is not None else self._template("fallback", source, feature)


def explain(model: ServingEnsemble, frame: pd.DataFrame, catalog: ReasonCatalog, top_k: int = 4) -> list[list[Reason]]:
    """Top ``top_k`` adverse reasons per row: impacts summed per catalogue code, strongest first.

    Every row gets at least one reason: when nothing is adverse, the least favourable factor is given.

    Examples
    --------
    >>> [r.code for r in explain(model, frame.head(1), ReasonCatalog.default())[0]]  # doctest: +SKIP
    ['RSK_DISHONEST', 'TAX_LOW_GRADE', 'APP_BUREAU_SCORE']

    """
    if top_k < 1:
        raise ValidationError("top_k", f"must be at least 1, got {top_k}")
    keys, impacts = model.impacts(frame)
    entries = [catalog.entry(source, feature) for source, feature in keys]
    codes = list(dict.fromkeys(e.code for e in entries))
    column_code = np.array([codes.index(e.code) for e in entries], dtype=np.intp)
    by_code = np.zeros((impacts.shape[0], len(codes)), dtype=np.float64)
    for c in range(len(codes)):
        by_code[:, c] = impacts[:, column_code == c].sum(axis=1)
    out: list[list[Reason]] = []
    for i in range(impacts.shape[0]):
        order = np.argsort(-by_code[i], kind="stable")
        chosen = [c for c in order[:top_k] if by_code[i, c] > 0] or [int(order[0])]
        reasons = []
        for c in chosen:
            members = np.flatnonzero(column_code == c)
            top = members[np.argmax(impacts[i, members])]
            entry, (source, feature) = entries[top], keys[top]
            name = feature.removeprefix("missing:") if source == "direct" else feature
            reasons.append(Reason(entry.code, entry.source, name, entry.en, float(by_code[i, c]), entry.zh))
        out.append(reasons)
    return out
