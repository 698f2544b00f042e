"""Browser tests of the console: a real ``riskloop serve`` on a private copy of the shared demo workspace, Debian's
Chromium driven by Playwright (riskloop.testing.console). Each module gets its own server and workspace copy, so
its writes (claims, decisions, strategy versions) never reach another module.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from riskloop.testing.console import ConsoleServer, SignIn, Tab, launch, serve, signed_in

# The suite shares two cores with other workers, servers and the JVM: assertions wait for the page, never race it.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module: Playwright's sync API keeps an event loop running while it is open, which would
    break ``asyncio.run`` in the next modules the same test worker runs."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def console_server(decision_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """The console served on a private full copy of the demo workspace, following the active `reference` version."""
    home = tmp_path_factory.mktemp("console") / "home"
    shutil.copytree(decision_workspace, home, ignore=shutil.ignore_patterns("*.write-lock", "run"))
    with serve(home, home.parent / "serve.log", "--strategy", "reference") as server:
        yield server


@pytest.fixture
def sign_in_as(browser: Browser, console_server: ConsoleServer) -> Iterator[SignIn]:
    """``sign_in_as(secret, lang="zh")``: a signed-in console tab; none of them may reach past loopback."""
    tabs: list[Tab] = []

    def open_tab(secret: str, lang: str = "zh") -> Tab:
        tab = signed_in(browser, console_server, secret, lang)
        tabs.append(tab)
        return tab

    yield open_tab
    external = [url for tab in tabs for url in tab.external]
    errors = [error for tab in tabs for error in tab.errors]
    for tab in tabs:
        tab.page.context.close()
    assert external == [], f"the console asked beyond loopback: {external[:5]}"
    assert errors == [], f"the console's scripts failed: {errors[:5]}"
