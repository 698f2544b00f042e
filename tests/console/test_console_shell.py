"""The console's frame: sign-in, the menu each role's capabilities open (and only those), the API refusing what
the console hides, both languages, local assets only, and accessibility of the frame."""

from __future__ import annotations

import pytest

from riskloop.testing.console import ConsoleServer, SignIn, open_console, screenshot, serious_violations, sign_in

# Menu label (zh) → the capability GET /v1/me must grant for the page to be offered.
MENU = {
    "人工审核": "review.read",
    "策略工作室": "strategy.read",
    "模型与监控": "model.read",
    "贷后预警": "alert.read",
    "催收": "collection.read",
    "关系图谱": "graph.read",
    "潜在客户": "prospect.read",
}


def _menu(tab_page) -> set[str]:  # type: ignore[no-untyped-def]
    return {text.strip() for text in tab_page.locator("nav a").all_inner_texts()}


def test_a_wrong_key_is_refused_with_the_apis_message(browser, console_server: ConsoleServer) -> None:
    tab = open_console(browser, console_server)
    try:
        tab.page.locator("input[type=password]").fill("not-a-key")
        tab.page.locator("form button[type=submit]").click()
        alert = tab.page.get_by_role("alert")
        alert.wait_for()
        assert "key" in alert.inner_text().lower() or "密钥" in alert.inner_text()
        assert tab.page.get_by_test_id("principal").count() == 0
        assert serious_violations(tab.page) == []
        screenshot(tab.page, "sign-in", "zh")
        assert tab.external == []
    finally:
        tab.page.context.close()


@pytest.mark.parametrize("role", ["reviewer", "analyst", "approver", "auditor", "post_loan_officer", "collector"])
def test_each_role_sees_the_desks_its_capabilities_open_and_no_other(
    sign_in_as: SignIn, console_server: ConsoleServer, role: str
) -> None:
    secret = console_server.keys[role]
    with console_server.client(secret) as api:
        me = api.get("/v1/me").json()
    can = set(me["can"]) if isinstance(me["can"], list) else {k for k, v in me["can"].items() if v}
    tab = sign_in_as(secret)
    assert tab.page.get_by_test_id("principal").inner_text() == me["principal"]
    expected = {"工作台"} | {label for label, capability in MENU.items() if capability in can}
    assert _menu(tab.page) == expected
    assert len(expected) > 1, f"{role} opens no desk at all"


def test_a_principal_without_console_roles_gets_nothing_and_the_api_refuses_if_forced(
    sign_in_as: SignIn, console_server: ConsoleServer
) -> None:
    secret = console_server.keys["channel"]
    tab = sign_in_as(secret)
    assert _menu(tab.page) == {"工作台"}
    tab.page.goto(f"{console_server.url}/console/strategies")
    tab.page.get_by_text("页面不存在或无权访问").wait_for()
    assert tab.page.get_by_test_id("submit-version").count() == 0
    with console_server.client(secret) as api:
        forced = api.post("/v1/strategies/reference/versions", json={"content": "{}"})
        queue = api.get("/v1/reviews")
    assert forced.status_code == 403, forced.text
    assert queue.status_code == 403, queue.text


def test_english_is_one_click_away_and_remembered(sign_in_as: SignIn, console_server: ConsoleServer) -> None:
    tab = sign_in_as(console_server.keys["reviewer"])
    tab.page.get_by_text("English", exact=True).click()
    tab.page.locator("nav a", has_text="Reviews").wait_for()
    tab.page.reload()
    tab.page.locator("nav a", has_text="Reviews").wait_for()
    assert "人工审核" not in _menu(tab.page)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_is_accessible(sign_in_as: SignIn, console_server: ConsoleServer, lang: str) -> None:
    tab = sign_in_as(console_server.keys["auditor"], lang)
    tab.page.get_by_role("heading", level=2).wait_for()
    assert serious_violations(tab.page) == []
    screenshot(tab.page, "home", lang)


def test_api_docs_render_from_local_assets(browser, console_server: ConsoleServer) -> None:
    context = browser.new_context()
    external: list[str] = []
    context.on("request", lambda r: external.append(r.url) if not r.url.startswith(console_server.url) else None)
    try:
        page = context.new_page()
        page.goto(f"{console_server.url}/docs")
        page.locator(".swagger-ui .opblock").first.wait_for(timeout=30_000)
        assert page.locator(".swagger-ui .opblock").count() > 20
        assert [u for u in external if u.startswith("http")] == []
    finally:
        context.close()


def test_sign_in_and_navigation_work_from_the_keyboard_alone(browser, console_server: ConsoleServer) -> None:
    tab = open_console(browser, console_server)
    page = tab.page
    try:
        page.locator("input[type=password]").wait_for()
        page.keyboard.type(console_server.keys["reviewer"])  # the key field has the focus when the page opens
        page.keyboard.press("Enter")
        page.get_by_test_id("principal").wait_for()
        reached = []
        for _ in range(40):  # tab through the frame until the reviews desk's menu entry has the focus
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.textContent.trim()"))
            if reached[-1] == "人工审核":
                break
        assert reached[-1] == "人工审核", reached
        page.keyboard.press("Enter")
        page.wait_for_url("**/console/reviews")
        assert tab.external == []
    finally:
        page.context.close()


def test_every_desk_an_auditor_reads_is_accessible_in_english(browser, console_server: ConsoleServer) -> None:
    auditor = console_server.keys["auditor"]
    with console_server.client(auditor) as api:
        model = next(m for m in api.get("/v1/models").json()["models"] if m["status"] == "active")
    tab = open_console(browser, console_server, "en")
    try:
        tab.page.locator("input[type=password]").wait_for()
        assert serious_violations(tab.page) == []
        screenshot(tab.page, "sign-in", "en")
        sign_in(tab, auditor)
        pages = {"strategies": "/strategies", "model-card": f"/models/{model['model_id']}", "alerts": "/alerts",
                 "collections": "/collections", "graph-explorer": "/graph", "prospects": "/prospects"}  # fmt: skip
        for name, path in pages.items():
            tab.page.goto(f"{console_server.url}/console{path}")
            tab.page.get_by_role("heading", level=2).first.wait_for()
            tab.page.wait_for_load_state("networkidle")
            assert serious_violations(tab.page) == [], name
            assert "页面不存在" not in tab.page.inner_text("main"), name
            if name in ("strategies", "model-card"):  # the other pages' English screenshots come from their tests
                screenshot(tab.page, name, "en")
        assert tab.external == []
        assert tab.errors == []
    finally:
        tab.page.context.close()
