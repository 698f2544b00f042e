"""The graph explorer in a real browser: find an enterprise by a credit-code prefix, draw its neighbourhood with it
highlighted, click a node to expand it, and the shortest path between two enterprises highlighted and listed in
order, as the API finds it; accessibility and screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SignIn
from playwright.sync_api import Page

from riskloop.testing.console import ConsoleServer, screenshot, serious_violations

GRAPH = "[data-testid=graph-view]"


def _applicant(server: ConsoleServer) -> tuple[str, dict[str, Any]]:
    """The credit code of the oldest open review's applicant, and its 1-hop neighbourhood as the API answers it."""
    with server.client(server.keys["reviewer"]) as api:
        review = api.get("/v1/reviews").json()["reviews"][0]
        code = str(api.get(f"/v1/reviews/{review['decision_id']}").json()["data"]["application"]["credit_code"])
        hood = api.get(f"/v1/graph/enterprises/{code}/neighbourhood", params={"hops": 1, "limit": 1500}).json()
    return code, hood


def _drawn(page: Page, nodes: int) -> None:
    page.wait_for_function(f"document.querySelector('{GRAPH}')?.getAttribute('data-nodes') === '{nodes}'")
    page.wait_for_function(f"(document.querySelector('{GRAPH}')?.getAttribute('data-applicants') || '') !== ''")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_expand_and_path_between_two_enterprises(
    sign_in_as: SignIn, console_server: ConsoleServer, lang: str
) -> None:
    code, hood = _applicant(console_server)
    page = sign_in_as(console_server.keys["reviewer"], lang).page
    page.goto(f"{console_server.url}/console/graph")
    search = page.get_by_test_id("graph-search").locator("input")
    search.fill(code[:10])
    search.press("Enter")
    page.get_by_test_id(f"explore-{code}").click()
    _drawn(page, len(hood["nodes"]))
    assert page.locator(GRAPH).get_attribute("data-applicants") == f"enterprise:{code}"

    # a node's click expands it: an enterprise one hop away brings its own ties
    other = next(n for n in hood["nodes"] if n["kind"] == "enterprise" and n["ref"] != code)
    with console_server.client(console_server.keys["reviewer"]) as api:
        more = api.get(f"/v1/graph/enterprises/{other['ref']}/neighbourhood", params={"hops": 1, "limit": 500}).json()
        expected = len({n["id"] for n in hood["nodes"]} | {n["id"] for n in more["nodes"]})
    page.get_by_test_id("graph-facts").get_by_text("全部" if lang == "zh" else "All", exact=True).click()
    facts = page.get_by_test_id("graph-facts")  # the canvas is an image: pick the node by its row in the table
    row = facts.locator(f"tr[data-row-key='{other['id']}']")
    while row.count() == 0:
        facts.locator(".ant-pagination-next button").click()
    row.click()
    page.get_by_test_id("picked-node").wait_for()
    page.get_by_test_id("expand-node").click()
    page.wait_for_function(f"document.querySelector('{GRAPH}').getAttribute('data-nodes') === '{expected}'")

    # a path to an enterprise two hops away, as the API finds it, highlighted and listed in order
    with console_server.client(console_server.keys["reviewer"]) as api:
        target = next(
            n["ref"]
            for n in more["nodes"]
            if n["kind"] == "enterprise" and n["id"] not in {m["id"] for m in hood["nodes"]}
        )
        path = api.get("/v1/graph/paths", params={"source": code, "target": target}).json()
    page.get_by_test_id("path-target").fill(target)
    page.get_by_test_id("find-path").click()
    marked = len(path["nodes"]) + len(path["edges"])
    page.wait_for_function(f"document.querySelector('{GRAPH}').getAttribute('data-highlighted') === '{marked}'")
    listed = page.get_by_test_id("graph-facts").locator("tbody tr[data-row-key]")
    assert [listed.nth(i).get_attribute("data-row-key") for i in range(min(8, len(path["nodes"])))] == [
        n["id"] for n in path["nodes"][:8]
    ]
    assert serious_violations(page) == []
    screenshot(page, "graph-explorer", lang)
