"""Is a drift scenario's shift real? Before vs after its shift date, in its segment vs the rest, against truth.

Run: ``.venv/bin/python -m benchmarks.bench_drift --enterprises 100000 --scenario industry_downturn``
(``--shift-date``, ``--magnitude``, ``--sections``, ``--seed``, ``--universe DIR`` to reuse a generated one).

Prints one JSON object: the scenario (from the manifest); per group (segment or rest, before or after the shift)
the applications, the through-the-door bad rate (truth: would default within 12 months if funded), the fraud
share, the historical approval rate and the bad rate of the funded, and the distribution of four application-
time measures read from the tables as of each application (bureau score; VAT revenue of the last three filed
months over the three before, as a log ratio; sales invoices issued in the 90 days before; whether the phone
or device is shared with another application within 30 days); and the PSI of the bureau score (all
applications, and the segment) and of the revenue trend (segment, and the rest as a control: the trend is
seasonal) month by month against the months before the shift. Simple statistics in the benchmark: the
product's model monitoring comes later (issue 14).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from riskloop.synth.params import UniverseParams
from riskloop.synth.scenario import DEFAULT_SECTIONS, SCENARIOS, Scenario
from riskloop.synth.universe import generate_universe

MEASURES = ("bureau_score", "revenue_trend", "invoices_90d", "shared_contact")
PSI_BINS = 10


def _frame(root: Path) -> pd.DataFrame:
    """One row per application: truth flags, outcome, approval and the application-time measures."""
    con = duckdb.connect()

    def table(name: str) -> str:
        return f"read_parquet('{root / 'tables' / name}/*.parquet')"

    truth = root / "truth"
    sql = f"""
    with a as (
        select application_id, credit_code, applied_at::date as d, phone, device_id, applied_at
        from {table("applications")}
    ),
    vat as (
        select credit_code, period, filed_date, declared_revenue_cents::double as r
        from {table("tax_declarations")} where tax_type = 'VAT'
    ),
    trend as (
        select a.application_id,
          ln(nullif(sum(r) filter (where period >= date_trunc('month', d) - interval 3 month), 0) /
             nullif(sum(r) filter (where period < date_trunc('month', d) - interval 3 month), 0)) as revenue_trend
        from a join vat on vat.credit_code = a.credit_code
        where vat.filed_date <= a.d and period < date_trunc('month', d)
          and period >= date_trunc('month', d) - interval 6 month
        group by a.application_id
    ),
    inv as (
        select a.application_id, count(*) as invoices_90d
        from a join {table("invoices")} i on i.seller_code = a.credit_code
        where i.issue_date < a.d and i.issue_date >= a.d - interval 90 day
        group by a.application_id
    ),
    pairs as (
        select x.application_id, x.applied_at as t, y.applied_at as u
        from a x join a y on x.phone = y.phone and x.application_id <> y.application_id
        union all
        select x.application_id, x.applied_at, y.applied_at
        from a x join a y on x.device_id = y.device_id and x.application_id <> y.application_id
    ),
    shared as (
        select distinct application_id from pairs where abs(epoch(t) - epoch(u)) <= 30 * 86400
    )
    select a.application_id, a.d, s.after_shift, s.in_segment, s.affected, t.defaulted, t.is_fraud,
           b.score::double as bureau_score, trend.revenue_trend, coalesce(inv.invoices_90d, 0)::double as invoices_90d,
           (shared.application_id is not null)::double as shared_contact,
           l.loan_id is not null as approved
    from a
    join read_parquet('{truth / "scenario_applications.parquet"}') s using (application_id)
    join read_parquet('{truth / "applications.parquet"}') t using (application_id)
    join {table("bureau_scores")} b using (application_id)
    left join trend using (application_id)
    left join inv using (application_id)
    left join shared using (application_id)
    left join {table("loans")} l using (application_id)
    """
    return con.execute(sql).df()


def _describe(values: pd.Series) -> dict[str, float | None]:
    v = values.dropna().to_numpy(dtype=float)
    if len(v) == 0:
        return {"n": 0, "mean": None, "p10": None, "p50": None, "p90": None}
    p10, p50, p90 = np.percentile(v, [10, 50, 90])
    return {
        "n": len(v),
        "mean": round(float(v.mean()), 4),
        "p10": round(float(p10), 4),
        "p50": round(float(p50), 4),
        "p90": round(float(p90), 4),
    }


def _group(frame: pd.DataFrame) -> dict[str, Any]:
    funded = frame[frame["approved"]]
    return {
        "applications": len(frame),
        "bad_rate": round(float(frame["defaulted"].mean()), 4) if len(frame) else None,
        "fraud_share": round(float(frame["is_fraud"].mean()), 4) if len(frame) else None,
        "approval_rate": round(float(frame["approved"].mean()), 4) if len(frame) else None,
        "funded_bad_rate": round(float(funded["defaulted"].mean()), 4) if len(funded) else None,
        **{m: _describe(frame[m]) for m in MEASURES},
    }


def psi(reference: np.ndarray, actual: np.ndarray, bins: int = PSI_BINS) -> float | None:
    """Population stability index of ``actual`` against ``reference`` on the reference's quantile bins."""
    reference, actual = reference[~np.isnan(reference)], actual[~np.isnan(actual)]
    if len(reference) < bins or len(actual) == 0:
        return None
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
    expected = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=len(edges) + 1)
    observed = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1)
    e = np.maximum(expected / expected.sum(), 1e-4)
    o = np.maximum(observed / observed.sum(), 1e-4)
    return round(float(np.sum((o - e) * np.log(o / e))), 4)


