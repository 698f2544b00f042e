"""TreeSHAP contributions of one row through LightGBM's single-row fast C API.

``NativeBooster.contributions`` (``Booster.predict(x, pred_contrib=True)``) re-validates its input and
re-reads the prediction config on every call, which costs more than the TreeSHAP arithmetic for one row of a
small booster. LightGBM's ``LGBM_BoosterPredictForMatSingleRowFast`` takes a config prepared once; it runs the
same predictor, so the values are equal bit for bit (tests check parity). Calls on one config are serialised:
the config holds the predictor's row buffer.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np
import numpy.typing as npt

from riskloop.scoring.booster import ALL_ITERATIONS, DTYPE_FLOAT64, PREDICT_CONTRIB, NativeBooster, check

FloatArray = npt.NDArray[np.float64]


class RowContributions:
    """``pred_contrib`` of single rows for one booster: one value per feature, then the expected value.

    Examples
    --------
    >>> contrib = RowContributions(NativeBooster(text))  # doctest: +SKIP
    >>> contrib.row(np.array([0.3, np.nan, 2.0]))  # doctest: +SKIP
    array([ 0.12, -0.03,  0.41, -2.9 ])

    """

    def __init__(self, booster: NativeBooster) -> None:
        self.booster = booster  # keeps the handle alive as long as the config
        self._lib = booster.lib
        self.features = booster.num_feature
        self._config = ctypes.c_void_p()
        check(
            self._lib.LGBM_BoosterPredictForMatSingleRowFastInit(
                booster.handle,
                ctypes.c_int(PREDICT_CONTRIB),
                ctypes.c_int(0),  # start iteration
                ctypes.c_int(ALL_ITERATIONS),  # every iteration (the best one when early stopping kept only those)
                ctypes.c_int(DTYPE_FLOAT64),
                ctypes.c_int32(self.features),
                ctypes.c_char_p(b"num_threads=1"),
                ctypes.byref(self._config),
            )
        )
        self._out = np.empty(self.features + 1, dtype=np.float64)
        self._out_len = ctypes.c_int64(0)
        self._lock = threading.Lock()

    def row(self, values: FloatArray) -> FloatArray:
        """Contributions of one row (``features`` float64 values, NaN for missing); a new array."""
        x = np.ascontiguousarray(values, dtype=np.float64)
        if x.shape != (self.features,):
            raise ValueError(f"row needs {self.features} values, got shape {x.shape}")
        with self._lock:
            check(
                self._lib.LGBM_BoosterPredictForMatSingleRowFast(
                    self._config,
                    x.ctypes.data_as(ctypes.c_void_p),
                    ctypes.byref(self._out_len),
                    self._out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                )
            )
            return self._out.copy()

    def __del__(self) -> None:
        config = getattr(self, "_config", None)
        if config is not None and config.value:
            self._lib.LGBM_FastConfigFree(config)
