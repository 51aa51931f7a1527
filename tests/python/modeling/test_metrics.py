"""Sales metrics on examples small enough to compute by hand."""

from __future__ import annotations

import numpy as np
import pytest

from leadscore.evaluation.metrics import (
    TierThreshold,
    decile_table,
    evaluate_score,
    expected_calibration_error,
)


def test_deciles_and_lift_by_hand():
    # 20 rows, scores 20..1; the two best rows converted, plus one in the bottom half.
    y = np.zeros(20, dtype=int)
    y[[0, 1, 15]] = 1
    score = np.arange(20, 0, -1, dtype=float)
    table = decile_table(y, score)
    assert table["rows"].tolist() == [2] * 10
    assert table.loc[0, "conversion_rate"] == 1.0
    assert table.loc[0, "lift"] == pytest.approx(1.0 / (3 / 20))
    assert table.loc[7, "conversions"] == 1  # row 15 sits in decile 8


def test_expected_calibration_error_by_hand():
    y = np.array([0, 0, 0, 1, 1, 1, 0, 1, 1, 1])
    probability = np.array([0.1] * 5 + [0.9] * 5)
    # bins of 5: observed 0.4 vs 0.1 and 0.8 vs 0.9 -> (5 * 0.3 + 5 * 0.1) / 10
    assert expected_calibration_error(y, probability, bins=2) == pytest.approx(0.2)


def test_tier_precision_and_recall_by_hand():
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    probability = np.array([0.9, 0.8, 0.7, 0.2, 0.1, 0.05, 0.04, 0.03, 0.02, 0.01])
    result = evaluate_score(y, probability, probability, [TierThreshold("hot", 0.5)])
    hot = result["at_tier_thresholds"][0]
    assert hot["share_of_leads"] == pytest.approx(0.3)
    assert hot["precision"] == pytest.approx(2 / 3)
    assert hot["recall"] == pytest.approx(2 / 3)
    assert result["roc_auc"] == pytest.approx(19 / 21)
