"""The strategy studio in a real browser: an analyst drafts from the active version, edits and submits it; a
different approver approves it and the activation the analyst requested; the next decision carries the new version.
Four eyes holds in the browser and at the API; the diff and the backtest show what changed; pages pass axe."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from conftest import SignIn
from playwright.sync_api import Page, expect

from riskloop.testing.console import ConsoleServer, screenshot
from riskloop.testing.console import serious_violations as all_violations

NAME = "reference"  # the strategy `riskloop serve --strategy reference` follows
TIMEOUT = 30_000
STATUS_ZH = {"draft": "草稿", "submitted": "已提交", "approved": "已审批", "active": "生效中", "retired": "已退役"}


def serious_violations(page: Page) -> list[dict[str, object]]:
    """axe's serious/critical violations but the shell's language switch (antd Segmented: aria-required-children),
    which is the frame's, not this page's, and reported to its owner."""
    return [v for v in all_violations(page) if v["nodes"] != [[".ant-segmented"]]]


def _versions(server: ConsoleServer) -> list[dict[str, Any]]:
    with server.client(server.keys["analyst"]) as api:
        return list(api.get(f"/v1/strategies/{NAME}/versions").json()["versions"])


def _active(server: ConsoleServer) -> int:
    return next(v["version"] for v in _versions(server) if v["status"] == "active")


def _content(server: ConsoleServer, version: int) -> str:
    with server.client(server.keys["analyst"]) as api:
        answer = api.get(f"/v1/strategies/{NAME}/versions/{version}")
    assert answer.status_code == 200, f"the studio reads a version's JDM with this route: {answer.text}"
    return str(answer.json()["content"])


def _with_auto_approve_cut(content: str, cut: int) -> str:
    """The JDM with the auto-approve score cut (rule S1 of score_tiers) moved to ``cut`` points."""
    doc = json.loads(content)
    table = next(n for n in doc["nodes"] if n.get("name") == "score_tiers")["content"]
    points = next(c["id"] for c in table["inputs"] if c.get("field") == "score.points")
    rule = next(r for r in table["rules"] if r["_id"] == "S1")
    rule[points] = f">= {cut}"
    rule["_description"] = f"auto-approve from {cut} points"
    return json.dumps(doc, indent=2)


def _draft_by_api(server: ConsoleServer, cut: int, submit: bool = False) -> int:
    content = _with_auto_approve_cut(_content(server, _active(server)), cut)
    with server.client(server.keys["analyst"]) as api:
        made = api.post(f"/v1/strategies/{NAME}/versions", json={"content": content, "note": "test"})
        assert made.status_code == 201, made.text
        version = int(made.json()["version"])
        if submit:
            assert api.post(f"/v1/strategies/{NAME}/versions/{version}/submit", json={}).status_code == 200
    return version


def _open(page: Page, server: ConsoleServer, version: int | None = None) -> None:
    query = f"?v={version}" if version else ""
    page.goto(f"{server.url}/console/strategies/{NAME}{query}")
    page.get_by_test_id("versions-table").wait_for(timeout=TIMEOUT)
    if version:
        page.get_by_test_id("selected-version").filter(has_text=f"{NAME}@{version}").wait_for(timeout=TIMEOUT)


def _status_shown(page: Page, version: int, status: str) -> None:
    page.get_by_test_id(f"status-v{version}").filter(has_text=STATUS_ZH[status]).wait_for(timeout=TIMEOUT)


def _to_top(page: Page, test_id: str) -> None:
    """Scroll so the part a screenshot is about starts at the top of the viewport."""
    page.get_by_test_id(test_id).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)


def _decide(server: ConsoleServer, application_id: str) -> dict[str, Any]:
    body = json.loads((server.home / "demo-application.json").read_text(encoding="utf-8"))
    body["application_id"] = application_id
    headers = {"Idempotency-Key": application_id}
    with server.client(server.keys["channel"]) as api:
        answer = api.post("/v1/applications", json=body, headers=headers)
    assert answer.status_code in {200, 201}, answer.text
    return dict(answer.json())


def test_an_analysts_draft_goes_live_through_another_approver_and_decides_the_next_application(
    sign_in_as: SignIn, console_server: ConsoleServer
) -> None:
    server = console_server
    before = _active(server)
    analyst = sign_in_as(server.keys["analyst"]).page
    _open(analyst, server, before)
    analyst.get_by_test_id("new-draft").click()
    analyst.get_by_text("已新建草稿").wait_for(timeout=TIMEOUT)
    draft = max(v["version"] for v in _versions(server))
    _status_shown(analyst, draft, "draft")
    analyst.get_by_test_id("selected-version").filter(has_text=f"{NAME}@{draft}").wait_for(timeout=TIMEOUT)

    # edit through the page's JSON view of the draft, save and submit
    analyst.get_by_role("tab", name="JSON 源文件").click()
    source = analyst.get_by_test_id("jdm-source")
    source.fill(_with_auto_approve_cut(source.input_value(), 540))
    analyst.get_by_test_id("save-version").click()
    analyst.get_by_text(f"已保存 {NAME}@{draft}").wait_for(timeout=TIMEOUT)
    assert '">= 540"' in _content(server, draft)
    analyst.get_by_test_id("submit-version").click()
    _status_shown(analyst, draft, "submitted")
    assert analyst.get_by_test_id("approve-version").count() == 0  # the analyst may not approve: not shown
    with server.client(server.keys["analyst"]) as api:
        forced = api.post(f"/v1/strategies/{NAME}/versions/{draft}/approve", json={})
    assert forced.status_code == 403, forced.text

    approver = sign_in_as(server.keys["approver"]).page
    _open(approver, server, draft)
    assert approver.get_by_test_id("submit-version").count() == 0
    approver.get_by_test_id("approve-version").click()
    _status_shown(approver, draft, "approved")
    assert approver.get_by_test_id("activate-version").count() == 0  # requesting an activation is the analyst's

    _open(analyst, server, draft)
    analyst.get_by_test_id("activate-version").click()
    analyst.get_by_text("等待他人批准").wait_for(timeout=TIMEOUT)
    assert analyst.get_by_test_id("approve-activation").count() == 0

    _open(approver, server, draft)
    pending = approver.get_by_test_id("pending-changes")
    change = pending.locator("li", has_text=f"{NAME}@{draft}")
    change.wait_for(timeout=TIMEOUT)
    change.get_by_test_id("approve-activation").click()
    _status_shown(approver, draft, "active")
    _status_shown(approver, before, "retired")
    assert serious_violations(approver) == []

    deadline = time.monotonic() + 10  # the server re-reads the active version at most once a second
    strategy = ""
    while time.monotonic() < deadline and not strategy.startswith(f"{NAME}@{draft}:"):
        strategy = str(_decide(server, f"APPSTUDIO{int(time.monotonic() * 1000)}")["versions"]["strategy"])
        time.sleep(0.5)
    assert strategy.startswith(f"{NAME}@{draft}:"), strategy


def test_an_author_holding_the_approver_role_is_refused_and_sees_the_apis_reason(
    sign_in_as: SignIn, console_server: ConsoleServer
) -> None:
    version = _draft_by_api(console_server, 545, submit=True)
    own = console_server.new_key("demo-analyst", "approver")  # the same person, now with the approver role
    page = sign_in_as(own).page
    _open(page, console_server, version)
    page.get_by_test_id("approve-version").click()
    refusal = page.get_by_test_id("action-error")
    refusal.wait_for(timeout=TIMEOUT)
    assert "never the author" in refusal.inner_text()
    _status_shown(page, version, "submitted")


def test_the_strategy_list_shows_every_strategy_with_its_active_version(
    sign_in_as: SignIn, console_server: ConsoleServer
) -> None:
    page = sign_in_as(console_server.keys["auditor"]).page
    page.goto(f"{console_server.url}/console/strategies")
    table = page.get_by_test_id("strategies-table")
    row = table.locator("tr", has_text=NAME).first
    row.wait_for(timeout=TIMEOUT)
    with console_server.client(console_server.keys["auditor"]) as api:
        listed = {s["name"]: s for s in api.get("/v1/strategies").json()["strategies"]}
    assert f"v{listed[NAME]['active_version']}" in row.inner_text()
    expect(table.locator("tbody tr")).to_have_count(len(listed))
    assert page.get_by_test_id("new-draft").count() == 0  # an auditor reads only
    assert serious_violations(page) == []
    screenshot(page, "strategies", "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_editor_the_rule_diff_and_the_backtest_of_a_draft(
    sign_in_as: SignIn, console_server: ConsoleServer, lang: str
) -> None:
    server = console_server
    active = _active(server)
    draft = _draft_by_api(server, 530 if lang == "zh" else 535)
    page = sign_in_as(server.keys["analyst"], lang).page
    _open(page, server, draft)
    page.locator(".react-flow__node").first.wait_for(state="visible", timeout=TIMEOUT)  # the JDM editor, local Monaco
    expect(page.locator(".react-flow__node")).to_have_count(len(json.loads(_content(server, draft))["nodes"]))
    assert serious_violations(page) == []
    _to_top(page, "selected-version")
    screenshot(page, "strategy-studio", lang)

    page.get_by_role("tab", name="版本对比" if lang == "zh" else "Diff").click()
    summary = page.get_by_test_id("diff-summary")
    summary.wait_for(timeout=TIMEOUT)
    changed = page.get_by_test_id("diff-node-score_tiers").get_by_test_id("diff-row-changed")
    expect(changed).to_have_count(1)  # exactly rule S1 changed, against the active version (A by default)
    assert "S1" in changed.inner_text()
    assert f">= {530 if lang == 'zh' else 535}" in changed.inner_text()
    assert page.get_by_test_id("diff-row-added").count() == 0
    assert f"v{active}" in page.get_by_test_id("diff-a").inner_text()
    assert serious_violations(page) == []
    _to_top(page, "selected-version")
    screenshot(page, "strategy-diff", lang)

    page.get_by_role("tab", name="回测" if lang == "zh" else "Backtest").click()
    page.get_by_test_id("run-backtest").click()
    result = page.get_by_test_id("backtest-result")
    result.wait_for(timeout=120_000)
    with server.client(server.keys["analyst"]) as api:
        truth = api.post(f"/v1/strategies/{NAME}/versions/{draft}/backtest", json={"sample": 300}).json()
    approval = f"{truth['candidate']['approval_rate'] * 100:.2f}%"
    assert approval in result.get_by_role("table").first.inner_text()  # the table beside the chart: same numbers
    expect(page.locator("[data-testid=chart-headline] canvas")).to_have_count(1)
    assert serious_violations(page) == []
    _to_top(page, "backtest-result")
    screenshot(page, "strategy-backtest", lang)


def _release_by_api(server: ConsoleServer, version: int) -> None:
    """Submit, approve and activate ``version`` over the API (analyst, then the approver)."""
    with server.client(server.keys["analyst"]) as analyst, server.client(server.keys["approver"]) as approver:
        assert analyst.post(f"/v1/strategies/{NAME}/versions/{version}/submit", json={}).status_code == 200
        assert approver.post(f"/v1/strategies/{NAME}/versions/{version}/approve", json={}).status_code == 200
        change = analyst.post(f"/v1/strategies/{NAME}/activations", json={"version": version}).json()["change_id"]
        assert approver.post(f"/v1/strategy-changes/{change}/approve", json={}).status_code == 200


def test_a_rollback_is_an_activation_of_the_earlier_version_approved_by_another(
    sign_in_as: SignIn, console_server: ConsoleServer
) -> None:
    server = console_server
    earlier = _active(server)
    later = _draft_by_api(server, 550)
    _release_by_api(server, later)
    assert _active(server) == later

    analyst = sign_in_as(server.keys["analyst"]).page
    _open(analyst, server, earlier)
    rollback = analyst.get_by_test_id("activate-version")
    assert "回滚" in rollback.inner_text()  # an earlier version than the active one: a rollback
    rollback.click()
    analyst.get_by_text("等待他人批准").wait_for(timeout=TIMEOUT)
    _open(analyst, server, earlier)  # the requester sees the request but cannot approve it
    analyst.get_by_test_id("pending-changes").get_by_text(f"{NAME}@{earlier}").wait_for(timeout=TIMEOUT)
    assert analyst.get_by_test_id("approve-activation").count() == 0

    approver = sign_in_as(server.keys["approver"]).page
    _open(approver, server, earlier)
    change = approver.get_by_test_id("pending-changes").locator("li", has_text=f"{NAME}@{earlier}")
    change.get_by_test_id("approve-activation").click()
    _status_shown(approver, earlier, "active")
    _status_shown(approver, later, "retired")
    assert _active(server) == earlier
