"""The validation report as one self-contained HTML page: tables, inline SVG charts, no scripts, no network."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from riskloop.modeling import report_charts as charts

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0;font-size:12.5px}td,th{border:1px solid #ddd;padding:3px 8px}
th{background:#f4f6f8;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.chart svg{max-width:100%;height:auto}.muted{color:#777}.good{color:#2c7c5b}.bad{color:#c0504d}
"""


def render_html(report: Mapping[str, Any]) -> str:
    """The whole page for a report built by :func:`riskloop.modeling.report.build_report`."""
    meta, splits, psi = report.get("meta", {}), report["splits"], report.get("psi", {})
    body = [
        f"<h1>Model validation report — {escape(str(meta.get('name', 'model')))}</h1>",
        _table(["field", "value"], [[escape(str(k)), escape(_short(v))] for k, v in meta.items()]),
        "<h2>Summary: fused model and gain over the best single sub-model</h2>",
        _summary(splits),
        "<h2>Discrimination by model (AUC, KS, Gini)</h2>",
        _chart(charts.auc_chart(splits)),
        *(_models(name, split) for name, split in splits.items()),
        "<h2>ROC curves</h2>",
        _chart(charts.roc_chart(splits)),
        "<h2>KS plot</h2>",
        _chart(charts.ks_chart(splits)),
        "<h2>Calibration: predicted vs observed bad rate by decile of PD</h2>",
        _chart(charts.calibration_chart(splits)),
        *(_calibration(name, split) for name, split in splits.items() if "calibration" in split),
        "<h2>Lift and gain by decile (riskiest first)</h2>",
        _chart(charts.lift_chart(splits)),
        *(_lift(name, split) for name, split in splits.items() if "lift" in split),
        "<h2>Population stability (PSI)</h2>",
        _psi(psi),
        *_tuning(report.get("tuning") or {}),
        *_budget(report.get("budget")),
        *_preparation(report.get("preparation")),
        _definitions(),
    ]
    title = escape(str(meta.get("name", "model")))
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title} — validation</title>'
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _summary(splits: Mapping[str, Any]) -> str:
    rows = []
    for name, split in splits.items():
        fused, gain = split["models"]["fused"], split["ensemble_gain"]
        best = gain.get("best_sub_model")
        rows.append(
            [
                escape(name),
                _int(split["rows"]),
                _pct(split["bad_rate"]),
                _num(fused["auc"]),
                _num(fused["ks"]),
                _num(fused["gini"]),
                escape(best or "—"),
                _num(gain.get("best_auc")),
                _signed(gain.get("auc_gain")),
                _signed(gain.get("ks_gain")),
            ]
        )
    head = ["split", "rows", "bad rate", "AUC", "KS", "Gini", "best sub-model", "its AUC", "AUC gain", "KS gain"]
    return _table(head, rows)


def _models(name: str, split: Mapping[str, Any]) -> str:
    models = split["models"]
    order = ["fused", *sorted((k for k in models if k != "fused"), key=lambda k: -(models[k]["auc"] or 0.0))]
    rows = [[escape(k), _num(models[k]["auc"]), _num(models[k]["ks"]), _num(models[k]["gini"])] for k in order]
    return f"<h3>{escape(name)}</h3>" + _table(["model", "AUC", "KS", "Gini"], rows)


def _calibration(name: str, split: Mapping[str, Any]) -> str:
    rows = [
        [_int(r["bin"]), _int(r["rows"]), _int(r["bads"]), _pct(r["predicted"]), _pct(r["observed"])]
        for r in split["calibration"]
    ]
    return f"<h3>{escape(name)}</h3>" + _table(["decile", "rows", "bads", "predicted", "observed"], rows)


def _lift(name: str, split: Mapping[str, Any]) -> str:
    rows = [
        [
            _int(r["bin"]),
            _int(r["rows"]),
            _int(r["bads"]),
            _pct(r["bad_rate"]),
            _num(r["lift"], 2),
            _pct(r["gain"]),
            _num(r["cum_lift"], 2),
        ]
        for r in split["lift"]
    ]
    return f"<h3>{escape(name)}</h3>" + _table(
        ["decile", "rows", "bads", "bad rate", "lift", "gain", "cum. lift"], rows
    )


def _psi(psi: Mapping[str, Any]) -> str:
    if not psi.get("reference"):
        return f'<p class="muted">{escape(str(psi.get("note", "no PSI")))}</p>'
    parts = [_chart(charts.psi_chart(psi))]
    for name, value in psi["score"].items():
        features = psi.get("features", {}).get(name, {})
        rows = [["<b>score</b>", _psi_cell(value)]] + [[escape(k), _psi_cell(v)] for k, v in features.items()]
        parts.append(f"<h3>{escape(psi['reference'])} → {escape(name)}</h3>" + _table(["", "PSI"], rows))
    return "\n".join(parts)


