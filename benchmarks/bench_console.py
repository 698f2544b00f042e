"""Benchmark the console in Debian's Chromium on loopback: bundle size, first load, the case view's time to interactive.

Run: ``.venv/bin/python -m benchmarks.bench_console --home bench-home/console [--build] [--runs 7]``
(``--build`` first runs ``riskloop demo`` into ``--home``; ``make console`` must have built the app).

- **Bundle**: gzip (level 6, as a web server sends it) of the JavaScript and CSS the sign-in page loads, of what the
  signed-in home adds, and of every chunk (pages load their own chunks on first visit).
- **First load**: a cold browser context (empty cache) opening ``/console/`` until the sign-in form is visible, and
  signed in (key kept for the tab) until the home page's heading is; the baseline, in the same run, is the API's
  own ``/docs`` page (Swagger UI, also served from local files) until its operations are drawn.
- **Case view**: navigation to ``/console/reviews/<id>`` of the open review whose applicant has the largest 2-hop
  neighbourhood, until the page marks ``case-interactive`` (graph laid out, actions usable); the node count is
  reported with it.

Medians over ``--runs`` cold loads; ratios to the baseline are of the same run. Writes ``benchmarks/out/console.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright
from typer.testing import CliRunner

from riskloop.api.console import BUILD
from riskloop.cli.main import app
from riskloop.testing.console import VIEWPORT, ConsoleServer, launch, serve

OUT = Path(__file__).parent / "out" / "console.json"
STORE_KEY = "riskloop.key"
PAGE_LIMIT = 2000  # the most nodes the case view asks for (console/src/components/graph/graphApi.ts)


def _gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def bundle_sizes(urls: list[str]) -> dict[str, Any]:
    """Gzipped bytes of the assets at ``urls`` (as loaded by the page) and of every built asset."""
    loaded = {BUILD / u.split("/console/", 1)[1] for u in urls if "/console/assets/" in u}
    every = sorted((BUILD / "assets").glob("*.*"))
    code = [p for p in every if p.suffix in (".js", ".css")]
    return {
        "loaded_files": len(loaded),
        "loaded_gzip_kb": round(sum(_gz(p) for p in loaded) / 1024, 1),
        "all_js_css_gzip_kb": round(sum(_gz(p) for p in code) / 1024, 1),
        "largest_chunks_gzip_kb": {p.name: round(_gz(p) / 1024, 1) for p in sorted(code, key=_gz)[-5:]},
    }


def _timed(
    browser: Browser, url: str, ready: Callable[[Page], None], init: str | None = None
) -> tuple[float, list[str]]:
    """Milliseconds from navigation until ``ready`` returns, in a cold context; the asset URLs it loaded."""
    context = browser.new_context(viewport=VIEWPORT)
    if init:
        context.add_init_script(init)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    started = time.perf_counter()
    page.goto(url)
    ready(page)
    elapsed = (time.perf_counter() - started) * 1000
    context.close()
    return elapsed, urls


def _signed_in_script(secret: str) -> str:
    return f"window.sessionStorage.setItem({json.dumps(STORE_KEY)}, {json.dumps(secret)});"


def _largest_case(server: ConsoleServer) -> tuple[str, float] | None:
    """The open review whose applicant's 2-hop neighbourhood is largest, and its node count."""
    with server.client(server.keys["reviewer"]) as api:
        queue = api.get("/v1/reviews").json()["reviews"]
        best: tuple[str, float] | None = None
        for item in queue:
            case = api.get(f"/v1/reviews/{item['decision_id']}").json()
            code = case["data"]["application"].get("credit_code")
            if not code:
                continue
            hood = api.get(f"/v1/graph/enterprises/{code}/neighbourhood", params={"hops": 2, "limit": PAGE_LIMIT})
            if hood.status_code != 200:
                continue
            size = len(hood.json()["nodes"]) + len(hood.json()["edges"]) / 1e6  # ties: more edges
            if best is None or size > best[1]:
                best = (str(item["decision_id"]), size)
        return best


def measure(server: ConsoleServer, browser: Browser, runs: int) -> dict[str, Any]:
    """Every figure of the module docstring, medians over ``runs``."""
    base = server.url
    secret = server.keys["reviewer"]
    sign_in: list[float] = []
    home: list[float] = []
    docs: list[float] = []
    urls_sign_in: list[str] = []
    urls_home: list[str] = []
    for _ in range(runs):
        ms, urls_sign_in = _timed(browser, f"{base}/console/", lambda p: p.locator("input[type=password]").wait_for())
        sign_in.append(ms)
        heading = lambda p: p.get_by_role("heading", level=2).wait_for()  # noqa: E731
        ms, urls_home = _timed(browser, f"{base}/console/", heading, _signed_in_script(secret))
        home.append(ms)
        ms, _ = _timed(browser, f"{base}/docs", lambda p: p.locator(".swagger-ui .opblock").first.wait_for())
        docs.append(ms)
    result: dict[str, Any] = {
        "runs": runs,
        "bundle_sign_in": bundle_sizes(urls_sign_in),
        "bundle_home": bundle_sizes(urls_home),
        "first_load_ms": {
            "sign_in_median": round(statistics.median(sign_in), 1),
            "signed_in_home_median": round(statistics.median(home), 1),
            "docs_baseline_median": round(statistics.median(docs), 1),
        },
    }
    result["first_load_ms"]["sign_in_over_docs"] = round(statistics.median(sign_in) / statistics.median(docs), 2)
    result["first_load_ms"]["home_over_docs"] = round(statistics.median(home) / statistics.median(docs), 2)
    result["case_view"] = _case_view(server, browser, runs, secret)
    return result


def _case_view(server: ConsoleServer, browser: Browser, runs: int, secret: str) -> dict[str, Any]:
    case = _largest_case(server)
    if case is None:
        return {"skipped": "no open review with a graph neighbourhood"}
    decision_id, nodes = case
    url = f"{server.url}/console/reviews/{decision_id}"
    mark = "performance.getEntriesByName('case-interactive').length > 0"
    times: list[float] = []
    marks: list[float] = []
    for _ in range(runs):
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(_signed_in_script(secret))
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(mark, timeout=120_000)
        times.append((time.perf_counter() - started) * 1000)
        marks.append(float(page.evaluate("performance.getEntriesByName('case-interactive')[0].startTime")))
        context.close()
    return {
        "decision_id": decision_id,
        "graph_nodes_2_hops": int(nodes),
        "graph_edges_2_hops": round((nodes - int(nodes)) * 1e6),
        "tti_ms_median": round(statistics.median(times), 1),
        "mark_after_navigation_ms_median": round(statistics.median(marks), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("bench-home/console"))
    parser.add_argument("--build", action="store_true", help="run riskloop demo into --home first")
    parser.add_argument("--enterprises", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not (BUILD / "index.html").is_file():
        raise SystemExit("the console is not built: run make console")
    if args.build:
        demo = CliRunner().invoke(app, ["--home", str(args.home), "demo", "--enterprises", str(args.enterprises)])
        if demo.exit_code != 0:
            raise SystemExit(demo.output)
    log = args.home / "bench-console-serve.log"
    with serve(args.home, log, "--strategy", "reference") as server, sync_playwright() as playwright:
        browser = launch(playwright)
        result = measure(server, browser, args.runs)
        browser.close()
    result["chromium"] = _chromium_version()
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _chromium_version() -> str:
    done = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


if __name__ == "__main__":
    main()
