"""Planted post-loan signals against the universe's truth: how often each shows before default and otherwise.

Run: ``.venv/bin/python -m benchmarks.bench_postloan_signals [--enterprises 100000] [--out DIR]``
Prints, per signal, the share of defaulted loans showing it in the 90 days before default, the share of
performing loans showing it in their last 90 days, and its rate per 1,000 performing loan-months.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from riskloop.synth.params import UniverseParams
from riskloop.synth.signals import measure
from riskloop.synth.universe import generate_universe


def main() -> None:
    """Generate a universe and print the signal table as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp) / "u"
        params = UniverseParams(enterprises=args.enterprises, seed=args.seed)
        if not (root / "manifest.json").exists():
            generate_universe(params, root, workers=2)
        print(json.dumps(measure(root, params.as_of.isoformat()), indent=2))


if __name__ == "__main__":
    main()
