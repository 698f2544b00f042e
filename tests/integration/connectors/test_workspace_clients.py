"""The HTTP clients the workspace opens (core banking, webhooks, source gateways) are closed with the workspace,
and a port whose client is closed still answers as it does when its peer is down (never raises)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskloop.config import Settings
from riskloop.connectors.core_banking import HttpCoreBanking
from riskloop.connectors.gateway import HttpGatewaySource
from riskloop.connectors.webhooks import HttpxWebhookSender
from riskloop.domain.disbursal import CoreStatus, Instruction
from riskloop.testing.core_server import CoreServer
from riskloop.testing.fake_gateway import FakeGateway
from riskloop.workspace import Workspace

SECRET = "core-secret"


def instruction(number: int) -> Instruction:
    return Instruction(f"DD-{number:04d}", f"LN-{number:04d}", "91110105MA01ABCD2X", "6222020200112233445", 1_500_000)


@pytest.fixture
def core() -> Iterator[CoreServer]:
    server = CoreServer(SECRET.encode()).start()
    yield server
    server.stop()


def test_every_http_client_the_workspace_opened_closes_with_it(tmp_path: Path, core: CoreServer) -> None:
    with FakeGateway() as gateway:
        settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'riskloop.db'}",
                            core_url=core.url, core_secret=SECRET)  # fmt: skip
        settings.home.mkdir(parents=True)
        sources = {"version": "bank-1", "sources": {"pboc": {"endpoint": gateway.url}}}
        (settings.home / "sources.json").write_text(json.dumps(sources))
        with Workspace.open(settings) as ws:
            port = ws.core_banking()
            sender = ws.outbox_dispatcher(webhooks={"alerts": "http://127.0.0.1:9/hook"}, secret="s" * 16).sender
            source = ws.source_puller().sources["pboc"]
            assert isinstance(port, HttpCoreBanking)
            assert isinstance(sender, HttpxWebhookSender)
            assert isinstance(source, HttpGatewaySource)
            assert port.disburse(instruction(1)).status is CoreStatus.CONFIRMED
            assert not any(c.client.is_closed for c in (port, sender, source))
    assert all(c.client.is_closed for c in (port, sender, source))  # their pooled connections went with it
    assert port.disburse(instruction(2)).status is CoreStatus.UNANSWERED  # a closed client: unanswered, not raised
    assert "DD-0002" not in core.payments
