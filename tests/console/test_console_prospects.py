"""The prospects page in a real browser: the newest run's list in the API's order, the industry filter, the score
distribution beside its figures, the export downloaded with its header row; an auditor reads but cannot export (and
the API refuses it if forced); axe on the page in both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from riskloop.testing.console import ConsoleServer, Tab, screenshot, serious_violations

# The conftest's sign_in_as fixture; not imported from `conftest`, a name other test directories' conftests share.
SignIn = Callable[..., Tab]

HEADER_ZH = "排名,统一社会信用代码,企业名称,行业"
HEADER_EN = "Rank,Credit code,Name,Industry"


def _api(server: ConsoleServer, secret: str, path: str, **params: Any) -> Any:
    with server.client(secret) as api:
        answer = api.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _rows(page):  # type: ignore[no-untyped-def]
    """The rows of the prospect list (not of the distribution's table)."""
    return page.get_by_role("table", name="潜在客户名单").locator("tbody tr.ant-table-row")


def _codes(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Credit codes of the rows shown (the second line of the enterprise cell)."""
    return [c.split("\n")[-1].strip() for c in _rows(page).locator("td:nth-child(3)").all_inner_texts()]


def _shows(page, codes: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The codes shown once the table holds ``codes`` (it re-renders after a filter), or as they are at timeout."""
    for _ in range(60):
        shown = _codes(page)
        if shown == codes:
            break
        page.wait_for_timeout(500)
    return shown


def test_an_analyst_reads_the_list_filters_it_and_exports_it(
    sign_in_as: SignIn, console_server: ConsoleServer, tmp_path: Path
) -> None:
    analyst = console_server.keys["analyst"]
    best = _api(console_server, analyst, "/v1/prospects", top=100)
    page = sign_in_as(analyst).page
    page.goto(f"{console_server.url}/console/prospects")
    expect(page.get_by_test_id("prospect-run")).to_contain_text(best["run"]["run_id"])
    _rows(page).first.wait_for()
    assert _codes(page) == [p["credit_code"] for p in best["prospects"][:20]]

    # the distribution's table holds every prospect listed, once
    bins = page.get_by_role("table", name="评分分布明细").locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert sum(int(n) for n in bins) == len(best["prospects"])
    expect(page.get_by_test_id("score-chart")).to_have_attribute("role", "img")
    assert serious_violations(page) == []
    screenshot(page, "prospects", "zh")

    section = best["prospects"][0]["section"]
    page.get_by_role("combobox", name="行业").fill(f"{section} ")  # the options list is virtual: search it
    page.locator(".ant-select-item-option", has_text=f"{section} ").first.click()
    of_section = _api(console_server, analyst, "/v1/prospects", top=100, industry=section)
    expect(_rows(page).first).to_contain_text(of_section["prospects"][0]["credit_code"])
    expected = [p["credit_code"] for p in of_section["prospects"][:20]]
    assert _shows(page, expected) == expected

    with page.expect_download() as made:
        page.get_by_test_id("export-csv").click()
    saved = tmp_path / made.value.suggested_filename
    made.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith(HEADER_ZH)
    assert len(lines) == 1 + len(of_section["prospects"])  # the best 100 of the section, as listed
    assert lines[1].split(",")[1] == of_section["prospects"][0]["credit_code"]


def test_in_english_the_export_has_english_headers(
    sign_in_as: SignIn, console_server: ConsoleServer, tmp_path: Path
) -> None:
    page = sign_in_as(console_server.keys["analyst"], "en").page
    page.goto(f"{console_server.url}/console/prospects")
    page.locator("tbody tr.ant-table-row").first.wait_for()
    assert serious_violations(page) == []
    screenshot(page, "prospects", "en")
    with page.expect_download() as made:
        page.get_by_test_id("export-csv").click()
    saved = tmp_path / "en.csv"
    made.value.save_as(saved)
    assert saved.read_text(encoding="utf-8-sig").splitlines()[0].startswith(HEADER_EN)


def test_an_auditor_reads_prospects_but_cannot_export(sign_in_as: SignIn, console_server: ConsoleServer) -> None:
    auditor = console_server.keys["auditor"]
    page = sign_in_as(auditor).page
    page.goto(f"{console_server.url}/console/prospects")
    page.locator("tbody tr.ant-table-row").first.wait_for()
    assert page.get_by_test_id("export-csv").count() == 0
    assert page.get_by_test_id("export-xlsx").count() == 0
    with console_server.client(auditor) as api:
        forced = api.get("/v1/prospects/export", params={"format": "csv"})
    assert forced.status_code == 403, forced.text


@pytest.mark.parametrize("role", ["reviewer", "collector"])
def test_roles_without_prospects_are_refused(console_server: ConsoleServer, role: str) -> None:
    with console_server.client(console_server.keys[role]) as api:
        assert api.get("/v1/prospects").status_code == 403
