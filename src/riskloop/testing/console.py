"""The console in a real browser: ``riskloop serve``, Debian's Chromium driven by Playwright, axe-core, screenshots.

Shared by the browser tests (tests/console) and the console benchmark.

Every request the page makes outside loopback is refused and recorded, so a test fails on any CDN or other
external asset (the console must work on a bank's intranet).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from playwright.sync_api import Browser, Page, Playwright, Route, ViewportSize

CHROMIUM = Path(os.environ.get("RISKLOOP_CHROMIUM", "/usr/bin/chromium"))
REPO = Path(__file__).resolve().parents[3]
AXE = REPO / "console" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO / "docs" / "console"
SHOTS_ENV = "RISKLOOP_SCREENSHOTS"  # set: screenshot() writes docs/console/<name>-<lang>.png
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
SERIOUS = {"serious", "critical"}


@dataclass
class ConsoleServer:
    """A served workspace: its URL, home and the demo roles' secrets (role → secret)."""

    url: str
    home: Path
    keys: dict[str, str]
    log: Path

    def new_key(self, principal: str, role: str) -> str:
        """A new API key of ``principal`` with ``role`` on the served workspace (``riskloop keys create``)."""
        args = ["--home", str(self.home), "keys", "create", "--principal", principal, "--role", role, "--json"]
        made = subprocess.run(  # noqa: S603 - our own CLI, arguments of the test
            [_riskloop(), *args], capture_output=True, text=True, check=True, env=os.environ.copy()
        )
        return str(json.loads(made.stdout)["secret"])

    def client(self, secret: str) -> httpx.Client:
        """An HTTP client of the API sending ``secret``."""
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {secret}"}, timeout=30)


def _riskloop() -> str:
    return str(Path(sys.executable).parent / "riskloop")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_secrets(home: Path) -> dict[str, str]:
    """Role → secret of the demo keys ``riskloop demo`` wrote in ``home``."""
    keys = json.loads((home / "demo-keys.json").read_text(encoding="utf-8"))
    return {role: str(entry["secret"]) for role, entry in keys.items()}


@contextmanager
def serve(home: Path, log: Path, *serve_args: str, ready_seconds: float = 120) -> Iterator[ConsoleServer]:
    """``riskloop --home HOME serve`` on a free loopback port until the block ends, once ``/readyz`` answers 200."""
    port = _free_port()
    with log.open("wb") as sink:
        proc = subprocess.Popen(  # noqa: S603 - our own CLI
            [_riskloop(), "--home", str(home), "serve", "--port", str(port), *serve_args],
            stdout=subprocess.DEVNULL, stderr=sink, env=os.environ.copy(),
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, url, log, ready_seconds)
        yield ConsoleServer(url=url, home=home, keys=demo_secrets(home), log=log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"riskloop serve exited: {log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"riskloop serve not ready in {seconds:.0f} s: {log.read_text(errors='replace')[-4000:]}")


SignIn = Callable[..., "Tab"]  # the browser tests' ``sign_in_as(secret, lang="zh")`` fixture


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless."""
    if not CHROMIUM.is_file():
        raise AssertionError(f"no Chromium at {CHROMIUM}: run scripts/ensure-chromium")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)


@dataclass
class Tab:
    """A browser page on the console, with the external requests it attempted (all refused)."""

    page: Page
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page's scripts


def open_console(browser: Browser, server: ConsoleServer, lang: str = "zh") -> Tab:
    """A fresh browser context on ``server``'s console, in ``lang``, not signed in."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN" if lang == "zh" else "en-US", accept_downloads=True)
    # The language a person would have chosen before; their switching later in the test is kept across reloads.
    key, chosen = json.dumps("riskloop.lang"), json.dumps(lang)
    context.add_init_script(f"if (!localStorage.getItem({key})) localStorage.setItem({key}, {chosen});")
    context.set_default_timeout(60_000)  # a loaded machine draws slowly; a test waits rather than fails
    tab = Tab(page=context.new_page())

    def guard(route: Route) -> None:
        host = urlparse(route.request.url).hostname or ""
        if host in LOOPBACK:
            route.continue_()
        else:
            tab.external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab.page.on("pageerror", lambda error: _script_error(tab, str(error)))
    tab.page.goto(f"{server.url}/console/")
    return tab


# A test navigating while the page it leaves still fetches a page's code aborts that fetch; the page left reports
# it. A chunk really missing never renders its page, which the test's own waits catch.
LEFT_BEHIND = "Failed to fetch dynamically imported module"


def _script_error(tab: Tab, error: str) -> None:
    if LEFT_BEHIND not in error:
        tab.errors.append(f"{tab.page.url}: {error}")


def sign_in(tab: Tab, secret: str) -> None:
    """Sign in through the console's own form and wait for the principal's name in the header."""
    page = tab.page
    page.locator("input[type=password]").fill(secret)
    page.locator("form button[type=submit]").click()
    page.get_by_test_id("principal").wait_for(timeout=30_000)


def signed_in(browser: Browser, server: ConsoleServer, secret: str, lang: str = "zh") -> Tab:
    """A console tab signed in with ``secret``."""
    tab = open_console(browser, server, lang)
    sign_in(tab, secret)
    return tab


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (id, help, the elements)."""
    if not AXE.is_file():
        raise AssertionError(f"no axe-core at {AXE}: run make console")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in violations
        if v.get("impact") in SERIOUS
    ]


def screenshot(page: Page, name: str, lang: str) -> Path | None:
    """Write docs/console/<name>-<lang>.png when RISKLOOP_SCREENSHOTS is set (``make console-screenshots``)."""
    if not os.environ.get(SHOTS_ENV):
        return None
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{lang}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