def _psi_by_month(frame: pd.DataFrame) -> list[dict[str, Any]]:
    month = frame["d"].astype("datetime64[ns]").dt.to_period("M")
    before = frame[~frame["after_shift"]]
    seg_before, rest_before = before[before["in_segment"]], before[~before["in_segment"]]
    rows = []
    for m in sorted(month.unique()):
        now = frame[month == m]
        seg, rest = now[now["in_segment"]], now[~now["in_segment"]]
        rows.append(
            {
                "month": str(m),
                "applications": len(now),
                "after_shift_share": round(float(now["after_shift"].mean()), 3),
                "psi_bureau_all": psi(before["bureau_score"].to_numpy(float), now["bureau_score"].to_numpy(float)),
                "psi_bureau_segment": psi(
                    seg_before["bureau_score"].to_numpy(float), seg["bureau_score"].to_numpy(float)
                ),
                "psi_revenue_trend_segment": psi(
                    seg_before["revenue_trend"].to_numpy(float), seg["revenue_trend"].to_numpy(float)
                ),
                "psi_revenue_trend_rest": psi(
                    rest_before["revenue_trend"].to_numpy(float), rest["revenue_trend"].to_numpy(float)
                ),
            }
        )
    return rows


def measure(root: Path) -> dict[str, Any]:
    """The benchmark's report for the universe at ``root`` (it must carry a scenario)."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    frame = _frame(root)
    groups = {}
    for seg_name, seg in (("segment", True), ("rest", False)):
        for period, after in (("before", False), ("after", True)):
            part = frame[(frame["in_segment"] == seg) & (frame["after_shift"] == after)]
            groups[f"{seg_name}_{period}"] = _group(part)
    return {
        "scenario": manifest["scenario"],
        "enterprises": manifest["parameters"]["enterprises"],
        "seed": manifest["seed"],
        "generator_version": manifest["generator_version"],
        "applications": len(frame),
        "affected_applications": int(frame["affected"].sum()),
        "groups": groups,
        "psi_by_month": _psi_by_month(frame),
    }


def main() -> None:
    """Generate (or reuse) a scenario universe and print the report as one JSON object."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--scenario", choices=SCENARIOS[1:], default="industry_downturn")
    parser.add_argument("--shift-date", type=dt.date.fromisoformat)
    parser.add_argument("--magnitude", type=float, default=1.0)
    parser.add_argument("--sections", default=",".join(DEFAULT_SECTIONS))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--universe", type=Path, help="reuse (or generate into) this directory")
    args = parser.parse_args()
    scenario = Scenario(
        name=args.scenario,
        shift_date=args.shift_date,
        magnitude=args.magnitude,
        sections=tuple(args.sections.split(",")),
    )
    params = UniverseParams(enterprises=args.enterprises, seed=args.seed, scenario=scenario)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.universe or Path(tmp) / "u"
        started = time.perf_counter()
        if not (root / "manifest.json").exists():
            generate_universe(params, root, workers=2)
        generated = time.perf_counter() - started
        report = measure(root)
        report["seconds"] = {
            "generate": round(generated, 1),
            "measure": round(time.perf_counter() - started - generated, 1),
        }
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
