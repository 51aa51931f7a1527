"""The drift section both reports show, from one computation: the current open leads against the
champion's training baseline, on the figures monitoring watches (the score and the champion's five
most important features; registry/dbt_assets.py TOP_FEATURES). The training report computes it in
Python right after training (the new champion's baseline); the monitoring report reads the same
figures from monitoring.monitoring_feature_drift, whose SQL equals this Python
(tests/python/scoring/test_monitoring.py), so after `dbt build` the two agree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.monitoring.baselines import SCORE_FEATURE, prepared
from leadscore.monitoring.drift import PSI_ALERT, bin_shares, js_distance, psi, reference_bins
from leadscore.reporting.page import Markup, html_table

SCORE_LABEL = "score (the champion's probability)"


@dataclass(frozen=True)
class DriftSection:
    table: Markup
    moved: list[str]  # the watched figures above the alert line
    watched: int
    alert: float = PSI_ALERT


def drift_section(current: pd.DataFrame) -> DriftSection:
    """current: one row per watched figure (feature, psi_vs_training, js_distance_vs_training)."""
    shown = current.sort_values(["psi_vs_training", "feature"], ascending=[False, True], kind="stable")
    shown = shown.assign(
        feature=shown["feature"].replace({SCORE_FEATURE: SCORE_LABEL}),
        moved=np.where(shown["psi_vs_training"] > PSI_ALERT, "moved", ""),
    )
    table = shown[["feature", "psi_vs_training", "js_distance_vs_training", "moved"]].rename(
        columns={"psi_vs_training": "PSI vs training", "js_distance_vs_training": "JS distance vs training"}
    )
    moved = [
        f"{row.feature} (PSI {row.psi_vs_training:.2f})"
        for row in shown.itertuples()
        if row.psi_vs_training > PSI_ALERT
    ]
    return DriftSection(html_table(table), moved, len(shown))


def current_drift(
    reference: pd.DataFrame,
    reference_probability: np.ndarray,
    current: pd.DataFrame,
    current_probability: np.ndarray,
    kinds: dict[str, str],
    watched: list[str],
) -> pd.DataFrame:
    """PSI and JS distance of the current rows against the reference (the rows the champion was
    fitted on), binned exactly as the baseline monitoring reads (monitoring/baselines.py)."""
    rows = []
    samples = {feature: (reference[feature], current[feature], kinds[feature]) for feature in watched}
    samples[SCORE_FEATURE] = (pd.Series(reference_probability), pd.Series(current_probability), "numeric")
    for feature, (before, now, kind) in samples.items():
        before, now = prepared(before, kind), prepared(now, kind)
        bins = reference_bins(before, "numeric" if kind == "numeric" else "categorical")
        expected, actual = bin_shares(before, bins), bin_shares(now, bins)
        rows.append(
            {
                "feature": feature,
                "psi_vs_training": psi(expected, actual),
                "js_distance_vs_training": js_distance(expected, actual),
            }
        )
    return pd.DataFrame(rows, columns=["feature", "psi_vs_training", "js_distance_vs_training"])
