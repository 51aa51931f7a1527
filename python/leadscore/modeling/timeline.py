"""Where each labelled row sits in time, and which labels were known when.

A period is a calendar month of `as_of_at` in CRM mode, and an equal block of rows along the ordering
column in lead_table mode (the newest BLOCK_SHARE of rows cut into K blocks; older rows in blocks of
the same size). A row's label is known at a time T when its label window closed by T (CRM mode:
`label_window_ends_at <= T`) or, with no window (lead_table mode), when the row comes before T in
the ordering. Every fit made "at T" sees only those rows: that is the whole guarantee of the
walk-forward backtest, and `tests/python/modeling/test_walk_forward.py` proves it by rewriting every
label not yet known at T and checking that predictions for the period starting at T do not move.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.modeling.dataset import TrainingData, TrainingDataError

BLOCK_SHARE = 0.3  # lead_table mode: the newest 30% of rows (the default validation + test) make K blocks
# The calibration block is the newest period of known rows, widened to older periods until it holds
# this many conversions of each class (at most half of the known rows).
MIN_CALIBRATION_POSITIVES = 30
AVERAGE_MONTH = pd.Timedelta(days=30.436875)


@dataclass(frozen=True)
class Period:
    index: int  # position in the timeline (0 = oldest)
    label: str  # "2026-08", or "rows 8,317-8,778"
    starts_at: object  # the first time value in the period (timestamp, or ordering value)


class Timeline:
    def __init__(self, data: TrainingData, periods: int) -> None:
        spec = data.spec
        frame = data.frame
        self.data = data
        self.time = frame[spec.time_column]
        self.is_timestamp = pd.api.types.is_datetime64_any_dtype(self.time)
        self.labels = frame[spec.label].astype(int).to_numpy()
        # Within a time, ids in natural order (text ids: shorter first, then by text; integer ids numerically).
        lead_ids = frame["lead_id"].astype(str)
        order = np.lexsort((lead_ids.to_numpy(), lead_ids.str.len().to_numpy(), self.time.to_numpy()))
        self.rank = np.empty(len(frame), dtype=np.int64)
        self.rank[order] = np.arange(len(frame))
        if spec.period == "month":
            if not self.is_timestamp:
                raise TrainingDataError(
                    f"{spec.time_column} must be a timestamp to cut monthly periods; found {self.time.dtype}"
                )
            months = self.time.dt.to_period("M")
            distinct = sorted(months.unique())
            self.unit = months.map({month: i for i, month in enumerate(distinct)}).to_numpy(dtype=np.int64)
            self.periods = [Period(i, str(month), month.start_time) for i, month in enumerate(distinct)]
        else:
            block = max(1, round(len(frame) * BLOCK_SHARE / periods))
            partial = len(frame) % block
            self.unit = np.maximum(0, (self.rank - partial) // block)
            self.periods = []
            for i in range(int(self.unit.max()) + 1):
                members = np.flatnonzero(self.unit == i)
                first = members[np.argmin(self.rank[members])]
                ranks = self.rank[members]
                self.periods.append(
                    Period(i, f"rows {ranks.min() + 1:,}-{ranks.max() + 1:,}", self.time.iloc[first])
                )
        matured = spec.matured_column
        self.matured = frame[matured].to_numpy() if matured else None

    def rows_of(self, period: Period) -> np.ndarray:
        return np.flatnonzero(self.unit == period.index)

    def known_at(self, period: Period) -> np.ndarray:
        """Rows whose labels were known when the period started."""
        if self.matured is not None:
            return np.flatnonzero(self.matured <= np.datetime64(period.starts_at))
        return self.known_when(self.rows_of(period))

    def known_when(self, rows: np.ndarray) -> np.ndarray:
        """Rows whose labels were known when the first of `rows` came: their window closed by its time
        (CRM mode), or they come before it in the ordering (no label window)."""
        if self.matured is not None:
            return np.flatnonzero(self.matured <= self.time.to_numpy()[rows].min())
        return np.flatnonzero(self.rank < self.rank[rows].min())

    def all_rows(self) -> np.ndarray:
        return np.arange(len(self.labels))

    def calibration_rows(self, known: np.ndarray) -> np.ndarray:
        """The newest periods among `known`, enough for Platt scaling; the rest fit the model."""
        units = self.unit[known]
        chosen = np.zeros(len(known), dtype=bool)
        for unit in np.unique(units)[::-1]:
            chosen |= units == unit
            labels = self.labels[known[chosen]]
            enough = min(labels.sum(), len(labels) - labels.sum()) >= MIN_CALIBRATION_POSITIVES
            if enough or chosen.sum() * 2 >= len(known):
                break
        if chosen.all():  # a single period of history: calibrate on its newest half
            newest = known[np.argsort(self.rank[known], kind="stable")]
            return np.sort(newest[len(newest) // 2 :])
        return known[chosen]

    def window(self, rows: np.ndarray, ends_at: object, months: int | None) -> np.ndarray:
        """rows within `months` before ends_at (all of them when months is None)."""
        if months is None:
            return rows
        self._require_timestamp("a training window in months")
        starts_at = pd.Timestamp(ends_at) - pd.DateOffset(months=months)
        return rows[self.time.to_numpy()[rows] >= np.datetime64(starts_at)]

    def recency_weights(self, rows: np.ndarray, half_life_months: float | None) -> np.ndarray | None:
        """Weights halving every half_life_months back from the newest row (None: equal weights)."""
        if half_life_months is None:
            return None
        self._require_timestamp("recency weighting (half_life_months)")
        times = self.time.iloc[rows]
        age = (times.max() - times) / AVERAGE_MONTH
        return np.power(0.5, age.to_numpy(dtype=float) / half_life_months)

    def end(self) -> object:
        """Just after the newest labelled period (where the served model's window ends)."""
        last = self.periods[-1]
        if self.data.spec.period == "month":
            return pd.Period(last.label, "M").end_time + pd.Timedelta(1, "ns")
        return self.time.max()

    def _require_timestamp(self, what: str) -> None:
        if not self.is_timestamp:
            raise TrainingDataError(
                f"{what} needs a timestamp ordering column; {self.data.spec.time_column} holds numbers. "
                "Configure `order_by` as a date or timestamp column, or leave the option unset."
            )
