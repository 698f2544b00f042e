"""Gang-detection quality per ring shape on a generated universe, scored against its ground truth.

Run: ``.venv/bin/python -m benchmarks.bench_gangs [--enterprises 100000] [--seed 5] [--universe DIR] [--warehouse DIR]``
Detection reads only the observable tables (the universe's ``tables/`` or an ingested workspace's
``warehouse/``, same Parquet layout); ``truth/`` is read afterwards, by the evaluation only. Definitions of the
figures are in ``riskloop.graph.evaluation``. Writes ``benchmarks/out/gangs.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pyarrow.parquet as pq

from riskloop.graph.evaluation import evaluate
from riskloop.graph.gangs import GangSettings, detect_gangs
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.io.warehouse import Warehouse
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

OUT = Path(__file__).parent / "out" / "gangs.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--universe", type=Path, help="existing universe (default: generate one under /tmp)")
    parser.add_argument("--warehouse", type=Path, help="read an ingested workspace warehouse instead of tables/")
    args = parser.parse_args()
    universe = args.universe or Path(f"/tmp/riskloop-bench-gangs-{args.enterprises}-{args.seed}")
    if not (universe / "truth").exists():
        generate_universe(UniverseParams(enterprises=args.enterprises, seed=args.seed), universe, workers=2)
    source = args.warehouse or universe / "tables"
    con = Warehouse(source).connect()
    started = time.perf_counter()
    usage = read_usage(con, Tokenizer(b"bench-gangs-key-of-thirty-two-b!"))
    status = read_status(con)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    gangs = detect_gangs(usage, GangSettings(), status=status)
    detect_s = time.perf_counter() - started
    members = pq.read_table(universe / "truth" / "ring_members.parquet").to_pylist()
    rings = pq.read_table(universe / "truth" / "rings.parquet").to_pylist()
    report = evaluate(
        gangs,
        {m["application_id"]: m["ring_id"] for m in members},
        {r["ring_id"]: r["shape"] for r in rings},
        usage.application_id,
    )
    result = {
        "universe": str(universe),
        "source": str(source),
        "applications": usage.n_apps,
        "settings": GangSettings().__dict__,
        "seconds": {"read_usage_and_status": round(read_s, 2), "detect": round(detect_s, 2)},
        **report,
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"{usage.n_apps:,} applications, {len(gangs)} gangs, detection {detect_s:.1f} s (read {read_s:.1f} s)")
    print(f"{'shape':<16}{'rings':>6}{'members':>8}{'mem P':>8}{'mem R':>8}{'ring P':>8}{'ring R':>8}")
    for shape, f in report["shapes"].items():
        print(
            f"{shape:<16}{f['rings']:>6}{f['members']:>8}{f['member_precision']:>8}{f['member_recall']:>8}"
            f"{f['ring_precision']:>8}{f['ring_recall']:>8}"
        )
    print(f"false-positive rate among {report['legitimate_applications']:,} legitimate applications: "
          f"{report['false_positive_rate']}")  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
