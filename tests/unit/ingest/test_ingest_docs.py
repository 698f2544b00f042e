"""docs/data-formats.md is exactly what scripts/gen_data_formats.py generates from the contract."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_data_formats_doc_matches_the_contract():
    spec = importlib.util.spec_from_file_location("gen_data_formats", ROOT / "scripts" / "gen_data_formats.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = (ROOT / "docs" / "data-formats.md").read_text(encoding="utf-8")
    assert committed == module.render(), "docs/data-formats.md is stale: run python scripts/gen_data_formats.py"
