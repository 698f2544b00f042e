"""The console's case view: a 2-hop neighbourhood of about 2,000 nodes through the in-process API.

Run: ``.venv/bin/python -m benchmarks.bench_graph_api [--enterprises 5000] [--target 2000] [--repeats 30]``
Generates a seeded universe, loads its graph as the serving process holds it (``WorkspaceGraphChecks`` with
its view), registers its enterprises and persons (names sealed, as an ingest stores them), and times
``GET /v1/graph/enterprises/{code}/neighbourhood?hops=2`` on the enterprise whose 2-hop neighbourhood is
nearest ``--target`` nodes, as a reviewer (names masked) and as an auditor (names opened, audited). Prints
the medians, the graph work alone (expansion, flags, drawing) and how long the decisions' lock is held.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from riskloop.api.app import create_app
from riskloop.config import Settings
from riskloop.graph.explore import drawn_neighbourhood, neighbourhood
from riskloop.graph.kinds import NODE_CODE
from riskloop.graph.query import Caps, expand
from riskloop.graph.tokens import Tokenizer
from riskloop.testing.api_keys import authenticate
from riskloop.testing.clock import SteppingClock
from riskloop.testing.decider import NOW, make_decider
from riskloop.testing.graph_explorer import loaded_checks, register, universe
from riskloop.workspace import Workspace

KEY = b"bench-graph-key-of-thirty-two-b!"


def median_ms(samples: list[float]) -> float:
    return round(float(np.median(samples)) * 1e3, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=5_000)
    parser.add_argument("--target", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    tokens = Tokenizer(KEY)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world = universe(root / "u", args.enterprises)
        checks = loaded_checks(world, tokens, SteppingClock(NOW))
        assert checks.view is not None
        g = checks.view.graph
        firms = np.flatnonzero(g.kind == NODE_CODE["enterprise"])[:3000].tolist()
        sizes = {f: len(expand(g, f, Caps(hops=2, max_nodes=10**6)).nodes) for f in firms}
        start = min(sizes, key=lambda f: abs(sizes[f] - args.target))
        code = g.token[start]
        settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'db.sqlite'}")
        app = create_app(settings, decider=make_decider(clock=SteppingClock(NOW), graph=checks))
        with TestClient(app) as client:
            with Workspace.open(settings, migrate=False) as ws:
                register(ws.engine, world, tokens, ws.sealer())
            people = authenticate(client)
            url = f"/v1/graph/enterprises/{code}/neighbourhood"
            out: dict[str, object] = {"enterprises": args.enterprises, "credit_code": code}
            for who, role in (("cat", "reviewer"), ("dan", "auditor")):
                samples = []
                for _ in range(args.repeats + 3):
                    began = time.perf_counter()
                    r = people[who].get(url, params={"hops": 2, "limit": 5000})
                    samples.append(time.perf_counter() - began)
                    assert r.status_code == 200, r.text
                body = r.json()
                out[f"{role}_median_ms"] = median_ms(samples[3:])
                out["nodes"], out["edges"], out["capped"] = len(body["nodes"]), len(body["edges"]), body["capped"]
            graph_only, locked = [], []
            for _ in range(args.repeats):
                began = time.perf_counter()
                with checks.reading() as view:
                    assert view is not None
                    sub = neighbourhood(view, start, 2, 5000)
                locked.append(time.perf_counter() - began)
                drawn_neighbourhood(view, sub, 2, int(NOW.timestamp()))
                graph_only.append(time.perf_counter() - began)
            out["lock_held_median_ms"] = median_ms(locked)
            out["graph_work_median_ms"] = median_ms(graph_only)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
