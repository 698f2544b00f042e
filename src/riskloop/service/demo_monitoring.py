"""The demo's post-loan stage summarised: alerts by level and origin, lead time before default, one propagated path.

Lead time is read against the universe's ground truth (``truth/loans``: which loans default, and when), as
the other demo figures are: for each loan that defaulted within the monitored months, the first month-end run
that warned it directly at each level (or higher), and how many days before its default that was.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from riskloop.domain.alert import LEVEL_RANK, LEVEL_ZH, LEVELS, RaisedAlert
from riskloop.errors import DataSourceError
from riskloop.service.monitor import MonitorResult


def read_loan_truth(folder: Path) -> dict[str, dt.date | None]:
    """Default date of every loan of a synthetic universe (None: it does not default)."""
    path = folder / "loans.parquet"
    if not path.is_file():
        raise DataSourceError(f"{path}: ground truth not found (only synthetic universes have it)")
    rows = pq.read_table(path, columns=["loan_id", "defaulted", "default_date"]).to_pylist()
    return {r["loan_id"]: r["default_date"] if r["defaulted"] else None for r in rows}


def monitoring_summary(results: Sequence[MonitorResult], truth: dict[str, dt.date | None]) -> dict[str, Any]:
    """Alerts by level and origin, lead times of direct warnings before default, and one propagated example."""
    direct = {a.key: a for r in results for a in r.direct_alerts}
    spread = {a.key: a for r in results for a in r.propagated_alerts}
    counts = {
        origin: {lvl: n for lvl in LEVELS if (n := Counter(a.level for a in alerts.values())[lvl])}
        for origin, alerts in (("direct", direct), ("propagated", spread))
    }
    return {
        "runs": [r.as_of.isoformat() for r in results],
        "loans_on_book": results[-1].loans if results else 0,
        "alerts": counts,
        "lead_time": _lead_times(results, truth),
        "propagated_example": _example(list(spread.values())),
    }


def _lead_times(results: Sequence[MonitorResult], truth: dict[str, dt.date | None]) -> dict[str, Any]:
    """Per level (that level or higher): defaults warned >= 30/60/90 days ahead, and the median lead in days."""
    days = [r.as_of for r in results]
    first, last = (min(days), max(days)) if days else (dt.date.max, dt.date.min)
    defaults = {k: d for k, d in truth.items() if d is not None and first <= d <= last}
    out: dict[str, Any] = {"defaults_in_period": len(defaults)}
    for level in LEVELS:
        earliest: dict[str, dt.date] = {}
        for r in sorted(results, key=lambda r: r.as_of):
            for a in r.direct_alerts:
                day = defaults.get(a.loan_id or "")
                if day and r.as_of < day and LEVEL_RANK[a.level] >= LEVEL_RANK[level]:
                    earliest.setdefault(a.loan_id or "", r.as_of)
        leads = [(defaults[k] - d).days for k, d in earliest.items()]
        n = max(len(defaults), 1)
        out[level] = {
            "label": LEVEL_ZH[level],
            **{f"warned_{x}d": round(sum(v >= x for v in leads) / n, 3) for x in (30, 60, 90)},
            "median_lead_days": statistics.median(leads) if leads else None,
        }
    return out


def _example(spread: list[RaisedAlert]) -> dict[str, Any] | None:
    """The propagated alert of the highest level with the longest path (a readable chain), or None."""
    if not spread:
        return None
    best = max(spread, key=lambda a: (LEVEL_RANK[a.level], len(a.evidence.path), a.credit_code))
    return {
        "credit_code": best.credit_code,
        "level": best.level,
        "level_zh": LEVEL_ZH[best.level],
        "period": best.period,
        "source": None if best.source is None else best.source.credit_code,
        "source_signal": best.source.signal if best.source else None,
        "path": [h.to_dict() for h in best.evidence.path],
    }
