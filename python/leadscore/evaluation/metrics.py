"""Metrics that matter to sales: ranking (ROC-AUC, PR-AUC), the top decile (conversion, lift,
precision, recall), calibration (Brier, expected calibration error, reliability bins), and
precision/recall at the economic tier thresholds. scikit-learn computes every standard metric."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

CALIBRATION_BINS = 10


@dataclass(frozen=True)
class TierThreshold:
    tier: str
    min_probability: float


def decile_table(y: np.ndarray, score: np.ndarray) -> pd.DataFrame:
    """Rows sorted by score, cut into ten equal groups (1 = highest scores)."""
    order = np.argsort(-score, kind="stable")
    groups = np.array_split(order, 10)
    base_rate = y.mean()
    rows = []
    for decile, index in enumerate(groups, start=1):
        rate = y[index].mean()
        rows.append(
            {
                "decile": decile,
                "rows": len(index),
                "conversions": int(y[index].sum()),
                "conversion_rate": rate,
                "lift": rate / base_rate,
            }
        )
    return pd.DataFrame(rows)


def expected_calibration_error(y: np.ndarray, probability: np.ndarray, bins: int = CALIBRATION_BINS) -> float:
    """Mean |observed - predicted| over equal-count bins, weighted by rows."""
    order = np.argsort(probability, kind="stable")
    error = 0.0
    for index in np.array_split(order, bins):
        error += len(index) * abs(y[index].mean() - probability[index].mean())
    return error / len(y)


def evaluate_score(
    y: np.ndarray, score: np.ndarray, probability: np.ndarray, tiers: list[TierThreshold]
) -> dict[str, object]:
    """score ranks; probability is the calibrated version used for tiers and calibration metrics."""
    y = np.asarray(y, dtype=int)
    deciles = decile_table(y, score)
    top = deciles.iloc[0]
    top_n = int(top["rows"])
    order = np.argsort(-score, kind="stable")[:top_n]
    prob_true, prob_pred = calibration_curve(y, probability, n_bins=CALIBRATION_BINS, strategy="quantile")
    at_tiers = []
    for tier in tiers:
        selected = probability >= tier.min_probability
        hits = int((selected & (y == 1)).sum())
        at_tiers.append(
            {
                "tier": tier.tier,
                "min_probability": tier.min_probability,
                "share_of_leads": float(selected.mean()),
                "precision": float(hits / selected.sum()) if selected.any() else None,
                "recall": float(hits / y.sum()),
            }
        )
    return {
        "rows": len(y),
        "conversions": int(y.sum()),
        "base_rate": float(y.mean()),
        "roc_auc": float(roc_auc_score(y, score)),
        "pr_auc": float(average_precision_score(y, score)),
        "brier": float(brier_score_loss(y, probability)),
        "log_loss": float(log_loss(y, np.clip(probability, 1e-15, 1 - 1e-15))),
        "expected_calibration_error": float(expected_calibration_error(y, probability)),
        "top_decile": {
            "conversion_rate": float(top["conversion_rate"]),
            "lift": float(top["lift"]),
            "precision": float(y[order].mean()),
            "recall": float(y[order].sum() / y.sum()),
        },
        "deciles": deciles.to_dict(orient="records"),
        "calibration_curve": {"predicted": prob_pred.tolist(), "observed": prob_true.tolist()},
        "at_tier_thresholds": at_tiers,
    }
