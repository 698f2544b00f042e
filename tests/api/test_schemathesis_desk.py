"""Schemathesis as an approver, an auditor and a post-loan officer (``fuzzing``)."""

from __future__ import annotations

from typing import Any

import pytest
from fuzzing import fuzz_role, started

__all__ = ["started"]  # the fixture


@pytest.mark.parametrize("role", ["alma", "otto", "paul"])
def test_no_server_error_and_every_response_conforms(started: tuple[Any, dict[str, str]], role: str) -> None:
    fuzz_role(started, role)
