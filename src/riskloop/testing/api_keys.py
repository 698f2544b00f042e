"""API keys for tests of the HTTP API: a key per named person, and requests sent as one of them."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from riskloop.service.api_keys import ApiKeyAdmin

# The people the API tests name and the roles they need: ann and bob review, author and approve; cat authors
# and reviews; dan approves and audits; paul and pia work post-loan alerts; ``channel`` posts applications.
PEOPLE: dict[str, tuple[str, ...]] = {
    "channel": ("channel",),
    "ann": ("reviewer", "analyst", "approver"),
    "bob": ("reviewer", "analyst", "approver"),
    "cat": ("reviewer", "analyst"),
    "dan": ("approver", "auditor"),
    "paul": ("post_loan_officer",),
    "pia": ("post_loan_officer",),
}


def bearer(secret: str) -> dict[str, str]:
    """The Authorization header of ``secret``."""
    return {"Authorization": f"Bearer {secret}"}


class Caller:
    """Requests on ``client`` as one principal: its key's Authorization header on every call."""

    def __init__(self, client: TestClient, secret: str) -> None:
        self.client, self.secret = client, secret

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """Any request, authenticated."""
        kw["headers"] = {**kw.get("headers", {}), **bearer(self.secret)}
        response: httpx.Response = self.client.request(method, url, **kw)
        return response

    def get(self, url: str, **kw: Any) -> httpx.Response:
        """GET, authenticated."""
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        """POST, authenticated."""
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        """PUT, authenticated."""
        return self.request("PUT", url, **kw)


def authenticate(client: TestClient, people: dict[str, tuple[str, ...]] | None = None) -> dict[str, Caller]:
    """A key per person on the started app's database; ``client`` sends the channel's by default."""
    keys: ApiKeyAdmin = client.app.state.services.keys  # type: ignore[attr-defined]
    secrets = {name: keys.create(name, roles, actor="test").secret for name, roles in (people or PEOPLE).items()}
    if "channel" in secrets:
        client.headers.update(bearer(secrets["channel"]))
    return {name: Caller(client, secret) for name, secret in secrets.items()}
