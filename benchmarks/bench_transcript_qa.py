"""Transcript QA against the planted labels: the full QA, its rules alone, and a keyword-only baseline.

Run: ``.venv/bin/python -m benchmarks.bench_transcript_qa --universe /work/data/coll100k --json``
(``--train-share`` the share of calls, by start time, before the cut; ``--seed``).

The classifier is trained on the bank's reviewed sample (``call_reviews``) of the calls started before the cut,
with only the reviews made before it; every call started after the cut is checked and compared with
``truth/call_labels``. Per issue type: precision and recall at call level (the call has the issue) and, where
truth names the turn, at turn level (this turn has this issue), for (a) the full QA (rules and classifier),
(b) the lexicon rules alone, (c) a flat keyword list matched on any speaker's raw text (no speaker, context or
negation; it cannot see a call's start time, so off hours is n/a for it) — same calls, same run. Also the
median time to check one transcript. Truth is read here only, to score.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from riskloop.collection.qa import TranscriptQA, load_qa, rules_only
from riskloop.collection.qa_train import build_calls, train_qa
from riskloop.collection.transcript import Call
from riskloop.domain.collection import ISSUE_TYPES, MISSING_DISCLOSURE, OFF_HOURS
from riskloop.errors import ValidationError

# The baseline: words a reviewer might search for, per issue, in anyone's words.
KEYWORDS = {
    "threat": ("等着", "小心", "后果自负", "找人", "好看", "上门", "不客气", "放过"),
    "insult": ("骗子", "无赖", "废物", "不要脸", "老赖", "垃圾", "滚", "蠢", "有病"),
    "third_party_disclosure": ("转告", "告诉他", "告诉她", "他欠", "她欠", "让他还", "让她还"),
    "false_legal": ("坐牢", "拘留", "判刑", "抓", "公安", "警察", "家人", "查封", "犯罪"),
    "missing_disclosure": ("录音",),  # flagged when no turn says it
}
Hits = set[tuple[str, str, int | None]]  # (call_id, issue_type, turn_no or None)


def _table(universe: Path, name: str) -> pd.DataFrame:
    return pq.read_table(universe / "tables" / name).to_pandas()


def _split(universe: Path, train_share: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    calls, turns, reviews = (_table(universe, n) for n in ("collection_calls", "call_turns", "call_reviews"))
    cut = calls["started_at"].quantile(train_share)
    before = set(calls.loc[calls["started_at"] < cut, "call_id"])
    seen = reviews[reviews["call_id"].isin(before) & (reviews["reviewed_at"] < cut)]
    return calls, turns, seen, cut


def _qa_hits(qa: TranscriptQA, calls: list[Call]) -> tuple[Hits, list[float]]:
    hits: Hits = set()
    seconds = []
    for call in calls:
        start = time.perf_counter()
        result = qa.check(call)
        seconds.append(time.perf_counter() - start)
        hits |= {(call.call_id, f.issue_type, f.turn_no) for f in result.findings if f.score >= qa.threshold}
    return hits, seconds


def _keyword_hits(calls: list[Call]) -> Hits:
    hits: Hits = set()
    for call in calls:
        for turn in call.turns:
            for issue, words in KEYWORDS.items():
                if issue != MISSING_DISCLOSURE and any(w in turn.text for w in words):
                    hits.add((call.call_id, issue, turn.turn_no))
        if not any(w in t.text for t in call.turns for w in KEYWORDS[MISSING_DISCLOSURE]):
            hits.add((call.call_id, MISSING_DISCLOSURE, None))
    return hits


def _pr(found: set[Any], truth: set[Any]) -> dict[str, Any]:
    tp = len(found & truth)
    return {
        "precision": round(tp / len(found), 4) if found else None,
        "recall": round(tp / len(truth), 4) if truth else None,
        "tp": tp,
        "fp": len(found - truth),
        "fn": len(truth - found),
    }


def _score(hits: Hits, truth: Hits, issue: str, turn_level: bool) -> dict[str, Any]:
    if turn_level:
        return _pr({h for h in hits if h[1] == issue and h[2] is not None}, {t for t in truth if t[1] == issue})
    return _pr({h[0] for h in hits if h[1] == issue}, {t[0] for t in truth if t[1] == issue})


def run(universe: Path, train_share: float, seed: int) -> dict[str, Any]:
    """Train on the reviewed calls before the cut, check every call after it, score the three systems."""
    calls, turns, seen, cut = _split(universe, train_share)
    train: dict[str, Any] = {"reviewed_calls": int(seen["call_id"].nunique()), "reviews": len(seen)}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        try:
            folder = train_qa(turns, seen, calls, Path(tmp) / "qa", seed=seed)
        except ValidationError as exc:  # too few reviews before the cut (a small universe): rules alone
            full, train["not_trained"] = rules_only(), str(exc)
        else:
            spec = json.loads((folder / "qa-model.json").read_text(encoding="utf-8"))
            full = load_qa(folder)
            train |= {"issue_types": spec["issue_types"], "out_of_fold": spec["training"]["out_of_fold"]}
        train["seconds"] = round(time.perf_counter() - start, 2)
    evaluated, skipped = build_calls(turns, calls, calls.loc[calls["started_at"] >= cut, "call_id"])
    labels = pq.read_table(universe / "truth" / "call_labels.parquet").to_pandas()
    ids = {c.call_id for c in evaluated}
    labels = labels[labels["call_id"].isin(ids)]
    truth: Hits = {
        (c, i, None if pd.isna(n) else int(n))
        for c, i, n in zip(labels["call_id"], labels["issue_type"], labels["turn_no"], strict=True)
    }
    full.check(evaluated[0])  # the first check builds jieba's dictionary: not a transcript's cost
    full_hits, full_seconds = _qa_hits(full, evaluated)
    rule_hits, rule_seconds = _qa_hits(rules_only(), evaluated)
    systems: dict[str, Callable[[], Hits]] = {
        "full": lambda: full_hits,
        "rules": lambda: rule_hits,
        "keywords": lambda: _keyword_hits(evaluated),
    }
    figures: dict[str, Any] = {}
    for name, hits_of in systems.items():
        hits = hits_of()
        per: dict[str, Any] = {}
        for issue in ISSUE_TYPES:
            na = name == "keywords" and issue == OFF_HOURS
            turn_level = issue not in (OFF_HOURS, MISSING_DISCLOSURE)
            per[issue] = {
                "call": None if na else _score(hits, truth, issue, turn_level=False),
                "turn": _score(hits, truth, issue, turn_level=True) if turn_level and not na else None,
            }
        figures[name] = per
    return {
        "universe": str(universe),
        "cut": cut.isoformat(),
        "train": train,
        "evaluated_calls": len(evaluated),
        "skipped_malformed_calls": skipped,
        "truth_labels": {i: int((labels["issue_type"] == i).sum()) for i in ISSUE_TYPES},
        "median_ms_per_transcript": {
            "full": round(1000 * statistics.median(full_seconds), 3),
            "rules": round(1000 * statistics.median(rule_seconds), 3),
        },
        "figures": figures,
    }


def _fmt(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return "n/a"
    p, r = cell["precision"], cell["recall"]
    return f"{'-' if p is None else f'{p:.2f}'}/{'-' if r is None else f'{r:.2f}'}"


def _print_table(result: dict[str, Any]) -> None:
    train = result["train"]["reviewed_calls"]
    print(f"calls checked: {result['evaluated_calls']} (after {result['cut']}); trained on {train} reviewed calls")
    print(f"median ms per transcript: {result['median_ms_per_transcript']}")
    print(f"{'issue':24} {'level':5} " + " ".join(f"{s:>11}" for s in result["figures"]) + "   (precision/recall)")
    for issue in ISSUE_TYPES:
        for level in ("call", "turn"):
            cells = [result["figures"][s][issue][level] for s in result["figures"]]
            if level == "turn" and all(c is None for c in cells):
                continue
            print(f"{issue:24} {level:5} " + " ".join(f"{_fmt(c):>11}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--universe", type=Path, default=Path("/work/data/coll100k"))
    parser.add_argument("--train-share", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run(args.universe, args.train_share, args.seed)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_table(result)


if __name__ == "__main__":
    main()
