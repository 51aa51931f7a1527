"""The leakage checks on data built to leak in each way, and on clean columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.byo.config import LeakageSettings
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.feature_spec import FeatureSpec
from leadscore.modeling.leakage import LeakageError, enforce, find_leakage


@pytest.fixture(scope="module")
def data() -> TrainingData:
    rng = np.random.default_rng(0)
    n = 4000
    y = rng.random(n) < 0.3
    noise = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "lead_id": np.arange(n),
            "as_of_at": pd.date_range("2025-01-01", periods=n, freq="h"),
            "visits": rng.poisson(3 + y, size=n).astype(float),  # honest, weak signal
            "region": rng.choice(["north", "south", "east"], size=n),  # no signal
            "sales_outcome_note": np.where(y ^ (rng.random(n) < 0.03), "closed", "open"),  # a label copy
            "quality_rating": np.where(
                rng.random(n) < np.where(y, 0.8, 0.3), noise, np.nan
            ),  # filled after contact
            "account_number": np.arange(n, dtype=float) + noise * 0.01,  # a sequence number
            "is_converted_in_window": y,
            "split": "train",
        }
    )
    spec = FeatureSpec(
        numeric=("visits", "quality_rating", "account_number"),
        boolean=(),
        categorical=("region", "sales_outcome_note"),
        baseline=None,
    )
    return TrainingData(frame=frame, spec=spec, splits=pd.DataFrame())


def test_each_leak_is_flagged_for_its_reason(data):
    flags = find_leakage(data, LeakageSettings())
    reasons = {(flag.feature, flag.check) for flag in flags}
    assert ("sales_outcome_note", "single-feature AUC") in reasons
    assert ("quality_rating", "fill-rate ratio") in reasons
    assert ("account_number", "identifier name") in reasons
    assert ("account_number", "counts up with time") in reasons
    assert not {feature for feature, _ in reasons} & {"visits", "region"}


def test_flags_stop_training_unless_allowed(data):
    flags = find_leakage(data, LeakageSettings())
    with pytest.raises(LeakageError, match="sales_outcome_note: single-feature AUC"):
        enforce(flags, allowed=(), allow_all=False, relation="features.t")
    allowed = tuple({flag.feature for flag in flags})
    assert enforce(flags, allowed=allowed, allow_all=False, relation="features.t") == flags
    assert enforce(flags, allowed=(), allow_all=True, relation="features.t") == flags