def _definitions() -> str:
    items = (
        "AUC: area under the ROC curve; Gini = 2·AUC − 1; KS: largest gap between the cumulative bad and good "
        "score distributions.",
        "PSI = Σ (a<sub>i</sub> − e<sub>i</sub>)·ln(a<sub>i</sub>/e<sub>i</sub>) over the deciles of the reference "
        "(expected) distribution, missing values in a bin of their own, empty shares floored at 0.0001; "
        "&lt; 0.1 stable, 0.1–0.25 shifting, &gt; 0.25 shifted.",
        "Calibration and lift use equal-count deciles of the fused PD; gain = cumulative share of bads captured.",
        "Ensemble gain = fused figure minus that of the sub-model with the best AUC on the same split.",
    )
    return "<h2>Definitions</h2><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _tuning(tuning: Mapping[str, Any]) -> list[str]:
    """Per tuned sub-model: the settings chosen, then every trial of the search (inner out-of-fold AUC)."""
    if not tuning:
        return []
    out = ["<h2>Settings search (nested: inner folds of the training rows)</h2>"]
    for name, record in tuning.items():
        chosen = ", ".join(f"{k}={_short(v, 20)}" for k, v in record["chosen"].items())
        stop = " Stopped by the time budget." if record.get("stopped_by_budget") else ""
        noise = " The best trial's gain was within resampling noise: the untuned settings were kept."
        kept = noise if record.get("kept_untuned") else ""
        out.append(f"<p><b>{escape(name)}</b>: chosen {escape(chosen)}.{stop}{kept}</p>")
        rows = [
            [_int(t["number"]), _num(t["auc"]), _int(t["rounds"]), _num(t["seconds"], 1), escape(_short(t["params"]))]
            for t in record["trials"]
        ]
        out.append(_table(["trial", "inner AUC", "rounds", "seconds", "settings"], rows))
    return out


def _budget(budget: Mapping[str, Any] | None) -> list[str]:
    """The time budget: each ensemble fit's search window and wall time, and the run's time against the budget."""
    if not budget:
        return []
    fits = len(budget["fit_seconds"])
    rows = [
        ["final" if i == fits - 1 else f"fold {i + 1}", _num(window, 1), _num(wall, 1)]
        for i, (window, wall) in enumerate(zip(budget["search_windows"], budget["fit_seconds"], strict=False))
    ]
    over = budget["over_budget_seconds"]
    verdict = f"over it by {over:.0f} s: the fits the search cannot skip took longer." if over else "within it."
    spent = f"{budget['seconds']:.0f} s when the report was written"
    head = f"<p>Budget {budget['budget_seconds']:.0f} s; {spent}, {verdict}</p>"
    table = _table(["fit", "search s", "wall s"], rows)
    return ["<h2>Time budget (search window of each ensemble fit)</h2>", head, table]


def _preparation(prep: Mapping[str, Any] | None) -> list[str]:
    """The table's columns: inferred type, missing share, distinct values, what was done, features produced."""
    if not prep:
        return []
    rows = [
        [escape(c["name"]), escape(c["type"]), _pct(c["missing"]), _int(c["distinct"]), escape(c["action"]),
         _int(len(c["outputs"]))]
        for c in prep["per_column"]
    ]  # fmt: skip
    head = ["column", "type", "missing", "distinct", "action", "features"]
    return ["<h2>Table preparation (inferred types, fitted without the target)</h2>", _table(head, rows)]


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    top = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if _numeric(c) else f"<td>{c}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>"


def _chart(svg: str) -> str:
    return f'<div class="chart">{svg}</div>'


def _numeric(cell: str) -> bool:
    return bool(cell) and (cell[0].isdigit() or cell[0] in "+-−—" or cell.startswith('<span class="'))


def _num(value: Any, digits: int = 4) -> str:
    return "—" if value is None else f"{float(value):.{digits}f}"


def _signed(value: Any) -> str:
    if value is None:
        return "—"
    css = "good" if value > 0 else "bad" if value < 0 else "muted"
    return f'<span class="{css}">{float(value):+.4f}</span>'


def _int(value: Any) -> str:
    return f"{int(value):,}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.2f}%"


def _psi_cell(value: float) -> str:
    css = "bad" if value >= 0.25 else "muted" if value < 0.1 else ""
    return f'<span class="{css}">{value:.4f}</span>'


def _short(value: Any, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + " …"
