"""Synthetic labelled snapshots with strong drift, for the walk-forward and leakage tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.feature_spec import FeatureSpec

MONTHS = 24
ROWS_PER_MONTH = 700
DRIFT_MONTH = 16  # the train split (months 0-15) never sees the new world
SPEC = FeatureSpec(numeric=("x1", "x2"), boolean=(), categorical=("channel",), baseline="rule_score")


class NoWarehouse:
    """train_models only asks a warehouse for the demo's oracle, which synthetic data has none of."""

    def query(self, _sql: str):
        raise LookupError("no oracle here")


def drifting_data(seed: int = 0) -> TrainingData:
    """Label rate 5% before DRIFT_MONTH and about 35% after; x1 drives conversion before, x2 after,
    and a new channel appears."""
    rng = np.random.default_rng(seed)
    month = np.repeat(np.arange(MONTHS), ROWS_PER_MONTH)
    n = len(month)
    after = month >= DRIFT_MONTH
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    channel = np.where(after & (rng.random(n) < 0.4), "partner", rng.choice(["web", "event"], size=n))
    logit = np.where(after, -0.9 + 0.3 * x1 + 1.6 * x2 + 0.8 * (channel == "partner"), -3.2 + 1.5 * x1)
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = _snapshots(month, x1, x2, channel, np.round(2 * x1 + rng.normal(size=n)), y)
    return TrainingData(frame=frame, spec=SPEC, splits=pd.DataFrame())


def reversed_newest_block_data(seed: int = 0) -> TrainingData:
    """x1 raises conversion in every month but the newest four (about 15% of rows), where its effect
    is reversed; x2 is noise. Platt scaling learnt on that block would invert every lead's ranking."""
    rng = np.random.default_rng(seed)
    month = np.repeat(np.arange(MONTHS), ROWS_PER_MONTH)
    n = len(month)
    reversed_block = month >= MONTHS - 4
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    channel = rng.choice(["web", "event"], size=n)
    logit = -1.5 + np.where(reversed_block, -1.5, 1.5) * x1
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = _snapshots(month, x1, x2, channel, np.round(x1), y)
    return TrainingData(frame=frame, spec=SPEC, splits=pd.DataFrame())


def _snapshots(month, x1, x2, channel, rule_score, y) -> pd.DataFrame:
    """Monthly snapshots of the synthetic leads: as-of months from 2024-01, the fixed splits
    (train months 0-15, validation 16-18, test 19-21, recent after) and a 30-day label window."""
    as_of = (
        (pd.to_datetime("2024-01-01") + pd.to_timedelta(month * 31, unit="D")).to_period("M").to_timestamp()
    )
    split = np.select([month < 16, month < 19, month < 22], ["train", "validation", "test"], "recent")
    return pd.DataFrame(
        {
            "lead_id": np.arange(len(month)),
            "as_of_at": as_of,
            "x1": x1,
            "x2": x2,
            "channel": channel,
            "rule_score": rule_score,
            "is_converted_in_window": y,
            "split": split,
            "label_window_ends_at": as_of + pd.Timedelta(days=30),
        }
    )
