"""The review workbench in a real browser: the queue, a reviewer claiming and deciding a case (the API then shows it
decided), the override of an automatic decline needing other reviewers (four eyes, shown and enforced), the case
view's relationship graph with the applicant highlighted and its time to interactive, accessibility and screenshots.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from riskloop.testing.console import ConsoleServer, SignIn, screenshot, serious_violations

INTERACTIVE = "performance.getEntriesByName('case-interactive').length > 0"
TTI = "performance.getEntriesByName('case-interactive')[0].startTime"

QUIET = "document.querySelectorAll('.ant-message-notice').length === 0"


def _queue(server: ConsoleServer) -> list[dict[str, Any]]:
    with server.client(server.keys["reviewer"]) as api:
        answer = api.get("/v1/reviews")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["reviews"])


def _case(server: ConsoleServer, secret: str, decision_id: str) -> dict[str, Any]:
    with server.client(secret) as api:
        answer = api.get(f"/v1/reviews/{decision_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _open_case(page: Page, server: ConsoleServer, decision_id: str) -> None:
    page.goto(f"{server.url}/console/reviews/{decision_id}")
    page.wait_for_function(INTERACTIVE, timeout=120_000)


def _decide(page: Page, outcome: str, comment: str) -> None:
    page.locator("label", has=page.get_by_test_id(f"outcome-{outcome}")).click()  # the radio's visible button
    page.get_by_test_id("comment").fill(comment)
    page.get_by_test_id("decide").click()


def _automatic_decline(server: ConsoleServer) -> str:
    """A champion decision the strategy declined automatically (final, never queued)."""
    db = sqlite3.connect(f"file:{server.home / 'riskloop.db'}?mode=ro", uri=True)
    try:
        row = db.execute(
            "SELECT decision_id FROM decisions WHERE tier = 'auto_reject' AND role = 'champion' AND status = 'final' "
            "AND decision_id NOT IN (SELECT decision_id FROM reviews) ORDER BY decision_id LIMIT 1"
        ).fetchone()
    finally:
        db.close()
    assert row is not None, "the demo workspace has no automatic decline"
    return str(row[0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_queue_shows_every_open_review_by_tier_with_its_lease(
    sign_in_as: SignIn, console_server: ConsoleServer, lang: str
) -> None:
    queue = _queue(console_server)
    tab = sign_in_as(console_server.keys["reviewer"], lang)
    page = tab.page
    page.goto(f"{console_server.url}/console/reviews")
    rows = page.get_by_test_id("review-queue").locator("tbody tr[data-row-key]")
    rows.first.wait_for()
    oldest = max(queue, key=lambda r: r["age_seconds"])
    assert rows.first.get_attribute("data-row-key") == oldest["decision_id"]  # oldest first
    tiers = {r["tier"] for r in queue}
    tab_labels = page.get_by_role("tab").all_inner_texts()
    assert f"({len(queue)})" in tab_labels[0]
    assert len(tab_labels) == 1 + len(tiers)
    manual = [r for r in queue if r["tier"] == "manual_review"]
    page.get_by_role("tab", name="人工审核" if lang == "zh" else "Manual review").click()
    shown = "document.querySelectorAll('[data-testid=review-queue] tbody tr[data-row-key]').length"
    page.wait_for_function(f"{shown} === {min(20, len(manual))}")
    page.wait_for_function(QUIET)  # a toast fading in is half transparent: check the page once it is gone
    assert serious_violations(page) == []
    screenshot(page, "reviews-queue", lang)


def test_a_reviewer_claims_and_decides_a_case_and_the_api_shows_it_decided(
    sign_in_as: SignIn, console_server: ConsoleServer
) -> None:
    review = next(r for r in _queue(console_server) if r["tier"] == "manual_review" and r["status"] == "open")
    decision_id = review["decision_id"]
    tab = sign_in_as(console_server.keys["reviewer"])
    page = tab.page
    page.goto(f"{console_server.url}/console/reviews")
    page.get_by_role("tab", name="人工审核").click()  # ten of them: one page
    page.get_by_test_id(f"claim-{decision_id}").click()
    page.get_by_test_id(f"release-{decision_id}").wait_for()  # claimed: the row offers the release now
    assert (
        _case(console_server, console_server.keys["reviewer"], decision_id)["review"]["claimed_by"] == "demo-reviewer"
    )
    page.get_by_test_id(f"open-{decision_id}").click()
    page.wait_for_function(INTERACTIVE, timeout=120_000)
    page.get_by_test_id("decide").click()  # no outcome, no comment: the form refuses before the API
    page.get_by_text("请填写审核意见").wait_for()
    _decide(page, "declined", "纳税申报收入连续下降，关联企业涉诉")
    page.get_by_test_id("closed").wait_for()
    case = _case(console_server, console_server.keys["reviewer"], decision_id)
    assert case["review"]["status"] == "closed"
    assert case["review"]["final_outcome"] == "declined"
    assert case["decision"]["final_outcome"] == "declined"
    decided = [h for h in case["review"]["history"] if h["action"] == "review.decided"]
    assert decided[0]["actor"] == "demo-reviewer"
    assert decided[0]["detail"]["comment"] == "纳税申报收入连续下降，关联企业涉诉"
    assert page.get_by_test_id("decide").count() == 0


def test_overriding_an_automatic_decline_takes_two_reviewers_other_than_the_one_who_reopened(
    sign_in_as: SignIn, console_server: ConsoleServer
) -> None:
    decision_id = _automatic_decline(console_server)
    a = console_server.keys["reviewer"]
    b = console_server.new_key("reviewer-b", "reviewer")
    c = console_server.new_key("reviewer-c", "reviewer")

    first = sign_in_as(a).page  # A reopens the automatic decline on the customer's appeal
    first.goto(f"{console_server.url}/console/reviews/{decision_id}")
    first.get_by_test_id("reopen-comment").fill("客户申诉：提供了新的纳税证明")
    first.get_by_test_id("reopen").click()
    first.get_by_test_id("reopened-by").wait_for()
    first.wait_for_function(INTERACTIVE, timeout=120_000)
    assert first.get_by_test_id("claim").count() == 0
    assert first.get_by_test_id("decide").count() == 0
    with console_server.client(a) as api:  # forced, the API refuses A all the same
        assert api.post(f"/v1/reviews/{decision_id}/claim", json={}).status_code == 403

    second = sign_in_as(b).page  # B claims and approves: an override, so it waits for a third reviewer
    _open_case(second, console_server, decision_id)
    assert "demo-reviewer" in second.get_by_test_id("reopened-by").inner_text()
    second.get_by_test_id("claim").click()
    _decide(second, "approved", "新纳税证明核实无误，同意推翻")
    second.get_by_test_id("awaiting-second").wait_for()
    assert second.get_by_test_id("decide").count() == 0
    assert second.get_by_test_id("claim").count() == 0
    assert _case(console_server, b, decision_id)["review"]["status"] == "awaiting_second"

    third = sign_in_as(c, "en").page  # C, neither the appellant nor the first reviewer, decides it finally
    _open_case(third, console_server, decision_id)
    assert "reviewer-b" in third.get_by_test_id("awaiting-second").inner_text()
    third.get_by_test_id("claim").click()
    _decide(third, "approved", "Second review: tax filing verified")
    third.get_by_test_id("closed").wait_for()
    case = _case(console_server, c, decision_id)
    assert case["review"]["status"] == "closed"
    assert case["decision"]["final_outcome"] == "approved"
    actions = [(h["action"], h["actor"]) for h in case["review"]["history"]]
    assert ("review.reopened", "demo-reviewer") in actions
    assert ("review.override_requested", "reviewer-b") in actions
    assert ("review.second_decision", "reviewer-c") in actions


def _largest_graph_case(server: ConsoleServer, scan: int = 40) -> tuple[str, str, int]:
    """Of the first ``scan`` open reviews, the one whose applicant has the largest 2-hop neighbourhood."""
    best = ("", "", -1)
    with server.client(server.keys["reviewer"]) as api:
        for review in [r for r in _queue(server) if r["status"] == "open"][:scan]:
            code = api.get(f"/v1/reviews/{review['decision_id']}").json()["data"]["application"].get("credit_code")
            hood = api.get(f"/v1/graph/enterprises/{code}/neighbourhood", params={"hops": 2, "limit": 2000})
            if hood.status_code == 200 and hood.json()["counts"]["nodes"] > best[2]:
                best = (review["decision_id"], str(code), int(hood.json()["counts"]["nodes"]))
    assert best[2] > 0, "no open review with a graph"
    return best


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_case_view_draws_the_applicants_graph_highlighted_and_is_interactive_quickly(
    sign_in_as: SignIn, console_server: ConsoleServer, lang: str
) -> None:
    decision_id, code, nodes = _largest_graph_case(console_server)
    secret = console_server.new_key(f"reviewer-tti-{lang}", "reviewer")
    with console_server.client(secret) as api:  # held by the reviewer: the decide button is part of "interactive"
        assert api.post(f"/v1/reviews/{decision_id}/claim", json={}).status_code == 200
    page = sign_in_as(secret, lang).page
    _open_case(page, console_server, decision_id)
    tti_ms = float(page.evaluate(TTI))
    print(f"\ncase view time to interactive ({lang}): {tti_ms:.0f} ms, 2-hop graph of {nodes} nodes")
    graph = page.get_by_test_id("graph-view")
    assert int(graph.get_attribute("data-nodes") or 0) == nodes
    assert graph.get_attribute("data-applicants") == f"enterprise:{code}"
    assert page.get_by_test_id("decide").is_enabled()
    assert tti_ms < 15_000
    shown = page.get_by_test_id("reasons").inner_text()
    for reason in _case(console_server, secret, decision_id)["decision"]["reasons"]:
        assert reason["text_zh" if lang == "zh" else "text"] in shown
    page.get_by_test_id("nearest-bad").click()  # the path to the nearest known-bad enterprise, on canvas and listed
    page.wait_for_function(
        "Number(document.querySelector('[data-testid=graph-view]').getAttribute('data-highlighted') || 0) > 0"
    )
    with console_server.client(secret) as api:
        path = api.get(f"/v1/graph/enterprises/{code}/nearest-bad").json()
    listed = page.get_by_test_id("graph-facts").locator("tbody tr[data-row-key]")
    expect(listed).to_have_count(min(8, len(path["nodes"])))
    assert listed.first.get_attribute("data-row-key") == path["nodes"][0]["id"]
    page.wait_for_function(QUIET)  # a toast fading in is half transparent: check the page once it is gone
    assert serious_violations(page) == []
    screenshot(page, "reviews-case", lang)
