"""The warning policy: a JDM decision graph (run by zen-engine) from post-loan signals to a level 预警/关注/提示.

The graph has three nodes. ``parameters`` (first hit) gives the coefficients of an enterprise's industry
(GB/T 4754 section) and kind: thresholds of flow and revenue signals are multiplied by ``coef.flow``, of bureau
signals by ``coef.bureau``. ``rules`` (collect) fires every rule whose conditions hold and outputs its signal,
level, threshold and coefficient. ``verdict`` keeps the highest level. The reference policy is built here from
``REFERENCE_RULES`` and shipped as ``rules/strategies/warning-reference-v1.json``; version 2
(``reviewed_rules()``: levels reviewed on a training period, and rules on the behaviour score
``behaviour_pd``) as ``warning-reference-v2.json`` (a test checks both agree);
a bank's own versions go through the strategy lifecycle (draft → submitted → approved → active, four eyes).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from riskloop.monitoring.signals import SIGNAL_NAMES

POLICY_NAME = "warning-reference"
POLICY_VERSION = 1
POLICY_V2 = 2
SCORE_INPUTS = ("behaviour_pd",)  # model scores the policy reads beside the signals (empty: no active model)
NONE = "none"
RANKS = {"warning": 3, "attention": 2, "notice": 1}
LEVEL_OF_RANK = {3: "warning", 2: "attention", 1: "notice", 0: NONE}
# Everything of a signals row the policy reads (``policy_context``): its verdict depends on these and its content.
CONTEXT_COLUMNS = (*SIGNAL_NAMES, *SCORE_INPUTS, "industry_section", "enterprise_kind")


@dataclass(frozen=True)
class Coefficients:
    """Threshold multipliers for one industry/kind segment (first match wins; empty = any)."""

    rule: str
    kind: str  # "company", "individual_business" or "" for any
    sections: str  # section letters, e.g. "AHR", or "" for any
    flow: float
    bureau: float
    why: str


@dataclass(frozen=True)
class WarningRule:
    """One rule: when every ``(signal, base threshold, coefficient name)`` condition holds, ``level`` fires."""

    rule: str
    level: str
    signal: str
    conditions: tuple[tuple[str, float, str], ...]  # (signal, base threshold, "flow" | "bureau" | "")
    why: str


REFERENCE_COEFFICIENTS: tuple[Coefficients, ...] = (
    Coefficients(
        "K1", "individual_business", "", 1.2, 1.0, "个体工商户流水波动大 individual businesses' flows swing more"
    ),
    Coefficients("K2", "company", "AHR", 1.15, 1.0, "农业/住宿餐饮/文娱季节性强 seasonal sections A, H, R"),
    Coefficients("K3", "company", "F", 1.1, 1.0, "建筑业回款不均 construction is paid in lumps"),
    Coefficients("K4", "", "", 1.0, 1.0, "其他 every other enterprise"),
)

REFERENCE_RULES: tuple[WarningRule, ...] = (
    WarningRule("W1", "warning", "days_past_due", (("days_past_due", 30, ""),), "本行逾期30天以上 30+ days past due"),
    WarningRule("W2", "warning", "dishonest_listed", (("dishonest_listed", 1, ""),), "列入失信被执行人 dishonest list"),
    WarningRule("W3", "warning", "new_enforcements", (("new_enforcements", 1, ""),), "新增被执行 new enforcement"),
    WarningRule(
        "W4",
        "warning",
        "inflow_drop",
        (("inflow_drop", 0.5, "flow"), ("invoice_amount_drop", 0.5, "flow")),
        "流入与开票同时下降 inflows and invoicing both collapse",
    ),
    WarningRule(
        "W5",
        "warning",
        "related_outflow_ratio",
        (("related_outflow_ratio", 1.0, ""),),
        "90天内向关联方转出超过一个月流入 related-party transfers above a month's inflow",
    ),
    WarningRule(
        "W6",
        "warning",
        "bureau_overdue_loans",
        (("bureau_overdue_loans", 1, ""), ("bureau_max_dpd", 30, "bureau")),
        "他行逾期30天以上 overdue 30+ days at another lender",
    ),
    WarningRule(
        "A1", "attention", "inflow_drop", (("inflow_drop", 0.6, "flow"),), "账户流入下降六成 inflows down 60 %"
    ),
    WarningRule(
        "A2",
        "attention",
        "vat_revenue_drop",
        (("vat_revenue_drop", 0.5, "flow"),),
        "增值税申报收入下降五成 VAT revenue down 50 %",
    ),
    WarningRule(
        "A3",
        "attention",
        "invoice_amount_drop",
        (("invoice_amount_drop", 0.7, "flow"),),
        "开票金额下降七成 invoicing down 70 %",
    ),
    WarningRule("A4", "attention", "days_past_due", (("days_past_due", 10, ""),), "本行逾期10天以上 10+ days past due"),
    WarningRule("A5", "attention", "equity_frozen", (("equity_frozen", 1, ""),), "股权被冻结 equity frozen"),
    WarningRule("A6", "attention", "new_lawsuits", (("new_lawsuits", 1, ""),), "新增被诉 new lawsuit as defendant"),
    WarningRule(
        "A7", "attention", "abnormal_listed", (("abnormal_listed", 1, ""),), "列入经营异常名录 abnormal-operation list"
    ),
    WarningRule(
        "A8",
        "attention",
        "bureau_new_lenders",
        (("bureau_new_lenders", 2, "bureau"),),
        "半年新增2家以上授信机构 2+ new lenders",
    ),
    WarningRule(
        "A9",
        "attention",
        "nonbank_inquiries",
        (("nonbank_inquiries", 3, "bureau"),),
        "小贷/消金查询3次以上 3+ non-bank inquiries",
    ),
    WarningRule(
        "A10",
        "attention",
        "related_outflow_ratio",
        (("related_outflow_ratio", 0.5, ""),),
        "向关联方转出超过半月流入 related-party transfers above half a month's inflow",
    ),
    WarningRule(
        "N1",
        "notice",
        "invoice_void_share",
        (("invoice_void_share", 0.2, ""),),
        "作废/红冲占比两成以上 20 %+ void or red-letter",
    ),
    WarningRule(
        "N2",
        "notice",
        "legal_rep_changes",
        (("legal_rep_changes", 1, ""),),
        "法定代表人变更 legal representative changed",
    ),
    WarningRule(
        "N3", "notice", "shareholder_changes", (("shareholder_changes", 1, ""),), "股东变更 shareholder changed"
    ),
    WarningRule("N4", "notice", "new_penalties", (("new_penalties", 1, ""),), "新增行政处罚 administrative penalty"),
    WarningRule("N5", "notice", "days_past_due", (("days_past_due", 1, ""),), "本行逾期 any days past due"),
    WarningRule(
        "N6",
        "notice",
        "net_outflow_ratio",
        (("net_outflow_ratio", 0.5, "flow"),),
        "30天净流出超过半月流入 net outflow above half a month",
    ),
    WarningRule("N7", "notice", "inflow_drop", (("inflow_drop", 0.4, "flow"),), "账户流入下降四成 inflows down 40 %"),
)


# Version 2: each rule's level reviewed on the training period of a 100k universe (month ends before 2026-01,
# outcome 90+ days past due within 6 months observed on 2026-01-01; docs/post-loan.md). A rule keeps its level
# when the share of the loan-months it fires on that turn bad meets the level's bar (warning 50 %, attention
# 10 %, notice 5 %), else it moves down to the highest level whose bar it meets, or is retired below 5 %.
# B1-B3 fire on the behaviour score; their cut-offs keep the training period's false alarms per level within
# budget (``monitoring.calibration``); ``riskloop behaviour calibrate`` proposes a bank's own as a draft.
_REVIEWED: dict[str, str | None] = {"W2": "attention", "W3": "attention", "W4": "notice", "W5": "attention",
    "W6": "attention", "A1": "notice", "A2": "notice", "A3": None, "A5": "notice", "A7": "notice", "N1": None,
    "N2": None, "N6": None}  # fmt: skip
# Calibrated on that training period (benchmarks/bench_monitoring.py --universe u100k --split 2026-01-01):
# the notice rules alone spend more than the notice budget there, so v2 has no B3.
BEHAVIOUR_CUTOFFS = {"warning": 0.083058, "attention": 0.065726}


def behaviour_rules(cutoffs: Mapping[str, float]) -> tuple[WarningRule, ...]:
    """Rules B1-B3: the behaviour PD at or above each level's cut-off raises that level."""
    why = {"warning": "行为评分高风险 high behaviour PD", "attention": "行为评分较高 elevated behaviour PD",
           "notice": "行为评分偏高 behaviour PD above normal"}  # fmt: skip
    return tuple(
        WarningRule(f"B{i}", level, "behaviour_pd", (("behaviour_pd", round(cutoffs[level], 6), ""),), why[level])
        for i, level in enumerate(("warning", "attention", "notice"), start=1)
        if level in cutoffs
    )


