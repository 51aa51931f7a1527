"""XGBoost's own predict_proba is float32 and goes through the C library's expf, which is within
0.502 ulp of exp but not always correctly rounded; the SQL's exp is. On the rare margins where the
two roundings differ, predict_proba and the SQL are a float32 ulp or two apart. This says, row by
row, whether a difference is exactly that and nothing else (the tests and the benchmark use it)."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

import numpy as np

EXP_ARGUMENT_CAP = np.float32(88.7)  # XGBoost's cap on -margin before expf


@cache
def _libm_expf():
    expf = ctypes.CDLL(ctypes.util.find_library("m")).expf
    expf.argtypes, expf.restype = [ctypes.c_float], ctypes.c_float
    return expf


def xgboost_probability(exponential: np.float32) -> np.float32:
    """XGBoost's float32 sigmoid from exp(-margin): 1 / (1 + e + 1e-16), each step in float32."""
    one = np.float32(1.0)
    return np.float32(one / np.float32(np.float32(exponential + one) + np.float32(1e-16)))


def explained_by_expf(expected: float, got: float, margin: float) -> bool:
    """The margin (a float32) through XGBoost's sigmoid with the C library's expf gives predict_proba
    bit for bit, with a correctly rounded exp it gives the SQL's probability, and the two differ."""
    single = np.float32(margin)
    if float(single) != margin:
        return False
    argument = min(-single, EXP_ARGUMENT_CAP)
    by_libm = np.float32(_libm_expf()(float(argument)))
    rounded = np.float32(np.exp(float(argument)))
    return (
        by_libm != rounded
        and xgboost_probability(by_libm) == np.float32(expected)
        and xgboost_probability(rounded) == np.float32(got)
    )
