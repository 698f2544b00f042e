"""How open-ended the transcripts' phrasing is: distinct surface forms and families, seen and unseen in review.

Run: ``.venv/bin/python -m benchmarks.bench_transcript_phrasing --universe /work/data/coll100k-v2 --json``

Per planted issue type (turn-level ones) and per hard-negative kind: the turns planted, their distinct texts, the
families, and against the bank's reviewed calls (``call_reviews``, what a QA is trained on) the share of the other
calls' turns whose exact text occurs in a reviewed call (what memorising could catch) and whose family never
occurs in one (what only generalisation can catch). Also how many texts each grammar can write before slots and
noise. Reads truth: evaluation code only. It scores no QA.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from riskloop.synth.phrasing import surface_forms
from riskloop.synth.transcripts import GRAMMARS


def _read(root: Path, *parts: str) -> pd.DataFrame:
    return pq.read_table(root.joinpath(*parts)).to_pandas()


def _figures(said: pd.DataFrame, key: str, reviewed: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, group in said.groupby(key):
        seen = group.call_id.isin(reviewed)
        train, rest = group[seen], group[~seen]
        out[str(name)] = {
            "turns": len(group),
            "distinct_texts": int(group.text.nunique()),
            "families": int(group.family.nunique()),
            "reviewed_turns": len(train),
            "other_turns_text_seen_in_review": round(float(rest.text.isin(set(train.text)).mean()), 4),
            "other_turns_family_unseen_in_review": round(float((~rest.family.isin(set(train.family))).mean()), 4),
        }
    return out


def measure(root: Path) -> dict[str, Any]:
    """The figures of the universe at ``root``."""
    turns = _read(root, "tables", "call_turns")[["call_id", "turn_no", "text"]]
    reviewed = set(_read(root, "tables", "call_reviews").call_id)
    labels = _read(root, "truth", "call_labels.parquet").dropna(subset=["turn_no"]).astype({"turn_no": "int64"})
    negatives = _read(root, "truth", "call_hard_negatives.parquet")
    return {
        "universe": str(root),
        "reviewed_calls": len(reviewed),
        "issues": _figures(labels.merge(turns, on=["call_id", "turn_no"]), "issue_type", reviewed),
        "hard_negatives": _figures(negatives.merge(turns, on=["call_id", "turn_no"]), "kind", reviewed),
        "grammar_surface_forms": {k: surface_forms(g) for k, g in GRAMMARS.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--universe", type=Path, default=Path("/work/data/coll100k-v2"))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = measure(args.universe)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    for section in ("issues", "hard_negatives"):
        print(section)
        for name, f in figures[section].items():
            print(f"  {name:24} " + " ".join(f"{k}={v}" for k, v in f.items()))
    print("grammar surface forms", figures["grammar_surface_forms"])


if __name__ == "__main__":
    main()
