"""The verification rig of these tests (``verification_rig``)."""

from __future__ import annotations

import pytest
from verification_rig import Rig, make_rig


@pytest.fixture
def rig() -> Rig:
    return make_rig()
