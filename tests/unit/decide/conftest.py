"""A decider on in-memory ports."""

from __future__ import annotations

import pytest

from riskloop.service.decide import Decider
from riskloop.testing.decider import make_decider


@pytest.fixture
def decider() -> Decider:
    return make_decider()
