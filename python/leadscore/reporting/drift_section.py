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

from leadscore.monitoring.baselines import SCORE_FEATURE
from leadscore.monitoring.drift import PSI_ALERT, feature_drift
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
    fitted on), binned as the baseline monitoring reads is binned (monitoring/drift.py)."""
    columns = [*watched, SCORE_FEATURE]
    before = reference[watched].assign(**{SCORE_FEATURE: reference_probability})[columns]
    now = current[watched].assign(**{SCORE_FEATURE: current_probability})[columns]
    drift = feature_drift(before, now, {**{f: kinds[f] for f in watched}, SCORE_FEATURE: "numeric"})
    order = {feature: index for index, feature in enumerate(columns)}
    drift = drift.sort_values("feature", key=lambda names: names.map(order)).reset_index(drop=True)
    return drift.rename(columns={"psi": "psi_vs_training", "js_distance": "js_distance_vs_training"})[
        ["feature", "psi_vs_training", "js_distance_vs_training"]
    ]