def reviewed_rules(cutoffs: Mapping[str, float] = BEHAVIOUR_CUTOFFS) -> tuple[WarningRule, ...]:
    """The v2 rules: v1's at their reviewed levels (retired ones left out), then the behaviour rules at ``cutoffs``."""
    kept = tuple(
        WarningRule(r.rule, level, r.signal, r.conditions, r.why)
        for r in REFERENCE_RULES
        if (level := _REVIEWED.get(r.rule, r.level)) is not None
    )
    return kept + behaviour_rules(cutoffs)


def build_policy(
    coefficients: Sequence[Coefficients] = REFERENCE_COEFFICIENTS, rules: Sequence[WarningRule] = REFERENCE_RULES
) -> str:
    """The JDM JSON of a warning policy (the reference one by default), formatted as shipped."""
    nodes = [
        {
            "id": "request",
            "type": "inputNode",
            "name": "request",
            "position": {"x": 100, "y": 100},
            "content": {"schema": ""},
        },
        _parameters_node(coefficients),
        _rules_node(rules),
        _verdict_node(),
        {
            "id": "response",
            "type": "outputNode",
            "name": "response",
            "position": {"x": 1300, "y": 100},
            "content": {"schema": ""},
        },
    ]
    chain = ["request", "parameters", "rules", "verdict", "response"]
    edges = [
        {"id": f"e{i}", "sourceId": a, "targetId": b, "type": "edge"}
        for i, (a, b) in enumerate(itertools.pairwise(chain))
    ]
    doc = {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _table(  # noqa: PLR0917 - the fields of a JDM table node
    node_id: str,
    name: str,
    x: int,
    hit: str,
    inputs: list[dict[str, str]],
    outputs: list[dict[str, str]],
    rules: list[dict[str, str]],
    output_path: str | None,
) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "decisionTableNode",
        "name": name,
        "position": {"x": x, "y": 100},
        "content": {
            "hitPolicy": hit,
            "inputs": inputs,
            "outputs": outputs,
            "rules": rules,
            "passThrough": True,
            "inputField": None,
            "outputPath": output_path,
            "executionMode": "single",
        },
    }


