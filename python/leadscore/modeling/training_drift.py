"""Drift visible at training time: the label rate per period, and how far the newest periods have
moved from the oldest ones (label rate and feature PSI). Both windows hold as many periods as the
walk-forward backtest (one month alone is noisy; the first months of a history are often odd).

The warning fires when the label rate of one window is more than LABEL_RATE_DRIFT_FACTOR times the
other's: a model fitted on the old rows then misjudges the base rate, and rankings learnt there may
not hold. The served model, refit on the newest labels and calibrated on the newest block, is the
defence; the warning says to check its walk-forward figures period by period."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.modeling.timeline import Timeline
from leadscore.monitoring.drift import PSI_ALERT, feature_drift

LABEL_RATE_DRIFT_FACTOR = 2.0


@dataclass
class TrainingDrift:
    label_rates: pd.DataFrame  # period, rows, conversions, label_rate
    oldest: str  # "2024-10 to 2025-03"
    newest: str
    oldest_label_rate: float
    newest_label_rate: float
    features: pd.DataFrame  # feature, psi, js_distance, moved

    @property
    def label_rate_factor(self) -> float:
        low, high = sorted((self.oldest_label_rate, self.newest_label_rate))
        return high / low if low > 0 else float("inf")

    @property
    def label_rate_moved(self) -> bool:
        return self.label_rate_factor > LABEL_RATE_DRIFT_FACTOR

    def warnings(self) -> list[str]:
        lines = []
        if self.label_rate_moved:
            lines.append(
                f"The label rate moved {self.label_rate_factor:.1f}x: {self.oldest_label_rate:.1%} in the oldest "
                f"periods ({self.oldest}) vs {self.newest_label_rate:.1%} in the newest ({self.newest}); more "
                f"than the {LABEL_RATE_DRIFT_FACTOR:g}x this check allows. A model fitted on old rows would "
                "misjudge today's rate: the served model is refit on the newest labels and calibrated on the "
                "newest block, and the walk-forward figures per period show how it holds up."
            )
        moved = self.features[self.features["moved"]]
        if len(moved):
            listed = ", ".join(f"{row.feature} (PSI {row.psi:.2f})" for row in moved.head(8).itertuples())
            lines.append(
                f"{len(moved)} feature(s) moved between {self.oldest} and {self.newest} (PSI > {PSI_ALERT:g}): {listed}."
            )
        return lines

    def summary(self) -> dict[str, object]:
        return {
            "oldest": self.oldest,
            "newest": self.newest,
            "oldest_label_rate": self.oldest_label_rate,
            "newest_label_rate": self.newest_label_rate,
            "label_rate_factor": self.label_rate_factor,
            "label_rate_factor_allowed": LABEL_RATE_DRIFT_FACTOR,
            "label_rates": self.label_rates.to_dict(orient="records"),
            "feature_psi": self.features.to_dict(orient="records"),
            "warnings": self.warnings(),
        }


def _span(periods: list) -> str:
    first, last = periods[0].label, periods[-1].label
    if len(periods) == 1:
        return first
    if first.startswith("rows "):  # blocks of rows: "rows 1-462" .. "rows 2,311-2,772" -> "rows 1-2,772"
        return f"{first.split('-')[0]}-{last.split('-')[1]}"
    return f"{first} to {last}"


def training_drift(timeline: Timeline, window: int) -> TrainingDrift:
    spec = timeline.data.spec
    frame = timeline.data.frame
    rates = (
        pd.DataFrame({"unit": timeline.unit, "converted": timeline.labels})
        .groupby("unit")["converted"]
        .agg(rows="size", conversions="sum")
        .reset_index()
    )
    rates["period"] = [timeline.periods[unit].label for unit in rates["unit"]]
    rates["label_rate"] = rates["conversions"] / rates["rows"]
    window = max(1, min(window, len(timeline.periods) // 2))
    oldest, newest = timeline.periods[:window], timeline.periods[-window:]
    old_rows = np.isin(timeline.unit, [p.index for p in oldest])
    new_rows = np.isin(timeline.unit, [p.index for p in newest])
    kinds = {feature: spec.kind_of(feature) for feature in spec.features}
    return TrainingDrift(
        label_rates=rates[["period", "rows", "conversions", "label_rate"]],
        oldest=_span(oldest),
        newest=_span(newest),
        oldest_label_rate=float(timeline.labels[old_rows].mean()),
        newest_label_rate=float(timeline.labels[new_rows].mean()),
        features=feature_drift(frame[old_rows], frame[new_rows], kinds),
    )
