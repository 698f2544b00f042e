"""Schemathesis as a collector and a collection lead (``fuzzing``)."""

from __future__ import annotations

from typing import Any

import pytest
from fuzzing import fuzz_role, started

__all__ = ["started"]  # the fixture


@pytest.mark.parametrize("role", ["carl", "lena"])
def test_no_server_error_and_every_response_conforms(started: tuple[Any, dict[str, str]], role: str) -> None:
    fuzz_role(started, role)
