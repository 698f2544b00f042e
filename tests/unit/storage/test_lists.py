"""A list file is read as credit codes, or refused with why it cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskloop.errors import DataSourceError
from riskloop.storage.lists import read_list


def test_a_list_holds_its_codes_and_an_unreadable_one_says_why(tmp_path: Path) -> None:
    path = tmp_path / "blacklist.txt"
    path.write_text("# bank blacklist\n91330100ma2h3x4y5z  # fraud 2026\n\n91110000600037341L\n", encoding="utf-8")
    assert read_list(path) == frozenset({"91330100MA2H3X4Y5Z", "91110000600037341L"})
    with pytest.raises(DataSourceError, match=r"blacklist .*missing\.txt cannot be read \(FileNotFoundError"):
        read_list(tmp_path / "missing.txt")
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(DataSourceError, match="UnicodeDecodeError"):
        read_list(path)
