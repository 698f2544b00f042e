"""The model-monitoring report as one self-contained HTML page: inline SVG charts, no script, no network."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

BLUE, RED = "#1f4e79", "#c0504d"
_W, _H, _PAD = 560, 220, 36


def render_model_report(report: Mapping[str, Any]) -> str:
    """The page of a ``service.model_monitoring`` report."""
    stab, perf, mix = report["stability"], report["performance"], report["decision_mix"]
    parts = [
        f"<h1>Model monitoring — {_e(report['model'])} as of {_e(report['as_of'])}</h1>",
        f"<p>Policy {_e(report['policy'])}; window {_e(report['window']['from'])} to {_e(report['window']['to'])}"
        f" ({stab['decisions']} decisions); bad = 90+ dpd by {report['horizon_months']} months on book.</p>",
    ]
    parts.append(
        "<h2>Alerts</h2>"
        + _table(
            ["metric", "value", "rule", "level", "threshold"],
            [[c["metric"], c["value"], c["rule"], c["level"], c["threshold"]] for c in report["alerts"]["crossed"]],
        )
    )
    parts.append("<h2>Metrics</h2>" + _table(["metric", "value"], [[k, v] for k, v in report["metrics"].items()]))
    if stab.get("score"):
        s = stab["score"]
        parts.append(f"<h2>Score distribution (PSI {_f(s['psi'])})</h2>")
        parts.append(_bars(["training", "recent"], [s["expected"], s["actual"]], "score band (last: missing)"))
    if stab.get("inputs"):
        top = list(stab["inputs"].items())[:15]
        parts.append("<h2>Input PSI (largest 15)</h2>" + _hbars([n for n, _ in top], [v for _, v in top]))
        parts.append(
            "<h2>Characteristic analysis (mean per score band, training → now)</h2>"
            + _table(
                ["input", "shift", "training", "now"],
                [[n, c["shift"], _list(c["reference"]), _list(c["now"])] for n, c in stab["characteristic"].items()],
            )
        )
    vintages = perf["vintages"]
    parts.append(
        "<h2>Matured vintages</h2>"
        + _table(
            ["vintage", "loans", "bads", "AUC", "KS", "predicted", "observed"],
            [[v["vintage"], v["rows"], v["bads"], v["auc"], v["ks"], v["predicted"], v["observed"]] for v in vintages],
        )
    )
    if vintages:
        parts.append(
            _lines(
                [v["vintage"] for v in vintages],
                {"AUC": [v["auc"] for v in vintages], "KS": [v["ks"] for v in vintages]},
            )
        )
    if perf.get("calibration"):
        cal = perf["calibration"]
        parts.append("<h2>Calibration by score band (latest matured vintages)</h2>")
        parts.append(
            _bars(
                ["predicted", "observed"], [[r["predicted"] for r in cal], [r["observed"] for r in cal]], "score band"
            )
        )
    for name in ("by_tier", "by_strategy"):
        rows = [
            [k, v["decisions"], v["approval_rate"], v["straight_through_rate"], v["matured_loans"], v["bad_rate"]]
            for k, v in mix[name].items()
        ]
        parts.append(
            f"<h2>Decision mix {name.replace('_', ' ')}</h2>"
            + _table([name[3:], "decisions", "approval", "straight-through", "matured loans", "bad rate"], rows)
        )
    style = (
        "body{font:13px sans-serif;margin:24px;max-width:1000px}table{border-collapse:collapse;margin:8px 0}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#eee}"
    )
    body = "\n".join(parts)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Model monitoring</title><style>{style}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def _bars(names: Sequence[str], series: Sequence[Sequence[float | None]], label: str) -> str:
    """Grouped vertical bars, one colour per series."""
    n = max((len(s) for s in series), default=0)
    top = max((v for s in series for v in s if v is not None), default=0.0) or 1.0
    slot = (_W - 2 * _PAD) / max(n, 1)
    width = slot / (len(series) + 1)
    out = []
    for j, values in enumerate(series):
        colour = (BLUE, RED)[j % 2]
        for i, v in enumerate(values):
            h = 0.0 if v is None else (v / top) * (_H - 2 * _PAD)
            x = _PAD + i * slot + j * width
            out.append(
                f"<rect x='{x:.1f}' y='{_H - _PAD - h:.1f}' width='{width:.1f}' height='{h:.1f}' "
                f"fill='{colour}'><title>{_e(names[j])} {i + 1}: {_f(v)}</title></rect>"
            )
    legend = "".join(
        f"<text x='{_PAD + 90 * j}' y='14' fill='{(BLUE, RED)[j % 2]}'>{_e(nm)}</text>" for j, nm in enumerate(names)
    )
    axis = f"<text x='{_PAD}' y='{_H - 8}'>{_e(label)}; top {_f(top)}</text>"
    return _svg(legend + axis + "".join(out))


def _hbars(names: Sequence[str], values: Sequence[float]) -> str:
    top = max(values, default=0.0) or 1.0
    row = 16
    out = [
        f"<text x='0' y='{row * i + 12}'>{_e(n[:34])}</text><rect x='230' y='{row * i + 2}' "
        f"width='{(v / top) * (_W - 300):.1f}' height='12' fill='{RED if v >= 0.1 else BLUE}'/>"
        f"<text x='{235 + (v / top) * (_W - 300):.1f}' y='{row * i + 12}'>{_f(v)}</text>"
        for i, (n, v) in enumerate(zip(names, values, strict=True))
    ]
    return _svg("".join(out), height=row * len(names) + 8)


def _lines(labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> str:
    n = len(labels)
    step = (_W - 2 * _PAD) / max(n - 1, 1)
    out = []
    for j, (name, values) in enumerate(series.items()):
        pts = [
            f"{_PAD + i * step:.1f},{_H - _PAD - v * (_H - 2 * _PAD):.1f}"
            for i, v in enumerate(values)
            if v is not None
        ]
        colour = (BLUE, RED)[j % 2]
        out.append(f"<polyline points='{' '.join(pts)}' fill='none' stroke='{colour}' stroke-width='2'/>")
        out.append(f"<text x='{_PAD + 60 * j}' y='14' fill='{colour}'>{_e(name)}</text>")
    out.append(f"<text x='{_PAD}' y='{_H - 8}'>{_e(labels[0])} … {_e(labels[-1])} (0 to 1)</text>")
    return _svg("".join(out))


def _svg(inner: str, height: int = _H) -> str:
    return f"<svg xmlns='http://www.w3.org/2000/svg' width='{_W}' height='{height}' font-size='10'>{inner}</svg>"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    if not rows:
        return "<p>none</p>"
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def _cell(value: Any) -> str:
    return _f(value) if isinstance(value, float) else _e(value)


def _list(values: Sequence[float | None]) -> str:
    return " ".join(_f(v) for v in values)


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _e(value: Any) -> str:
    return html.escape("–" if value is None else str(value))
