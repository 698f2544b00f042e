"""``riskloop text tag|train`` end to end on a SQLite workspace: one JSON object each, errors on stderr."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe


def run(home: Path, *args: str) -> tuple[int, Any, str]:
    result = CliRunner().invoke(app, ["--home", str(home), *args, "--json"])
    out = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, out, result.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace that ingested a small universe (its documents and the analysts' reviews)."""
    root = tmp_path_factory.mktemp("text")
    generate_universe(UniverseParams(enterprises=400, seed=11), root / "u", workers=1)
    code, _, err = run(root / "home", "ingest", str(root / "u"))
    assert code == 0, err
    return root / "home"


def test_tag_writes_the_tags_table_and_train_registers_a_model(home: Path) -> None:
    code, tagged, err = run(home, "text", "tag")
    assert code == 0, err
    assert tagged["tagger"] == "tag-lexicon-v2"  # no active model: the rules alone
    assert tagged["documents"] > 300
    assert tagged["tags"] == sum(tagged["by_tag"].values()) > 80
    table = pq.read_table(home / "warehouse" / "text_tags")
    assert table.num_rows == tagged["tags"]
    assert min(table["confidence"].to_pylist()) >= 0.5
    code, trained, err = run(home, "text", "train", "--seed", "3")
    assert code == 0, err
    assert trained["model_id"] == "text-tags-v1"
    assert trained["reviewed_documents"] >= 50
    assert (Path(trained["bundle"]) / "manifest.json").is_file()


def test_errors_go_to_stderr_with_a_non_zero_exit(tmp_path: Path) -> None:
    code, out, err = run(tmp_path / "empty", "text", "tag")
    assert code != 0
    assert out is None or "error" in out
    assert "ingest" in err or (out is not None and "ingest" in json.dumps(out))
