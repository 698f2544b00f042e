"""The effect report as one HTML page: funnel, vintage curves, expected against realised loss (inline SVG).

No scripts, no CDN, charts drawn with matplotlib's object API as the validation report's are. Imported by the
command line only: the serving path (API, workspace) never loads matplotlib.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any, cast

from matplotlib.figure import Figure

from riskloop.monitoring.effect import FUNNEL_GROUPS, STAGES

PALETTE = ("#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f", "#2c7c5b", "#b65708")
RC = {"svg.fonttype": "none", "svg.hashsalt": "riskloop", "font.size": 9.0}
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
STAGE_ZH = {"applied": "申请", "decided": "决策", "approved": "批准", "drawn": "放款", "repaid": "结清",
            "defaulted": "违约"}  # fmt: skip
GROUP_ZH = {"channel": "渠道 channel", "tier": "决策档位 tier", "strategy": "策略版本 strategy",
            "model": "模型版本 model"}  # fmt: skip
CURVES = 12  # latest vintages drawn
STYLE = (
    "body{font-family:'PingFang SC','Microsoft YaHei',sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}.chart svg{max-width:100%;height:auto}"
    ".note{color:#8a5a00}"
)


def render_effect(report: Mapping[str, Any]) -> str:
    """The whole page for a report of ``service.effect.EffectTracker.report``."""
    funnel, loss = report["funnel"], report["loss"]
    note = report.get("note")
    body = [
        f"<h1>效果追踪 Effect tracking — as of {escape(report['as_of'])}</h1>",
        f"<p>outcomes updated to {escape(report['outcomes_updated_to'])}; {report['loans']:,} loans drawn; "
        f"LGD {report['lgd']}</p>",
        f'<p class="note">{escape(note)}</p>' if note else "",
        "<h2>漏斗 Funnel: applied → decided → approved → drawn → repaid / defaulted</h2>",
        _chart(funnel_chart(funnel["overall"])),
        *(_funnel_table(name, funnel[f"by_{name}"]) for name in FUNNEL_GROUPS),
        "<h2>账龄曲线 Vintage curves: cumulative bad rate by months on book</h2>",
        _chart(vintage_chart(report["vintages"])),
        _vintage_table(report["vintages"]),
        "<h2>预期损失与实际损失 Expected vs realised loss</h2>",
        f"<p>{escape(loss['definition'])}</p>",
        _chart(loss_chart(loss["by_vintage"])),
        *(_loss_table(name, loss[f"by_{name}"]) for name in ("decision", "vintage", "strategy", "model")),
    ]
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>效果追踪 Effect {escape(report['as_of'])}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(b for b in body if b)
        + "\n</body></html>\n"
    )


def funnel_chart(overall: Mapping[str, Any]) -> str:
    """Horizontal bars of the applications reaching each stage."""
    fig, ax = _figure(6.5, 2.6)
    counts = [overall[s] for s in STAGES]
    ax.barh(range(len(STAGES)), counts, color=PALETTE[0])
    ax.set_yticks(range(len(STAGES)), list(STAGES))
    ax.invert_yaxis()
    for y, n in enumerate(counts):
        ax.text(n, y, f" {n:,}", va="center", fontsize=8)
    ax.set_xlabel("applications")
    ax.grid(alpha=0.25, axis="x")
    return _svg(fig)


def vintage_chart(vintages: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """Cumulative bad rate against months on book, one line per disbursal month (the latest ``CURVES``)."""
    fig, ax = _figure(6.5, 3.2)
    latest = [(v, pts) for v, pts in sorted(vintages.items()) if pts][-CURVES:]
    for i, (vintage, points) in enumerate(latest):
        xs = [p["months_on_book"] for p in points]
        ax.plot(xs, [p["bad_rate"] for p in points], lw=1.2, color=PALETTE[i % len(PALETTE)], label=vintage)
    ax.set_xlabel("months on book")
    ax.set_ylabel("cumulative bad rate")
    ax.grid(alpha=0.25)
    if latest:
        ax.legend(fontsize=6.5, ncols=2, loc="upper left")
    return _svg(fig)


def loss_chart(by_vintage: Mapping[str, Mapping[str, Any]]) -> str:
    """Expected and realised loss (yuan) per disbursal month, side by side."""
    fig, ax = _figure(6.5, 3.0)
    names = sorted(by_vintage)
    xs = list(range(len(names)))
    expected = [by_vintage[n]["expected_loss_cents"] / 100 for n in names]
    realised = [by_vintage[n]["realised_loss_cents"] / 100 for n in names]
    ax.bar([x - 0.2 for x in xs], expected, width=0.4, color=PALETTE[0], label="expected (PD × LGD × principal)")
    ax.bar([x + 0.2 for x in xs], realised, width=0.4, color=PALETTE[1], label="realised (LGD × defaulted)")
    ax.set_xticks(xs, names, rotation=60, fontsize=7)
    ax.set_ylabel("yuan")
    ax.grid(alpha=0.25, axis="y")
    ax.legend(fontsize=7)
    return _svg(fig)


def _funnel_table(name: str, groups: Mapping[str, Mapping[str, Any]]) -> str:
    head = [GROUP_ZH[name], *(f"{STAGE_ZH[s]} {s}" for s in STAGES), "在审 in review", "approval", "default"]
    rows = [
        [escape(key), *(_int(g[s]) for s in STAGES), _int(g["in_review"]), *map(_pct, _rates(g))]
        for key, g in groups.items()
    ]
    return f"<h3>按{GROUP_ZH[name]}</h3>" + _table(head, rows)


def _rates(group: Mapping[str, Any]) -> tuple[Any, Any]:
    return group["approval_rate"], group["default_rate"]


def _vintage_table(vintages: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    marks = (3, 6, 12)
    rows = []
    for vintage, points in sorted(vintages.items()):
        at = {p["months_on_book"]: p for p in points}
        cells = [f"{_pct(at[m]['bad_rate'])} ({at[m]['matured']:,})" if m in at else "—" for m in marks]
        rows.append([escape(vintage), *cells])
    return _table(["放款月 vintage", *(f"bad by {m} months (matured)" for m in marks)], rows)


def _loss_table(name: str, groups: Mapping[str, Mapping[str, Any]]) -> str:
    head = [name, "loans", "principal ¥", "expected ¥", "defaulted", "realised ¥", "12m: loans", "expected ¥",
            "bad", "realised ¥"]  # fmt: skip
    rows = []
    for key, g in groups.items():
        m = g["matured_12m"]
        rows.append([escape(key), _int(g["loans"]), _yuan(g["principal_cents"]), _yuan(g["expected_loss_cents"]),
                     _int(g["defaulted"]), _yuan(g["realised_loss_cents"]), _int(m["loans"]),
                     _yuan(m["expected_loss_cents"]), _int(m["bad"]), _yuan(m["realised_loss_cents"])])  # fmt: skip
    return f"<h3>by {name}</h3>" + _table(head, rows)


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    top = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{c}</td>' if c[:1].isdigit() or c == "—" else f"<td>{c}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>"


def _chart(svg: str) -> str:
    return f'<div class="chart">{svg}</div>'


def _int(value: Any) -> str:
    return f"{int(value):,}"


def _yuan(cents: Any) -> str:
    return f"{int(cents) / 100:,.0f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * float(value):.2f}%"


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    with _rc():
        fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots()


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with _rc():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = _METADATA.sub("", buffer.getvalue())
    return text[text.index("<svg") :]


def _rc() -> Any:
    import matplotlib

    return matplotlib.rc_context(cast(Any, RC))
