"""The FaceMatcher contract, run against every adapter: the in-memory fake and the HTTP adapter talking to a local
fake vendor over real HTTP. Scores are in [0, 1]; a vendor error, timeout or malformed reply is not verified, and
no adapter raises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest

from riskloop.connectors.face_http import HttpFaceMatcher
from riskloop.testing.face_vendor import FaceVendorServer
from riskloop.testing.verification_fakes import MemoryFaceVendor

PERSON = "110105199003071239"
THRESHOLD = 0.8


@pytest.fixture(scope="module")
def server() -> Iterator[FaceVendorServer]:
    vendor = FaceVendorServer(hang=0.6, api_key="vendor-key").start()
    yield vendor
    vendor.stop()


@pytest.fixture(params=["memory", "http"])
def adapter(request: pytest.FixtureRequest) -> Iterator[tuple[Any, Any]]:
    """(the FaceMatcher, the vendor a test scripts)."""
    if request.param == "memory":
        fake = MemoryFaceVendor()
        yield fake, fake
        return
    server: FaceVendorServer = request.getfixturevalue("server")
    server.answer(95.0)
    matcher = HttpFaceMatcher(server.url, api_key="vendor-key", timeout=0.2)
    yield matcher, server
    matcher.close()


@pytest.mark.parametrize(("similarity", "live"), [(87.0, True), (100, True), (0, True), (55.5, False)])
def test_an_answer_is_a_score_in_the_unit_interval_with_liveness(adapter, similarity: float, live: bool) -> None:
    matcher, vendor = adapter
    vendor.answer(similarity, live)
    found = matcher.match(PERSON, b"\xff\xd8jpeg")
    assert found.error is None
    assert 0.0 <= found.score <= 1.0
    assert found.score == pytest.approx(similarity / 100)
    assert found.live is live
    assert found.verified(THRESHOLD) is (live and similarity / 100 >= THRESHOLD)


def test_a_photo_of_a_photo_is_not_verified_however_similar(adapter) -> None:
    matcher, vendor = adapter
    vendor.answer(99.0, live=False)
    assert not matcher.match(PERSON, b"jpeg").verified(THRESHOLD)


@pytest.mark.parametrize("mode", ["error", "timeout", "malformed"])
def test_a_vendor_fault_is_not_verified_and_never_raises(adapter, mode: str) -> None:
    matcher, vendor = adapter
    vendor.fault(mode)
    found = matcher.match(PERSON, b"jpeg")
    assert found.error is not None
    assert (found.score, found.live) == (0.0, False)
    assert not found.verified(0.0)


def test_the_vendor_is_asked_about_the_persons_id(adapter) -> None:
    matcher, vendor = adapter
    vendor.answer(90.0)
    matcher.match(PERSON, b"jpeg")
    assert vendor.calls[-1] == PERSON


def test_the_http_adapter_refuses_a_similarity_out_of_range_and_a_bad_key(server: FaceVendorServer) -> None:
    server.fault("out_of_range")
    with closing(HttpFaceMatcher(server.url, api_key="vendor-key", timeout=0.2)) as matcher:
        assert matcher.match(PERSON, b"jpeg").error == "malformed reply: similarity 130.0 outside 0..100"
    server.answer(90.0)
    with closing(HttpFaceMatcher(server.url, api_key="wrong", timeout=0.2)) as matcher:
        assert matcher.match(PERSON, b"jpeg").error == "vendor answered HTTP 401"
    with closing(HttpFaceMatcher("http://127.0.0.1:9", timeout=0.2)) as matcher:  # nothing listens: refused
        assert matcher.match(PERSON, b"jpeg").error is not None
