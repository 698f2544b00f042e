"""Registration screening as the workspace wires it: the bank's lists are its white list and take a block's
grey entries; a bank's thresholds are registered from the CLI and screen once another person activates them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import Settings, load_settings
from riskloop.domain.clock import FixedClock
from riskloop.domain.lists import GREY
from riskloop.domain.registration import ACCEPT, BLOCK, STEP_UP, Registration
from riskloop.storage.audit import audit_trail
from riskloop.synth import ids
from riskloop.testing.principals import person
from riskloop.workspace import Workspace

T0 = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
KIM = person("kim", "list_keeper")
SHIPPED = Path(__file__).parents[3] / "src/riskloop/admission/data/registration-policy-v1.json"


def _id(make: str, i: int) -> str:
    one = np.array([i])
    values = {"code": lambda: ids.credit_codes(4, one), "rep": lambda: ids.resident_ids(4, one),
              "phone": lambda: ids.mobiles(4, one, firm=False), "device": lambda: ids.device_ids(4, 1, one),
              "ip": lambda: ids.ips(4, 1, one)}[make]()  # fmt: skip
    return str(values[0])


def _reg(i: int, minute: int, **override: str) -> Registration:
    fields = {"registration_id": f"r{i}-{minute}", "phone": _id("phone", i), "device_id": _id("device", i),
              "ip": _id("ip", i), "credit_code": _id("code", i), "legal_rep_id": _id("rep", i),
              "channel": "app"}  # fmt: skip
    return Registration(at=T0 + dt.timedelta(minutes=minute), **(fields | override))


@pytest.fixture
def ws(settings: Settings) -> Iterator[Workspace]:
    with Workspace.open(settings, clock=FixedClock(T0 - dt.timedelta(days=1))) as opened:
        yield opened


def test_a_white_listed_phone_gives_no_evidence_and_its_neighbour_is_blocked(ws: Workspace) -> None:
    listed, unlisted = _id("phone", 900), _id("phone", 901)
    ws.lists().add(KIM, list_kind="white", identifier_kind="phone", value=listed, reason="客户经理核实：家族企业")
    screen = ws.registrations()
    family = [screen.screen_registration(_reg(i, i, phone=listed)).outcome for i in range(4)]
    farm = [screen.screen_registration(_reg(10 + i, 10 + i, phone=unlisted)).outcome for i in range(4)]
    assert family == [ACCEPT] * 4
    assert farm[-1] == BLOCK


def test_a_white_listed_enterprise_is_relaxed(ws: Workspace) -> None:
    allowed, other = _id("code", 800), _id("code", 801)
    ws.lists().add(KIM, list_kind="white", identifier_kind="credit_code", value=allowed, reason="存量优质客户")
    screen = ws.registrations()
    # two staff of one firm sign it up from their own phones and devices: two registrants on one credit code
    mine = [screen.screen_registration(_reg(20 + i, i, credit_code=allowed)) for i in range(2)]
    theirs = [screen.screen_registration(_reg(30 + i, i, credit_code=other)) for i in range(2)]
    assert (theirs[-1].outcome, theirs[-1].reasons) == (STEP_UP, ("REG_VELOCITY_CREDIT_CODE",))
    assert (mine[-1].outcome, mine[-1].reasons) == (ACCEPT, ())  # its own code gives no evidence
    # a relative's firm signed up on the same phone before: a second factor, but not for the listed enterprise
    shared = _id("phone", 802)
    screen.screen_registration(_reg(50, 5, phone=shared))
    relative = screen.screen_registration(_reg(51, 6, phone=shared))
    listed = screen.screen_registration(_reg(52, 7, phone=shared, credit_code=allowed))
    assert relative.outcome == STEP_UP
    assert (listed.outcome, listed.reasons[-1]) == (ACCEPT, "REG_RELAXED_ALLOWLIST")


def test_a_block_is_held_on_the_grey_list_and_audited(ws: Workspace) -> None:
    farm = _id("device", 700)
    verdicts = [ws.registrations().screen_registration(_reg(40 + i, i, device_id=farm)) for i in range(4)]
    assert verdicts[-1].outcome == BLOCK
    assert set(verdicts[-1].held) == {"phone", "device_id", "legal_rep_id", "credit_code"}
    grey = ws.lists().store.entries(list_kind=GREY, include_ended=False, reveal_to=None, at=T0)
    assert {e.provenance["registration_id"] for e in grey} == {verdicts[-1].registration_id}
    assert all(e.source == "registration_screen" and e.value is None for e in grey)
    trail = audit_trail(ws.engine, grey[0].entry_id)
    assert [(r["action"], r["actor"]) for r in trail] == [("registration.block", "registration_screen")]


def _cli(home: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(app, ["--home", str(home), "registrations", "policy", *args, "--json"])
    text = result.stdout if result.exit_code == 0 else result.stderr
    return result.exit_code, json.loads(text) if text.strip() else {}


def test_a_policy_registered_from_the_cli_screens_once_another_person_activates_it(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "home")
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data | {"points": {**data["points"], "block": "three"}}), encoding="utf-8")
    code, error = _cli(settings.home, "register", str(bad))
    assert code == 2
    assert "points.block" in str(error["message"])
    data["version"] = "bank-2026-07"
    data["identifiers"]["device_id"]["limits"][0] |= {"step_up": 2, "block": 2}
    good = tmp_path / "bank.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    code, registered = _cli(settings.home, "register", str(good))
    assert code == 0, registered
    model_id = str(registered["model_id"])
    assert str(registered["registered_by"]).startswith("cli:")
    with Workspace.open(settings, create=False) as ws:
        screen = ws.registrations()
        assert screen.screen_registration(_reg(60, 0)).policy.startswith("registration-v1 (shipped")
        ws.model_lifecycle().approve(model_id, "otto")
        ws.model_lifecycle().activate(model_id, "otto")
        farm = _id("device", 600)
        outcomes = [screen.screen_registration(_reg(61 + i, 1 + i, device_id=farm)) for i in range(2)]
        assert outcomes[-1].outcome == BLOCK  # the bank's stricter device limit, without a restart
        assert outcomes[-1].policy == f"bank-2026-07 ({model_id}, active)"
        actions = [r["action"] for r in audit_trail(ws.engine, model_id)]
    assert actions == ["model.registered", "model.approved", "model.activated"]
