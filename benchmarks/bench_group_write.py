"""Benchmark the group commit's writer: CPU per decision of ``record_many`` in batches, and of ``record`` alone.

Run: ``.venv/bin/python -m benchmarks.bench_group_write --home HOME [--decisions 1600] [--batch 16]``

On a copy of the workspace's SQLite database (``HOME``: a ``riskloop demo`` workspace with its graph built), the
workspace's decision pipeline decides ``--decisions`` recorded applications under new ids in process
(``Intake.prepare``, as the API route does); their entries are then stored alternately: a batch of ``--batch``
through ``SQLDecisionStore.record_many`` (the group commit's writer), then as many one by one through
``record``. The writer thread's CPU time per decision (``time.thread_time``) is what the serving worker's other
thread pays; the commit's own wait for the disk is not CPU. Prints the medians per decision and writes
``benchmarks/out/group_write.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_decide import HERE, database_copy
from riskloop.config import load_settings
from riskloop.domain.decision_record import DecisionEntry
from riskloop.service.intake import request_digest
from riskloop.testing.recorded import workspace_requests
from riskloop.workspace import Workspace

OUT = HERE / "out" / "group_write.json"


def entries(ws: Workspace, home: Path, count: int) -> list[DecisionEntry]:
    """``count`` decided entries of recorded applications under new ids, not stored yet."""
    intake = ws.intake(ws.decider(graph=ws.graph_checks("workspace")))
    stamp = time.time_ns()
    out = []
    for i, (r, _) in enumerate(workspace_requests(home, count)):
        request = dataclasses.replace(r, application_id=f"gw-{stamp}-{i}")
        made = intake.prepare(key=f"gw-{stamp}-{i}", request=request, digest=request_digest(request.to_dict()),
                              render=lambda _id, _decision: b"{}", actor="bench")  # fmt: skip
        if isinstance(made, DecisionEntry):
            out.append(made)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--decisions", type=int, default=1600)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    home = args.home.resolve()
    scratch = home / "bench"
    scratch.mkdir(exist_ok=True)
    url = database_copy(home, scratch, "group-write.db")
    settings = dataclasses.replace(load_settings(home), database_url=url)
    batched: list[float] = []
    alone: list[float] = []
    with Workspace.open(settings, migrate=False) as ws:
        made = entries(ws, home, args.decisions)
        store = ws.decision_store()
        for start in range(0, len(made) - 2 * args.batch + 1, 2 * args.batch):
            chunk = made[start : start + args.batch]
            began = time.thread_time_ns()
            if not store.record_many(chunk):
                raise SystemExit("a batch met a claim: the copy is not fresh")
            batched.append((time.thread_time_ns() - began) / len(chunk))
            for entry in made[start + args.batch : start + 2 * args.batch]:
                began = time.thread_time_ns()
                store.record(entry)
                alone.append(time.thread_time_ns() - began)
    result: dict[str, Any] = {
        "decisions": len(made),
        "batch": args.batch,
        "batched_us_per_decision": round(statistics.median(batched) / 1000, 1),
        "alone_us_per_decision": round(statistics.median(alone) / 1000, 1),
        "database": "sqlite",
        "machine": platform.platform(),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, sort_keys=True))
    print(f"writer CPU per decision: batches of {args.batch} {result['batched_us_per_decision']} µs, "
          f"one by one {result['alone_us_per_decision']} µs ({len(made)} decisions, medians)")  # fmt: skip


if __name__ == "__main__":
    main()
