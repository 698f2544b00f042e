"""Log scrubbing: identifiers in any log record are masked before a handler sees them."""

from __future__ import annotations

import logging

import pytest

from riskloop.privacy import scrub

RAW = ("11010519491231002X", "13800138000", "zhang.san@example.com")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("id=11010519491231002X.", "id=110105**********2X."),
        ("call +86 138 0013 8000 now", "call 138****8000 now"),
        ("１３８００１３８０００", "１３８****８０００"),  # full-width digits are digits too
        ("mail zhang.san@example.com", "mail z***@example.com"),
        ("order 1234567890123456789012 amount 13800", "order 1234567890123456789012 amount 13800"),
        ("credit code 91420100000000001X", "credit code 91420100000000001X"),
    ],
)
def test_identifier_patterns_are_masked_and_other_numbers_are_not(text: str, want: str) -> None:
    assert scrub.scrub(text) == want


def test_every_log_record_is_scrubbed_once_installed(caplog: pytest.LogCaptureFixture) -> None:
    scrub.install()
    scrub.install()  # idempotent
    logger = logging.getLogger("riskloop.test.scrub")
    with caplog.at_level(logging.INFO, logger="riskloop.test.scrub"):
        logger.info("applicant %s phone %s", RAW[0], RAW[1])
        try:
            raise ValueError(f"bad row {RAW[2]}")
        except ValueError:
            logger.exception("insert failed for %s", RAW[1])
    text = caplog.text
    assert "110105**********2X" in text
    assert "ValueError: bad row z***@example.com" in text  # the traceback too
    for raw in RAW:
        assert raw not in text
