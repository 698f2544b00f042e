"""/docs works on a network without a CDN: its page references only URLs of this app, and they are served."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient

from riskloop.api.docs import ASSETS

URL = re.compile(r"""(?:href|src)=["']([^"']+)["']|url:\s*'([^']+)'""")


def test_docs_page_references_only_local_urls_that_are_served(client: TestClient) -> None:
    page = client.get("/docs", headers={"Authorization": ""})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = [a or b for a, b in URL.findall(page.text)]
    assert sorted(urls) == [
        "/docs/assets/favicon-32x32.png", "/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css",
        "/openapi.json",
    ]  # fmt: skip
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert '"validatorUrl": null' in page.text  # Swagger UI's badge would otherwise call validator.swagger.io
    for url in urls:
        served = client.get(url, headers={"Authorization": ""})
        assert served.status_code == 200, url
        assert len(served.content) > 500, url
    assert client.get("/redoc").status_code == 404  # its page would load from a CDN


def test_vendored_assets_are_swagger_ui_dist_byte_for_byte_with_their_licence() -> None:
    sums = dict(reversed(line.split("  ", 1)) for line in (ASSETS / "SHA256SUMS").read_text().splitlines())
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE", "NOTICE"} <= set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name
    assert "Apache License" in (ASSETS / "LICENSE").read_text()
    assert (ASSETS / "VERSION").read_text().startswith("swagger-ui-dist 5.")
