"""XGBoost's own predict_proba is float32 and goes through the C library's expf, which is within
0.502 ulp of exp but not always correctly rounded; the SQL's exp is. On the rare margins where the
two roundings differ, predict_proba and the SQL are one float32 ulp apart. These helpers prove that a
difference is exactly that, and nothing else."""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

TOLERANCE = 1e-9


def _libm_expf():
    expf = ctypes.CDLL(ctypes.util.find_library("m")).expf
    expf.argtypes, expf.restype = [ctypes.c_float], ctypes.c_float
    return expf


def _xgboost_probability(exponential: np.float32) -> np.float32:
    one = np.float32(1.0)
    return np.float32(one / np.float32(np.float32(exponential + one) + np.float32(1e-16)))


def with_libm_expf_rows(expected: np.ndarray, got: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """Where SQL and predict_proba differ, the difference must be XGBoost's expf alone: the SQL's
    margin, put through XGBoost's float32 sigmoid with the C library's expf, gives predict_proba bit
    for bit, and the correctly rounded exp differs from expf there. Those rows then compare with
    the SQL's own correctly rounded result; any other difference stays and fails the cell."""
    expf = _libm_expf()
    out = expected.copy()
    differ = np.flatnonzero(np.abs(np.nan_to_num(got - expected, nan=0.0)) > TOLERANCE)
    for row in differ:
        margin = np.float32(margins[row])
        assert float(margin) == margins[row], "the SQL margin is not a float32"
        argument = min(-margin, np.float32(88.7))
        by_libm = np.float32(expf(float(argument)))
        rounded = np.float32(np.exp(float(argument)))
        assert _xgboost_probability(by_libm) == np.float32(expected[row]), f"row {row}: not expf"
        assert by_libm != rounded, f"row {row}: expf agrees with exp, yet the probabilities differ"
        assert abs(got[row] - expected[row]) <= 2.0**-24, f"row {row}: more than one float32 ulp apart"
        out[row] = got[row]
    return out
