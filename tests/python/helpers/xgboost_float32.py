"""XGBoost's predict_proba and the SQL may differ on rare rows by XGBoost's float32 expf alone
(leadscore/bench/xgboost_expf.py says why); this proves each differing row is exactly that."""

from __future__ import annotations

import numpy as np

from leadscore.bench.xgboost_expf import explained_by_expf

TOLERANCE = 1e-9


def with_libm_expf_rows(expected: np.ndarray, got: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """Where SQL and predict_proba differ, the difference must be XGBoost's expf alone: the SQL's
    margin, put through XGBoost's float32 sigmoid with the C library's expf, gives predict_proba bit
    for bit, and with a correctly rounded exp the SQL's probability. Those rows then compare with the
    SQL's own result; any other difference stays and fails the cell."""
    out = expected.copy()
    differ = np.flatnonzero(np.abs(np.nan_to_num(got - expected, nan=0.0)) > TOLERANCE)
    for row in differ:
        assert explained_by_expf(float(expected[row]), float(got[row]), float(margins[row])), (
            f"row {row}: SQL {got[row]!r} vs predict_proba {expected[row]!r} (margin {margins[row]!r}) "
            "is not XGBoost's expf"
        )
        out[row] = got[row]
    return out
