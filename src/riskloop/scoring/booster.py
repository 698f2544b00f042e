"""A LightGBM text model held by LightGBM's C library through ctypes, without the ``lightgbm`` Python package.

``import lightgbm`` imports scikit-learn (and pandas) whenever they are installed (``lightgbm/compat.py``):
about a second and 100 MB that serving does not use. Serving needs four things of a booster, all of them
C API calls that LightGBM's own ``Booster`` makes: load the text model, dump its trees as JSON (compiled by
``scoring.trees``), compute ``pred_contrib`` (reason codes) and raw scores (models with categorical splits,
which the compiled trees do not take: the collection policy's reward model). Here they are called on the same
``lib_lightgbm`` file the package ships, found without executing the package, so the values are the
package's to the bit (tests compare them with ``lightgbm.Booster``).
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from riskloop.errors import DataSourceError, ValidationError
from riskloop.scoring.model_text import check_model_text

FloatArray = npt.NDArray[np.float64]
PREDICT_RAW_SCORE = 1  # C_API_PREDICT_RAW_SCORE
PREDICT_CONTRIB = 3  # C_API_PREDICT_CONTRIB
DTYPE_FLOAT64 = 1  # C_API_DTYPE_FLOAT64
ROW_MAJOR = 1  # C_API_IS_ROW_MAJOR
ALL_ITERATIONS = -1  # what lightgbm.Booster uses for a model loaded from text (its best_iteration is -1)
IMPORTANCE_SPLIT = 0  # dump_model()'s default importance type


def _library_file() -> Path:
    """``lib_lightgbm`` of the installed lightgbm package, looked up where ``lightgbm.libpath`` looks."""
    spec = importlib.util.find_spec("lightgbm")  # a top-level lookup: the package is not executed
    if spec is None or not spec.submodule_search_locations:
        raise DataSourceError("lightgbm is not installed; serving a GBDT sub-model needs its C library")
    package = Path(next(iter(spec.submodule_search_locations)))
    name = {"win32": "lib_lightgbm.dll", "darwin": "lib_lightgbm.dylib"}.get(sys.platform, "lib_lightgbm.so")
    for folder in (package.parent, package / "bin", package / "lib"):
        if (folder / name).is_file():
            return folder / name
    raise DataSourceError(f"{package}: no {name} in the lightgbm package")


@functools.cache
def library() -> ctypes.CDLL:
    """The LightGBM C library (the process's one copy: the dynamic loader shares it with ``import lightgbm``)."""
    lib = ctypes.cdll.LoadLibrary(str(_library_file()))
    lib.LGBM_GetLastError.restype = ctypes.c_char_p
    return lib


def check(ret: int) -> None:
    """Raise LightGBM's last error when a C API call returned non-zero."""
    if ret != 0:
        message = library().LGBM_GetLastError()
        raise ValidationError("booster", message.decode("utf-8") if message else "LightGBM C API call failed")


def _feature_names(text: str) -> tuple[str, ...]:
    """The ``feature_names=`` line of a LightGBM text model's header (empty when it has none)."""
    for line in text.split("\n", 64)[:64]:
        if line.startswith("feature_names="):
            return tuple(line.removeprefix("feature_names=").split())
    return ()


class NativeBooster:
    """One LightGBM text model in the C library.

    Examples
    --------
    >>> booster = NativeBooster(text)  # doctest: +SKIP
    >>> booster.dump_model()["tree_info"][0]["tree_structure"]["split_feature"]  # doctest: +SKIP
    0
    >>> booster.contributions(matrix).shape  # rows x (features + 1)  # doctest: +SKIP
    (10, 4)

    """

    def __init__(self, text: str, name: str = "booster") -> None:
        check_model_text(text, name)  # a malformed text aborts the process inside the C library: refused here
        lib = self.lib = library()  # kept for __del__, which may run while the module is torn down
        self.handle = ctypes.c_void_p()
        iterations = ctypes.c_int(0)
        check(lib.LGBM_BoosterLoadModelFromString(text.encode(), ctypes.byref(iterations), ctypes.byref(self.handle)))
        count = ctypes.c_int(0)
        check(lib.LGBM_BoosterGetNumFeature(self.handle, ctypes.byref(count)))
        self.num_feature = count.value
        check(lib.LGBM_BoosterNumberOfTotalModel(self.handle, ctypes.byref(count)))
        self.num_trees = count.value
        self.feature_names = _feature_names(text)

    def dump_model(self) -> dict[str, Any]:
        """The trees as JSON, exactly as ``lightgbm.Booster.dump_model()`` parses them (bar ``pandas_categorical``)."""
        size = 1 << 20
        while True:
            buffer, needed = ctypes.create_string_buffer(size), ctypes.c_int64(0)
            check(
                self.lib.LGBM_BoosterDumpModel(
                    self.handle,
                    ctypes.c_int(0),
                    ctypes.c_int(ALL_ITERATIONS),
                    ctypes.c_int(IMPORTANCE_SPLIT),
                    ctypes.c_int64(size),
                    ctypes.byref(needed),
                    buffer,
                )
            )
            if needed.value <= size:
                dump: dict[str, Any] = json.loads(buffer.value.decode("utf-8"))
                return dump
            size = needed.value

    def contributions(self, matrix: FloatArray) -> FloatArray:
        """``pred_contrib`` of every row: one value per feature, then the expected value (rows x features + 1)."""
        return self._predict(matrix, PREDICT_CONTRIB, self.num_feature + 1)

    def raw_scores(self, matrix: FloatArray) -> FloatArray:
        """``Booster.predict(matrix, raw_score=True)`` of a single-output model: one value per row."""
        return self._predict(matrix, PREDICT_RAW_SCORE, 1)[:, 0]

    def _predict(self, matrix: FloatArray, kind: int, width: int) -> FloatArray:
        x = np.ascontiguousarray(matrix, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.num_feature:
            raise ValidationError("matrix", f"needs rows of {self.num_feature} values, got shape {x.shape}")
        out = np.empty(x.shape[0] * width, dtype=np.float64)
        written = ctypes.c_int64(0)
        check(
            self.lib.LGBM_BoosterPredictForMat(
                self.handle,
                x.ctypes.data_as(ctypes.c_void_p),
                ctypes.c_int(DTYPE_FLOAT64),
                ctypes.c_int32(x.shape[0]),
                ctypes.c_int32(x.shape[1]),
                ctypes.c_int(ROW_MAJOR),
                ctypes.c_int(kind),
                ctypes.c_int(0),
                ctypes.c_int(ALL_ITERATIONS),
                ctypes.c_char_p(b""),  # Booster.predict's parameters when given no keyword arguments
                ctypes.byref(written),
                out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
            )
        )
        return out[: written.value].reshape(x.shape[0], width)

    def __del__(self) -> None:
        handle = getattr(self, "handle", None)
        if handle is not None and handle.value:
            self.lib.LGBM_BoosterFree(handle)
