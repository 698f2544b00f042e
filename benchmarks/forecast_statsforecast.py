"""Per-series statsforecast forecasts for ``bench_forecast``, run in an interpreter that has statsforecast.

statsforecast 2.1.1 needs pandas < 3 and riskloop's environment pins pandas 3, so the benchmark runs this
script in a separate virtual environment (``--statsforecast-python``) and passes the series through ``.npz``
files. It imports numpy, pandas and statsforecast only (never riskloop).

Input (``--input``): ``values`` (series x months, NaN before each series' history), ``last_month`` (the last
month, ``YYYY-MM``), ``horizon``. Output (``--output``): per model, ``<model>_mean``, ``<model>_lo`` and
``<model>_hi`` (series x horizon, the 80 % interval where the model gives one, else NaN), ``<model>_seconds``.
Models: AutoETS and AutoTheta (season 12) for every series, ADIDA (intermittent demand, no interval), and
``auto``: ADIDA where at least 30 % of the months are zero, else AutoETS.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import ADIDA, AutoETS, AutoTheta, Naive

SEASON = 12
INTERMITTENT = 0.3


def main() -> None:
    """Read the series, forecast, write the forecasts."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    data = np.load(args.input)
    values, horizon = data["values"], int(data["horizon"])
    last = pd.Period(str(data["last_month"]), freq="M")
    frame = _long(values, last)
    out: dict[str, np.ndarray] = {}
    models = {"AutoETS": AutoETS(season_length=SEASON), "AutoTheta": AutoTheta(season_length=SEASON), "ADIDA": ADIDA()}
    for name, model in models.items():
        started = time.perf_counter()
        sf = StatsForecast(models=[model], freq="MS", n_jobs=args.jobs, fallback_model=Naive())
        result = sf.forecast(df=frame, h=horizon, level=[80])
        out[f"{name}_seconds"] = np.array(time.perf_counter() - started)
        ids = result["unique_id"].to_numpy().astype(np.int64)
        step = result.groupby("unique_id").cumcount().to_numpy()
        for part, column in (("mean", name), ("lo", f"{name}-lo-80"), ("hi", f"{name}-hi-80")):
            grid = np.full((len(values), horizon), np.nan)
            if column in result.columns:
                grid[ids, step] = result[column].to_numpy(dtype=np.float64)
            out[f"{name}_{part}"] = grid
    zero_share = np.nanmean(np.where(np.isnan(values), np.nan, values == 0), axis=1)
    intermittent = np.nan_to_num(zero_share, nan=0.0) >= INTERMITTENT
    for part in ("mean", "lo", "hi"):
        out[f"auto_{part}"] = np.where(intermittent[:, None], out[f"ADIDA_{part}"], out[f"AutoETS_{part}"])
    np.savez(args.output, **out)


def _long(values: np.ndarray, last: pd.Period) -> pd.DataFrame:
    """The series in statsforecast's long form (unique_id, ds, y), each from its first month of history."""
    months = values.shape[1]
    has = ~np.isnan(values)
    row, col = np.nonzero(has)
    periods = pd.period_range(end=last, periods=months, freq="M").to_timestamp()
    frame = pd.DataFrame({"unique_id": row, "ds": periods[col], "y": values[row, col]})
    single = frame.groupby("unique_id")["y"].transform("size") < 2  # one month: repeat it (no model fits one)
    extra = frame[single].assign(ds=lambda f: f["ds"] - pd.offsets.MonthBegin(1))
    return pd.concat([extra, frame]).sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)


if __name__ == "__main__":
    main()
