"""Graph at scale: build, persistence, per-application checks, 2-hop expansion, shortest path, gang detection.

Run: ``.venv/bin/python -m benchmarks.bench_graph [--enterprises 1000000] [--home WS] [--universe DIR]``
Uses an ingested workspace (``--home``; generated and ingested first when missing). Applications of the last
1 % of time are held out of the batch and checked as new arrivals. Each operation is timed next to a plain
scipy.sparse / numpy baseline doing the same operation in the same run (no normalisation, tokens, caps
or evidence). Medians and p99 over repeats; peak RSS after each stage. Writes ``benchmarks/out/graph.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, shortest_path

from riskloop.config import Settings
from riskloop.domain.clock import SystemClock
from riskloop.graph.analytics import GraphAnalytics
from riskloop.graph.build import build_graph
from riskloop.graph.gangs import detect_gangs
from riskloop.graph.kinds import NODE_CODE
from riskloop.graph.memory import EnterpriseGraph
from riskloop.graph.query import Caps, expand
from riskloop.graph.query import shortest_path as graph_path
from riskloop.graph.status import read_status
from riskloop.graph.tokens import Tokenizer
from riskloop.graph.usage import read_usage
from riskloop.io.warehouse import Warehouse, sql_literal
from riskloop.workspace import Workspace

OUT = Path(__file__).parent / "out" / "graph.json"
KEY = b"bench-graph-key-of-thirty-two-b!"
RNG = np.random.default_rng(7)


def rss_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)


def stats(samples: list[float]) -> dict[str, float]:
    a = np.array(samples) * 1e3
    return {"median_ms": round(float(np.median(a)), 4), "p99_ms": round(float(np.percentile(a, 99)), 4), "n": len(a)}


def timed(fn: Any, items: list[Any], warmup: int = 50) -> list[float]:
    for item in items[: min(warmup, len(items))]:
        fn(item)
    out = []
    gc.disable()
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - start)
    gc.enable()
    return out


def workspace(args: argparse.Namespace) -> Settings:
    home = args.home or Path(f"/tmp/riskloop-bench-graph-{args.enterprises}")
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'riskloop.db'}")
    if not (settings.warehouse / "applications").exists():
        from riskloop.synth.params import UniverseParams
        from riskloop.synth.universe import generate_universe

        universe = args.universe or Path(f"/tmp/riskloop-bench-universe-{args.enterprises}")
        if not (universe / "tables").exists():
            generate_universe(UniverseParams(enterprises=args.enterprises, seed=1), universe, workers=2)
        with Workspace.open(settings, clock=SystemClock()) as ws:
            ws.ingest(universe)
    return settings


def connect(warehouse: Path, cut: int | None) -> duckdb.DuckDBPyConnection:
    """Views over the warehouse; applications and logins from ``cut`` on are held out."""
    wh = Warehouse(warehouse)
    con = duckdb.connect()
    for name in wh.tables():
        col = {"applications": "applied_at", "login_events": "ts"}.get(name)
        where = f" WHERE {col} < to_timestamp({cut})" if col and cut is not None else ""
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({sql_literal(wh.glob(name))}){where}")
    return con


def baseline_build(con: duckdb.DuckDBPyConnection) -> tuple[float, csr_matrix, dict[str, int]]:
    """Plain pyarrow/scipy: raw identifier strings factorised together, no normalisation or tokens, one CSR."""
    start = time.perf_counter()
    queries = [
        "SELECT application_id, phone FROM applications",
        "SELECT application_id, device_id FROM applications",
        "SELECT application_id, ip FROM applications",
        "SELECT application_id, credit_code FROM applications",
        "SELECT credit_code, phone FROM enterprises",
        "SELECT credit_code, address FROM enterprises",
        "SELECT legal_rep_id, credit_code FROM enterprises",
        "SELECT person_id, credit_code FROM officers",
        "SELECT holder_id, credit_code FROM shareholders",
        "SELECT DISTINCT seller_code, buyer_code FROM invoices",
        "SELECT DISTINCT person_id, device_id FROM login_events",
    ]
    parts = [con.sql(q).to_arrow_table() for q in queries]
    ends = pa.chunked_array(
        [c for t in parts for c in t.column(0).chunks] + [c for t in parts for c in t.column(1).chunks]
    )
    encoded = pc.dictionary_encode(ends.cast(pa.string())).combine_chunks()
    codes = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    known = encoded.indices.is_valid().to_numpy(zero_copy_only=False)  # a row lacking an end (NULL) links nothing
    half = sum(t.num_rows for t in parts)
    both = known[:half] & known[half:]
    s, d = codes[:half][both], codes[half:][both]
    n = len(encoded.dictionary)
    m = coo_matrix((np.ones(2 * len(s), np.int8), (np.r_[s, d], np.r_[d, s])), shape=(n, n)).tocsr()
    seconds = time.perf_counter() - start
    wanted = pc.unique(pa.chunked_array([t.column(1) for t in parts[:4]]).cast(pa.string())).drop_null()
    positions = pc.index_in(wanted, value_set=encoded.dictionary).to_pylist()
    lookup = dict(zip(wanted.to_pylist(), positions, strict=True))  # raw string -> node, as a plain dict
    return seconds, m, lookup


def main() -> None:  # noqa: PLR0915 - one linear script of measurements
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--universe", type=Path)
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--skip-persist", action="store_true", help="do not write the edges to SQLite")
    args = parser.parse_args()
    settings = workspace(args)
    tok = Tokenizer(KEY)
    full = connect(settings.warehouse, None)
    cut = int(full.sql("SELECT epoch(quantile_disc(applied_at, 0.99)) FROM applications").fetchall()[0][0])
    con = connect(settings.warehouse, cut)
    out: dict[str, Any] = {"enterprises": args.enterprises, "home": str(settings.home)}

    start = time.perf_counter()
    tables = build_graph(con, tok)
    out["build"] = {"seconds": round(time.perf_counter() - start, 2), "peak_rss_gb": rss_gb(), **tables.counts()}
    out["build"]["nodes_total"], out["build"]["edges_total"] = tables.nodes.num_rows, tables.edges.num_rows
    base_s, base_csr, raw_nodes = baseline_build(con)
    out["build"]["baseline_seconds"] = round(base_s, 2)
    print(f"build {out['build']['seconds']} s ({tables.nodes.num_rows:,} nodes, {tables.edges.num_rows:,} edges); "
          f"baseline {base_s:.1f} s; peak RSS {rss_gb()} GB", flush=True)  # fmt: skip

    if not args.skip_persist:
        scratch = Settings(home=settings.home, database_url=f"sqlite:///{settings.home / 'bench-graph.db'}")
        store = Workspace.open(scratch).graph_store()  # not the workspace's own graph
        start = time.perf_counter()
        store.write(tables, f"bench-{time.time_ns()}", SystemClock().now())
        write_s = time.perf_counter() - start
        start = time.perf_counter()
        back = store.read()
        read_s = time.perf_counter() - start
        assert back is not None
        assert back.edges.num_rows == tables.edges.num_rows
        out["persist_sqlite"] = {"write_seconds": round(write_s, 2), "read_seconds": round(read_s, 2)}
        print(f"sqlite write {write_s:.1f} s, read back {read_s:.1f} s", flush=True)
        del back

    start = time.perf_counter()
    usage, status = read_usage(con, tok), read_status(con)
    usage_s = time.perf_counter() - start
    start = time.perf_counter()
    analytics = GraphAnalytics.load(tables, usage, status, tok, as_of=cut)
    out["analytics_load"] = {"usage_seconds": round(usage_s, 2), "seconds": round(time.perf_counter() - start, 2)}
    out["analytics_load"]["peak_rss_gb"] = rss_gb()
    graph: EnterpriseGraph = analytics.graph
    print(f"usage {usage_s:.1f} s, analytics {out['analytics_load']['seconds']} s; RSS {rss_gb()} GB", flush=True)

    held = full.sql(f"SELECT * FROM applications WHERE applied_at >= to_timestamp({cut})").to_arrow_table()
    apps = held.to_pylist()[: args.repeats]
    check = timed(analytics.checks.check, apps)
    deg = np.diff(base_csr.indptr)

    def baseline_check(app: dict[str, Any]) -> int:
        total = 0
        for field in ("phone", "device_id", "ip", "address", "email", "credit_code", "applicant_id"):
            node = raw_nodes.get(str(app[field]))
            if node is not None and node < len(deg):
                total += len(base_csr.indices[base_csr.indptr[node] : base_csr.indptr[node + 1]][:200])
        return total

    slowest = [apps[i] for i in np.argsort(check)[-max(1, len(apps) // 100) :]]
    again = timed(analytics.checks.check, slowest * 3)  # noise or a slow kind of application?
    out["check"] = {
        "graph": stats(check),
        "baseline": stats(timed(baseline_check, apps)),
        "held_out": len(apps),
        "slowest_1pct_retimed": stats(again),
    }
    print(f"check {out['check']}", flush=True)

    firms = np.flatnonzero(graph.kind == NODE_CODE["enterprise"])
    starts = RNG.choice(firms, size=args.repeats).tolist()
    caps = Caps(hops=2, max_degree=200)
    two_hop = timed(lambda s: expand(graph, s, caps), starts)
    adj = csr_matrix((np.ones(len(graph.nbr), np.int8), graph.nbr, graph.indptr), shape=(graph.n_nodes,) * 2)

    def baseline_two_hop(s: int) -> int:
        first = adj.indices[adj.indptr[s] : adj.indptr[s + 1]][:200]
        return len(
            np.unique(np.concatenate([first, *[adj.indices[adj.indptr[f] : adj.indptr[f] + 200] for f in first]]))
        )

    sizes = [len(expand(graph, s, caps).nodes) for s in starts[:200]]
    out["two_hop"] = {"graph": stats(two_hop), "baseline": stats(timed(baseline_two_hop, starts)),
                      "median_nodes": float(np.median(sizes))}  # fmt: skip
    print(f"2-hop {out['two_hop']}", flush=True)

    pairs = []
    for s in starts[: args.repeats // 4]:
        t = s
        for _ in range(3):
            nbr, _ = graph.neighbors(t, limit=50)
            if len(nbr):
                t = int(RNG.choice(nbr))
        pairs.append((s, t))
    path_t = timed(lambda p: graph_path(graph, p[0], p[1], max_hops=6, max_degree=200), pairs)
    base_pairs = pairs[:10]  # a whole-graph BFS each: seconds at 1M enterprises
    base_t = timed(lambda p: shortest_path(adj, unweighted=True, indices=p[0])[p[1]], base_pairs, warmup=1)
    found = sum(graph_path(graph, a, b, max_hops=6, max_degree=200) is not None for a, b in pairs[:200])
    out["shortest_path"] = {"graph": stats(path_t), "baseline_full_bfs": stats(base_t), "found_of_200": found}
    print(f"path {out['shortest_path']}", flush=True)

    start = time.perf_counter()
    gangs = detect_gangs(usage, status=status)
    gang_s = time.perf_counter() - start
    start = time.perf_counter()
    n = usage.n_apps + len(np.unique(usage.key))
    ident = np.unique(usage.key, return_inverse=True)[1]
    bip = coo_matrix((np.ones(len(ident), np.int8), (usage.app, usage.n_apps + ident)), shape=(n, n)).tocsr()
    n_comp, _ = connected_components(bip, directed=False)
    base_gang_s = time.perf_counter() - start
    out["gangs"] = {
        "seconds": round(gang_s, 2),
        "gangs": len(gangs),
        "applications": usage.n_apps,
        "baseline_components_seconds": round(base_gang_s, 2),
        "baseline_components": int(n_comp),
    }
    out["peak_rss_gb"] = rss_gb()
    print(f"gangs {out['gangs']}; peak RSS {rss_gb()} GB", flush=True)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