def _parameters_node(coefficients: Sequence[Coefficients]) -> dict[str, Any]:
    inputs = [
        {"id": "p_i0", "name": "Enterprise kind", "field": "enterprise_kind"},
        {"id": "p_i1", "name": "Industry section", "field": "industry_section"},
    ]
    outputs = [
        {"id": "p_o0", "name": "Flow coefficient", "field": "coef.flow"},
        {"id": "p_o1", "name": "Bureau coefficient", "field": "coef.bureau"},
        {"id": "p_o2", "name": "Segment rule", "field": "coef.rule"},
    ]
    rows = [
        {
            "_id": c.rule,
            "_description": c.why,
            "p_i0": f"'{c.kind}'" if c.kind else "",
            "p_i1": ", ".join(f"'{s}'" for s in c.sections),
            "p_o0": repr(c.flow),
            "p_o1": repr(c.bureau),
            "p_o2": f"'{c.rule}'",
        }
        for c in coefficients
    ]
    return _table("parameters", "parameters", 300, "first", inputs, outputs, rows, None)


def policy_inputs(rules: Sequence[WarningRule]) -> tuple[str, ...]:
    """The signals a policy's rules table reads: every signal, and the model scores its rules use."""
    used = {c[0] for r in rules for c in r.conditions}
    return SIGNAL_NAMES + tuple(n for n in SCORE_INPUTS if n in used)


