"""Performance expected before labels arrive (confidence-based performance estimation, as NannyML's
CBPE). If probabilities are calibrated, a lead with probability p converts with chance p; the
expected ROC-AUC is then the AUC in which each lead counts as a conversion with weight p and as a
non-conversion with weight 1 - p. The SQL twin is models/marts/monitoring/monitoring_estimated_performance.sql.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score


def expected_auc(probability: np.ndarray) -> float:
    probability = np.asarray(probability, dtype=float)
    labels = np.r_[np.ones(len(probability)), np.zeros(len(probability))]
    weights = np.r_[probability, 1 - probability]
    return float(roc_auc_score(labels, np.r_[probability, probability], sample_weight=weights))
