"""``/console`` serves the built app: deep links answer its index, hashed assets are cached for good, nothing
outside the build is reachable, and without a build a clear 503 says how to make one."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from riskloop.api import console, errors


def _client(build: Path) -> TestClient:
    app = FastAPI()
    errors.install(app)
    console.install(app, build=build)
    return TestClient(app)


def _built(tmp_path: Path) -> Path:
    build = tmp_path / "console"
    (build / "assets").mkdir(parents=True)
    (build / "index.html").write_text('<div id="root"></div><script src="/console/assets/index-abc.js"></script>')
    (build / "assets" / "index-abc.js").write_text("console.log(1)")
    (build / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return build


def test_deep_links_answer_the_index_uncached(tmp_path: Path) -> None:
    client = _client(_built(tmp_path))
    for path in ("/console", "/console/", "/console/reviews/dec_1", "/console/strategies/reference"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<div id="root">' in page.text
        assert page.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_and_root_files_served(tmp_path: Path) -> None:
    client = _client(_built(tmp_path))
    asset = client.get("/console/assets/index-abc.js")
    assert asset.status_code == 200
    assert asset.text == "console.log(1)"
    assert "immutable" in asset.headers["cache-control"]
    assert client.get("/console/favicon.svg").text == "<svg/>"
    assert client.get("/console/assets/missing.js").status_code == 404


def test_nothing_outside_the_build_is_served(tmp_path: Path) -> None:
    client = _client(_built(tmp_path))
    for path in ("/console/../secret.txt", "/console/%2e%2e/secret.txt", "/console/assets/../../secret.txt"):
        answer = client.get(path)
        assert "outside the build" not in answer.text, path


def test_without_a_build_a_problem_says_how_to_build(tmp_path: Path) -> None:
    answer = _client(tmp_path / "nothing").get("/console/reviews")
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "make console" in answer.json()["message"]
