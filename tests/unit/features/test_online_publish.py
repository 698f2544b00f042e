"""Publishing enterprise features for online lookup: the use case and the ``riskloop features`` command."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from riskloop.cli.main import app
from riskloop.config import load_settings
from riskloop.domain.clock import FixedClock
from riskloop.errors import ConfigError, DataSourceError
from riskloop.features.backends.duckdb import DuckDBFeatureEngine
from riskloop.features.publish import ENTERPRISE_FEATURE_SET, ENTERPRISE_GROUPS, enterprise_spine
from riskloop.service.publish_features import publish_features
from riskloop.testing.fake_feature_store import InMemoryFeatureStore
from riskloop.testing.feature_fixtures import AS_OF, CODE, base_tables, write_tables
from riskloop.testing.tables import credit_code, row
from riskloop.workspace import FEATURE_ENGINES, Workspace

AT = dt.datetime(2025, 6, 15, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    tables = base_tables()
    tables["enterprises"].append(row("enterprises", credit_code=credit_code(8), established_date=dt.date(2024, 1, 1)))
    write_tables(tmp_path / "home" / "warehouse", tables)
    return tmp_path / "home" / "warehouse"


def test_every_enterprise_is_published_with_the_engine_values(warehouse: Path) -> None:
    store = InMemoryFeatureStore(FixedClock(AT))
    result = publish_features(DuckDBFeatureEngine(warehouse), store, warehouse, AS_OF)
    assert (result.feature_set, result.as_of, result.enterprises) == (ENTERPRISE_FEATURE_SET, AS_OF, 2)
    expected = DuckDBFeatureEngine(warehouse).compute(enterprise_spine(warehouse, AS_OF), ENTERPRISE_GROUPS)
    for want in expected.to_pylist():
        got = store.lookup(ENTERPRISE_FEATURE_SET, want.pop("application_id"))
        assert got is not None
        assert dict(got.values) == want
        assert got.as_of == AS_OF
    mine = store.lookup(ENTERPRISE_FEATURE_SET, CODE)
    assert mine is not None
    assert mine.values["fin_debt_ratio"] == pytest.approx(0.4)
    assert mine.values["reg_firm_age_days"] == (AS_OF - dt.date(2020, 6, 15)).days
    assert not any(name.startswith(("app_", "avail_application")) for name in mine.values)
    other = store.lookup(ENTERPRISE_FEATURE_SET, credit_code(8))
    assert other is not None
    assert other.values["fin_debt_ratio"] is None  # no statement filed
    assert other.values["tax_filing_months_12m"] == 0


def test_publishing_needs_the_enterprises_table(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="enterprises"):
        publish_features(DuckDBFeatureEngine(tmp_path), InMemoryFeatureStore(FixedClock(AT)), tmp_path, AS_OF)


def test_unknown_engine_lists_the_valid_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="valid: duckdb, spark"):
        FEATURE_ENGINES.create("polars", tmp_path)


def test_the_spark_engine_without_the_spark_extra_says_how_to_install_it(
    tmp_path: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if PySpark were not installed: find_spec gives None
    with pytest.raises(ConfigError, match=r"pip install 'riskloop\[spark\]'"):
        FEATURE_ENGINES.create("spark", tmp_path)
    refused = CliRunner().invoke(app, _cli(tmp_path, "features", "publish", "--engine", "spark"))
    assert refused.exit_code == 2
    assert "pip install 'riskloop[spark]'" in refused.stderr
    assert "Traceback" not in refused.output


def _cli(tmp_path: Path, *args: str) -> list[str]:
    return ["--home", str(tmp_path / "home"), "--database-url", f"sqlite:///{tmp_path / 'cli.db'}", *args]


@pytest.fixture
def workspace(tmp_path: Path, warehouse: Path) -> Path:
    """The warehouse's workspace, its database created (as an ingest would)."""
    Workspace.open(load_settings(tmp_path / "home", f"sqlite:///{tmp_path / 'cli.db'}")).close()
    return tmp_path / "home"


def test_cli_publishes_then_shows_one_enterprise(tmp_path: Path, workspace: Path) -> None:
    runner = CliRunner()
    published = runner.invoke(app, _cli(tmp_path, "features", "publish", "--as-of", AS_OF.isoformat(), "--json"))
    assert published.exit_code == 0, published.output
    payload = json.loads(published.stdout)
    assert {k: payload[k] for k in ("feature_set", "as_of", "enterprises")} == {
        "feature_set": ENTERPRISE_FEATURE_SET,
        "as_of": "2025-06-15",
        "enterprises": 2,
    }
    assert payload["seconds"] >= 0
    shown = runner.invoke(app, _cli(tmp_path, "features", "show", CODE, "--json"))
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.stdout)
    assert (record["credit_code"], record["as_of"]) == (CODE, "2025-06-15")
    assert record["values"]["reg_legal_rep_changes_3y"] == 1
    assert record["values"]["inv_sales_trend"] is None
    human = runner.invoke(app, _cli(tmp_path, "features", "show", CODE))
    assert human.exit_code == 0, human.output
    assert "fin_debt_ratio" in human.stdout


def test_cli_errors_are_one_line_without_traceback(tmp_path: Path, workspace: Path) -> None:
    runner = CliRunner()
    bad_engine = runner.invoke(app, _cli(tmp_path, "features", "publish", "--engine", "polars"))
    assert bad_engine.exit_code == 2
    assert "valid: duckdb, spark" in bad_engine.stderr
    bad_date = runner.invoke(app, _cli(tmp_path, "features", "publish", "--as-of", "June"))
    assert bad_date.exit_code == 2
    assert "--as-of" in bad_date.stderr
    unknown = runner.invoke(app, _cli(tmp_path, "features", "show", credit_code(77), "--json"))
    assert unknown.exit_code == 3
    assert json.loads(unknown.stderr)["error"] == "NotFoundError"
    assert all("Traceback" not in r.output for r in (bad_engine, bad_date, unknown))
