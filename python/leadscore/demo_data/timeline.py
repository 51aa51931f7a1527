"""The demo's calendar: history window, seasonality, and day <-> timestamp conversion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

MONTH_FACTOR = {
    1: 1.15,
    2: 1.1,
    3: 1.1,
    4: 1.0,
    5: 1.0,
    6: 0.9,
    7: 0.8,
    8: 0.75,
    9: 1.1,
    10: 1.15,
    11: 1.0,
    12: 0.7,
}
WEEKDAY_FACTOR = [1.0, 1.05, 1.05, 1.0, 0.9, 0.35, 0.3]  # Monday first
GROWTH_OVER_HISTORY = 0.3  # lead volume grows 30% from the first to the last day


@dataclass(frozen=True)
class Timeline:
    """Days are floats counted from the first day of history (UTC midnight)."""

    end: date
    history_months: int
    drift_months: int

    @property
    def start(self) -> date:
        return (pd.Timestamp(self.end) - pd.DateOffset(months=self.history_months)).date()

    @property
    def drift_start(self) -> date:
        return (pd.Timestamp(self.end) - pd.DateOffset(months=self.drift_months)).date()

    @property
    def length_days(self) -> float:
        return float((self.end - self.start).days)

    @property
    def drift_start_day(self) -> float:
        return float((self.drift_start - self.start).days)

    def day_weights(self) -> np.ndarray:
        """Relative lead volume per calendar day: season x weekday x growth."""
        days = pd.date_range(self.start, periods=int(self.length_days), freq="D")
        season = days.month.map(MONTH_FACTOR).to_numpy(dtype=float)
        weekday = np.asarray(WEEKDAY_FACTOR)[days.day_of_week]
        growth = 1.0 + GROWTH_OVER_HISTORY * np.arange(len(days)) / len(days)
        weights = season * weekday * growth
        return weights / weights.sum()

    def sample_days(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Creation days following the seasonal volume, with a business-hours time of day."""
        whole_days = rng.choice(int(self.length_days), size=size, p=self.day_weights())
        hour = np.clip(rng.normal(13.0, 3.5, size=size), 0.0, 23.99)
        return whole_days + hour / 24.0

    def to_timestamps(self, days: np.ndarray) -> pd.Series:
        """Days -> naive UTC timestamps with second precision; NaN stays NaT."""
        seconds = np.round(np.asarray(days, dtype=float) * 86400.0)
        base = np.datetime64(datetime.combine(self.start, datetime.min.time()), "s")
        valid = ~np.isnan(seconds)
        out = np.full(seconds.shape, np.datetime64("NaT"), dtype="datetime64[s]")
        out[valid] = base + seconds[valid].astype("int64").astype("timedelta64[s]")
        return pd.Series(out, dtype="datetime64[s]")

    def end_timestamp(self) -> pd.Timestamp:
        return pd.Timestamp(self.end)
