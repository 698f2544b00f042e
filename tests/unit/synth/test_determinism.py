import hashlib
import json
from pathlib import Path

import pytest

from riskloop.errors import ConfigError
from riskloop.synth.params import UniverseParams
from riskloop.synth.universe import generate_universe

SMALL = 2_000


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("det")
    params = UniverseParams(enterprises=SMALL, seed=11, chunk_size=500)
    out = {"a": base / "a", "b": base / "b", "w2": base / "w2", "other": base / "other"}
    generate_universe(params, out["a"], workers=1)
    generate_universe(params, out["b"], workers=1)
    generate_universe(params, out["w2"], workers=2)
    generate_universe(UniverseParams(enterprises=SMALL, seed=12, chunk_size=500), out["other"], workers=1)
    return out


def test_same_seed_gives_identical_bytes(runs: dict[str, Path]) -> None:
    first = _digests(runs["a"])
    # 4 chunks of 36 tables (28 + collection's 5 + credit_report_loans + risk_documents + document_reviews), the
    # enterprises' history, the consumer invoices, the bureau's report documents and the registration log's parts
    # (events/registrations); the truth files (with the future's two, generator 1.9.0); the manifest
    assert len(first) == 40 * 4 + 15 + 1
    assert first == _digests(runs["b"])


def test_worker_count_does_not_change_output(runs: dict[str, Path]) -> None:
    assert _digests(runs["a"]) == _digests(runs["w2"])


def test_different_seed_differs(runs: dict[str, Path]) -> None:
    first, other = _digests(runs["a"]), _digests(runs["other"])
    assert first.keys() == other.keys()
    assert first["tables/enterprises/part-00000.parquet"] != other["tables/enterprises/part-00000.parquet"]


def test_manifest_records_every_file_with_its_hash(runs: dict[str, Path]) -> None:
    manifest = json.loads((runs["a"] / "manifest.json").read_text(encoding="utf-8"))
    digests = _digests(runs["a"])
    digests.pop("manifest.json")
    assert {path: entry["sha256"] for path, entry in manifest["files"].items()} == digests
    assert manifest["seed"] == 11
    assert manifest["rows"]["enterprises"] == SMALL
    assert manifest["truth_rows"]["enterprises"] == SMALL


def test_regenerating_into_the_same_directory_replaces_it(tmp_path: Path) -> None:
    params = UniverseParams(enterprises=300, seed=1)
    generate_universe(params, tmp_path / "u", workers=1)
    before = _digests(tmp_path / "u")
    generate_universe(params, tmp_path / "u", workers=1)
    assert _digests(tmp_path / "u") == before


def test_refuses_a_foreign_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ConfigError):
        generate_universe(UniverseParams(enterprises=300, seed=1), tmp_path, workers=1)
