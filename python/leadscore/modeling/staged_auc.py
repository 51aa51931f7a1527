"""ROC-AUC of one period's rows after 1, 2, ... trees: the tuning's inner loop.

Tuning scores every tree count of every fit (600 counts x 2 settings x 6 periods on the demo), and
scikit-learn's roc_curve spends most of each call on input checks and a fresh sort. This computes
the same number with the same arithmetic (roc_curve's points, its dropping of collinear points, then
auc's trapezoid), so the result is bit for bit scikit-learn's: the ROC points are integer counts
taken at the end of each group of tied scores, which do not depend on how ties are ordered, and the
divisions and the trapezoid are the same operations on the same arrays.

What it saves: the checks, and most of the sort. The scores after k + 1 trees are nearly in the
order of the scores after k trees, so each count is sorted starting from the previous count's order,
which a stable sort (timsort) finishes in close to one pass.
"""

from __future__ import annotations

import numpy as np


class StagedAuc:
    """AUC of successive score vectors for the same labels (both classes present)."""

    def __init__(self, labels: np.ndarray) -> None:
        self.labels = np.asarray(labels)
        self._order: np.ndarray | None = None

    def __call__(self, scores: np.ndarray) -> float:
        scores = np.asarray(scores, dtype=np.float64)
        if self._order is None:
            order = np.argsort(scores, kind="stable")
        else:
            order = self._order[np.argsort(scores[self._order], kind="stable")]
        self._order = order
        descending = order[::-1]
        ranked = scores[descending]
        # The last row of each group of equal scores: roc_curve's thresholds.
        ends = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
        true_positives = np.cumsum(self.labels[descending].astype(np.float64))[ends]
        false_positives = 1 + ends.astype(np.float64) - true_positives
        if len(ends) > 2:  # roc_curve(drop_intermediate=True)
            corners = np.logical_or(np.diff(false_positives, 2), np.diff(true_positives, 2))
            kept = np.flatnonzero(np.r_[True, corners, True])
            true_positives, false_positives = true_positives[kept], false_positives[kept]
        true_positives = np.r_[0.0, true_positives]
        false_positives = np.r_[0.0, false_positives]
        return float(np.trapezoid(true_positives / true_positives[-1], false_positives / false_positives[-1]))
