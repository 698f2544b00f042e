"""The served forecaster: sha256-checked files, the schema, ordered intervals, short and zero series."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from riskloop.errors import ConfigError, DataSourceError
from riskloop.forecast.model import MANIFEST, ForecastModel, sha256_file
from riskloop.forecast.schema import FORECAST_SCHEMA, HORIZONS, KINDS, sum_column
from riskloop.forecast.series import monthly_series
from riskloop.forecast.train import ForecastConfig, train_forecaster
from riskloop.testing.forecast_tables import (
    AS_OF,
    SILENT,
    STEADY,
    YOUNG,
    invoice_row,
    vat_row,
    write_forecast_tables,
)
from riskloop.testing.tables import credit_code, row


def _columns(table: pa.Table, kind: str, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(table[sum_column(kind, h, b)].to_numpy() for b in ("lo", "", "hi"))  # type: ignore[return-value]


def test_forecasts_have_the_schema_and_ordered_finite_intervals(
    forecast_model: ForecastModel, forecast_tables: Path, forecast_cut: dt.date
) -> None:
    series = monthly_series(forecast_tables, forecast_cut)
    table = forecast_model.forecast(series)
    assert table.schema == FORECAST_SCHEMA
    assert table.num_rows == int((series.history_months > 0).sum()) > 1000
    for kind in KINDS:
        previous = np.zeros(table.num_rows)
        for h in HORIZONS:
            lo, point, hi = _columns(table, kind, h)
            assert np.isfinite(lo).all()
            assert np.isfinite(hi).all()
            assert (lo >= 0).all()
            assert (lo <= point).all()
            assert (point <= hi).all()
            assert (point >= previous).all()  # a longer sum is never smaller
            previous = point
    growth = table["growth_12m"].to_numpy(zero_copy_only=False)
    last = table["last_12m_sales"].to_numpy()
    expected = table["sales_12m"].to_numpy() / np.where(last > 0, last, np.nan) - 1
    np.testing.assert_allclose(growth[last > 0], expected[last > 0])
    assert table["growth_12m"].null_count == int((last == 0).sum())
    p = table["p_growth_20"].to_numpy(zero_copy_only=False)
    assert ((p[last > 0] >= 0) & (p[last > 0] <= 1)).all()
    # the probability of growing by 20 % agrees with the interval: high where even the low end grows that much
    lo12, _, hi12 = _columns(table, "sales", 12)
    known = last > 0
    assert (p[known & (lo12 >= 1.2 * last)] > 0.85).all()
    assert (p[known & (hi12 < 1.2 * last)] < 0.15).all()


def test_short_and_silent_series_give_finite_forecasts(forecast_model: ForecastModel, tmp_path: Path) -> None:
    zero = credit_code(201)
    extra = {
        "enterprises": [
            row(
                "enterprises",
                credit_code=zero,
                kind="individual_business",
                industry_section="F",
                established_date=dt.date(2022, 1, 1),
                valid_from=None,
            ),
        ],
        "tax_declarations": [
            vat_row(
                zero,
                dt.date(2024 + (m + 5) // 12, (m + 5) % 12 + 1, 1),
                0,
                dt.date(2025, 6, 5) if m == 11 else dt.date(2024 + (m + 6) // 12, (m + 6) % 12 + 1, 3),
            )
            for m in range(12)
        ],
        "invoices": [invoice_row("Q0001", SILENT, None, dt.date(2025, 6, 2), 1_00)],  # this month: not yet
    }
    series = monthly_series(write_forecast_tables(tmp_path, extra), AS_OF)
    table = forecast_model.forecast(series)
    codes = table["credit_code"].to_pylist()
    assert SILENT not in codes  # no history: no forecast
    assert {STEADY, YOUNG, zero} <= set(codes)
    for name in table.column_names[1:]:
        values = table[name].to_numpy(zero_copy_only=False).astype(np.float64)
        assert not np.isinf(values).any(), name
    at = codes.index(zero)
    # twelve zero declarations, no invoice: nothing sold is forecast, growth unknown
    assert all(table[sum_column("sales", h)][at].as_py() == 0.0 for h in HORIZONS)
    assert table["growth_12m"][at].as_py() is None
    assert table["p_growth_20"][at].as_py() is None
    young = codes.index(YOUNG)
    assert table["history_months"][young].as_py() == 7
    assert table["last_12m_sales"][young].as_py() == 30_000.0
    assert math.isfinite(table["growth_12m"][young].as_py())


def test_a_changed_model_file_is_refused(forecast_folder: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(forecast_folder, tmp_path / "model")
    victim = next(copy.glob("sales_3m_q50.txt"))
    victim.write_text(victim.read_text().replace("learning_rate", "learning_rate ", 1))
    with pytest.raises(DataSourceError, match="sha256 does not match the manifest"):
        ForecastModel.load(copy)


def test_a_changed_manifest_is_refused_against_its_registered_digest(forecast_folder: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(forecast_folder, tmp_path / "model")
    registered = sha256_file(copy / MANIFEST)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["calibration"]["margins"]["sales_12m"] = [0.0, 0.0, 0.0]
    (copy / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(DataSourceError, match="registered"):
        ForecastModel.load(copy, manifest_sha256=registered)
    ForecastModel.load(copy)  # without a registered digest the files still match their manifest


def test_a_model_of_other_features_is_refused(forecast_folder: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(forecast_folder, tmp_path / "model")
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["features"] = manifest["features"][:-1]
    (copy / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ConfigError, match="other features"):
        ForecastModel.load(copy)
    with pytest.raises(DataSourceError, match="not a forecast model"):
        ForecastModel.load(tmp_path / "nowhere")


def test_the_manifest_lists_every_file_with_its_digest(forecast_folder: Path) -> None:
    manifest = json.loads((forecast_folder / MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(p.name for p in forecast_folder.glob("*.txt"))
    for name, digest in manifest["files"].items():
        assert sha256_file(forecast_folder / name) == digest
    assert manifest["training"]["rows"] > 5_000
    assert set(manifest["calibration"]["margins"]) == {f"{k}_{h}m" for k in KINDS for h in HORIZONS}


def test_training_is_deterministic(forecast_tables: Path, forecast_cut: dt.date, tmp_path: Path) -> None:
    small = ForecastConfig(rounds=5, max_rows=10_000, min_data_in_leaf=20, threads=2)
    first = train_forecaster(forecast_tables, forecast_cut, tmp_path / "a", seed=3, config=small)
    second = train_forecaster(forecast_tables, forecast_cut, tmp_path / "b", seed=3, config=small)
    assert (first / MANIFEST).read_bytes() == (second / MANIFEST).read_bytes()
    other = train_forecaster(forecast_tables, forecast_cut, tmp_path / "c", seed=4, config=small)
    assert (other / MANIFEST).read_bytes() != (first / MANIFEST).read_bytes()
