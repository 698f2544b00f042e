"""Charts of the validation report as inline SVG (matplotlib, object API, no display, no network)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any, cast

from matplotlib.axes import Axes
from matplotlib.figure import Figure

PALETTE = ("#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#7f7f7f", "#2c7c5b", "#b65708")
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
RC = {"svg.fonttype": "none", "svg.hashsalt": "riskloop", "font.size": 9.0}


def roc_chart(splits: Mapping[str, Any]) -> str:
    """ROC curves of the fused model and the best sub-models, one panel per split."""
    parts = [(n, s) for n, s in splits.items() if "roc" in s]
    fig, axes = _grid(len(parts))
    for ax, (name, split) in zip(axes, parts, strict=False):
        for i, (model, pts) in enumerate(split["roc"].items()):
            auc = split["models"][model]["auc"]
            width = 2.2 if model == "fused" else 1.0
            ax.plot(pts["fpr"], pts["tpr"], lw=width, color=PALETTE[i % len(PALETTE)], label=f"{model} {auc:.3f}")
        ax.plot([0, 1], [0, 1], ls=":", color="#999999", lw=0.8)
        _label(ax, f"ROC — {name}", "false positive rate", "true positive rate")
        ax.legend(fontsize=6.5, loc="lower right")
    return _svg(fig)


def ks_chart(splits: Mapping[str, Any]) -> str:
    """Cumulative bad and good shares against the share of rows taken riskiest first; KS marked."""
    parts = [(n, s) for n, s in splits.items() if "ks_curve" in s]
    fig, axes = _grid(len(parts))
    for ax, (name, split) in zip(axes, parts, strict=False):
        curve = split["ks_curve"]
        gaps = [b - g for b, g in zip(curve["bad"], curve["good"], strict=True)]
        at = max(range(len(gaps)), key=gaps.__getitem__)
        ax.plot(curve["share"], curve["bad"], color=PALETTE[1], label="bads")
        ax.plot(curve["share"], curve["good"], color=PALETTE[0], label="goods")
        ax.vlines(curve["share"][at], curve["good"][at], curve["bad"][at], color="black", lw=1.2)
        _label(ax, f"KS {split['models']['fused']['ks']:.3f} — {name}", "share of rows (riskiest first)", "cum. share")
        ax.legend(fontsize=7, loc="lower right")
    return _svg(fig)


def calibration_chart(splits: Mapping[str, Any]) -> str:
    """Observed against predicted bad rate per decile of predicted PD."""
    parts = [(n, s) for n, s in splits.items() if "calibration" in s]
    fig, axes = _grid(len(parts))
    for ax, (name, split) in zip(axes, parts, strict=False):
        rows = split["calibration"]
        pred, obs = [r["predicted"] for r in rows], [r["observed"] for r in rows]
        top = max([*pred, *obs, 1e-6]) * 1.05
        ax.plot([0, top], [0, top], ls=":", color="#999999", lw=0.8)
        ax.plot(pred, obs, marker="o", color=PALETTE[0])
        _label(ax, f"calibration — {name}", "mean predicted PD", "observed bad rate")
    return _svg(fig)


def lift_chart(splits: Mapping[str, Any]) -> str:
    """Cumulative gain curves of every split, and the lift of each decile of the first split."""
    parts = [(n, s) for n, s in splits.items() if "lift" in s]
    with _rc():
        fig = Figure(figsize=(8.4, 3.2), layout="constrained")
    gain_ax, lift_ax = fig.subplots(1, 2)
    gain_ax.plot([0, 1], [0, 1], ls=":", color="#999999", lw=0.8)
    for i, (name, split) in enumerate(parts):
        rows = split["lift"]
        gain_ax.plot([0] + [r["cum_share"] for r in rows], [0] + [r["gain"] for r in rows], marker=".", label=name)
        gain_ax.lines[-1].set_color(PALETTE[i % len(PALETTE)])
    _label(gain_ax, "cumulative gain", "share of rows (riskiest first)", "share of bads captured")
    gain_ax.legend(fontsize=7, loc="lower right")
    if parts:
        name, split = parts[-1]
        rows = split["lift"]
        lift_ax.bar([int(r["bin"]) for r in rows], [r["lift"] for r in rows], color=PALETTE[0])
        lift_ax.axhline(1.0, ls=":", color="#999999")
        _label(lift_ax, f"lift by decile — {name}", "decile (1 = riskiest)", "bad rate / overall")
    return _svg(fig)


def psi_chart(psi: Mapping[str, Any], top: int = 20) -> str:
    """Horizontal PSI bars: the score, then the ``top`` most shifted features, per compared split."""
    features: Mapping[str, Mapping[str, float]] = psi.get("features", {})
    names = list(psi.get("score", {}))
    with _rc():
        fig = Figure(
            figsize=(8.4, 1.0 + 0.2 * (min(top, max(map(len, features.values()), default=0)) + 1)), layout="constrained"
        )
    axes = fig.subplots(1, max(len(names), 1), squeeze=False)[0]
    for ax, name in zip(axes, names, strict=False):
        items = [("SCORE", float(psi["score"][name])), *list(features.get(name, {}).items())[:top]]
        labels, values = [k for k, _ in items][::-1], [v for _, v in items][::-1]
        colors = [PALETTE[1] if v >= 0.25 else PALETTE[5] if v >= 0.1 else PALETTE[2] for v in values]
        ax.barh(range(len(values)), values, color=colors)
        ax.set_yticks(range(len(values)), labels, fontsize=6.5)
        for line in (0.1, 0.25):
            ax.axvline(line, ls=":", color="#999999", lw=0.8)
        _label(ax, f"PSI {psi['reference']} → {name}", "PSI", "")
    return _svg(fig)


def auc_chart(splits: Mapping[str, Any], top: int = 12) -> str:
    """AUC of the fused model and the best sub-models in each split."""
    names = list(splits)
    fig, axes = _grid(len(names))
    for ax, name in zip(axes, names, strict=False):
        models = splits[name]["models"]
        ranked = sorted(models, key=lambda k: -(models[k]["auc"] or 0.0))[:top][::-1]
        values = [models[k]["auc"] or 0.0 for k in ranked]
        ax.barh(range(len(ranked)), values, color=[PALETTE[1] if k == "fused" else PALETTE[0] for k in ranked])
        ax.set_yticks(range(len(ranked)), ranked, fontsize=6.5)
        ax.set_xlim(min([*values, 0.5]) - 0.02, 1.0)
        _label(ax, f"AUC — {name}", "AUC", "")
    return _svg(fig)


def _grid(panels: int) -> tuple[Figure, list[Axes]]:
    count = max(panels, 1)
    with _rc():
        fig = Figure(figsize=(2.9 * count + 0.4, 3.0), layout="constrained")
    axes = list(fig.subplots(1, count, squeeze=False)[0])
    return fig, axes


def _label(ax: Axes, title: str, x: str, y: str) -> None:
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.grid(alpha=0.25)


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with _rc():
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = _METADATA.sub("", text)
    return text[text.index("<svg") :]


def _rc() -> Any:
    import matplotlib

    return matplotlib.rc_context(cast(Any, RC))