def _rules_node(rules: Sequence[WarningRule]) -> dict[str, Any]:
    names = policy_inputs(rules)
    inputs = [{"id": f"r_{name}", "name": name, "field": f"signals.{name}"} for name in names]
    outputs = [
        {"id": "r_o0", "name": "Rule", "field": "rule"},
        {"id": "r_o1", "name": "Level", "field": "level"},
        {"id": "r_o2", "name": "Rank", "field": "rank"},
        {"id": "r_o3", "name": "Signal", "field": "signal"},
        {"id": "r_o4", "name": "Threshold", "field": "threshold"},
        {"id": "r_o5", "name": "Coefficient", "field": "coefficient"},
    ]
    rows = []
    for r in rules:
        row = {"_id": r.rule, "_description": r.why} | {f"r_{name}": "" for name in names}
        for signal, base, coef in r.conditions:
            row[f"r_{signal}"] = f">= {_scaled(base, coef)}"
        signal, base, coef = next(c for c in r.conditions if c[0] == r.signal)
        row |= {
            "r_o0": f"'{r.rule}'",
            "r_o1": f"'{r.level}'",
            "r_o2": str(RANKS[r.level]),
            "r_o3": f"'{r.signal}'",
            "r_o4": _scaled(base, coef),
            "r_o5": f"coef.{coef}" if coef else "1",
        }
        rows.append(row)
    return _table("rules", "rules", 600, "collect", inputs, outputs, rows, "hits")


def _scaled(base: float, coef: str) -> str:
    return f"{base} * coef.{coef}" if coef else str(base)


def _verdict_node() -> dict[str, Any]:
    expressions = [
        {"id": "v_e0", "key": "rank", "value": "max(flatten([[0], map(hits, #.rank)]))"},
        {
            "id": "v_e1",
            "key": "level",
            "value": "$.rank == 3 ? 'warning' : $.rank == 2 ? 'attention' : $.rank == 1 ? 'notice' : 'none'",
        },
        {"id": "v_e2", "key": "fired", "value": "hits"},
        {"id": "v_e3", "key": "segment", "value": "coef.rule"},
    ]
    return {
        "id": "verdict",
        "type": "expressionNode",
        "name": "verdict",
        "position": {"x": 900, "y": 100},
        "content": {
            "expressions": expressions,
            "passThrough": False,
            "inputField": None,
            "outputPath": None,
            "executionMode": "single",
        },
    }


@dataclass(frozen=True)
class Fired:
    """One rule that fired: its signal, the signal's value, the threshold crossed and the coefficient applied."""

    rule: str
    level: str
    signal: str
    value: float | int | None
    threshold: float
    coefficient: float


@dataclass(frozen=True)
class Verdict:
    """What the policy said of one loan: the highest level (or ``none``) and every rule that fired."""

    loan_id: str
    credit_code: str
    level: str
    fired: tuple[Fired, ...]
    segment: str


def policy_context(row: Mapping[str, Any]) -> dict[str, Any]:
    """The policy's input for one signals row: ``signals``, ``industry_section`` and ``enterprise_kind``.

    It reads the row's ``CONTEXT_COLUMNS`` and nothing else.
    """
    return {
        "signals": {name: row.get(name) for name in CONTEXT_COLUMNS[: len(SIGNAL_NAMES) + len(SCORE_INPUTS)]},
        "industry_section": row.get("industry_section"),
        "enterprise_kind": row.get("enterprise_kind"),
    }


def read_verdict(row: Mapping[str, Any], result: Mapping[str, Any]) -> Verdict:
    """The verdict of one policy output (``level``, ``fired``, ``segment``) for the signals ``row``."""
    fired = tuple(
        sorted(
            (
                Fired(
                    str(h["rule"]),
                    str(h["level"]),
                    str(h["signal"]),
                    row.get(str(h["signal"])),
                    float(h["threshold"]),
                    float(h["coefficient"]),
                )
                for h in result.get("fired") or []
            ),
            key=lambda f: (-RANKS[f.level], f.rule),
        )
    )
    return Verdict(
        str(row["loan_id"]),
        str(row["credit_code"]),
        str(result.get("level", NONE)),
        fired,
        str(result.get("segment") or ""),
    )
