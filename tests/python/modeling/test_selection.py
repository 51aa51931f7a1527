"""The champion rule on hand-made figures: recency weighs, and a complex family needs a margin."""

from __future__ import annotations

import numpy as np
import pytest

from leadscore.modeling.selection import COMPLEXITY_MARGIN, family_figures, rank_families, recency_weights


def test_weights_halve_every_two_periods_back():
    np.testing.assert_allclose(recency_weights(5), [0.25, 0.5**1.5, 0.5, 0.5**0.5, 1.0])


def test_a_family_better_on_average_but_worse_lately_does_not_serve():
    """The mean favours lightgbm (it led in old periods); the weighted figure and the trend do not."""
    lightgbm = family_figures("lightgbm", [0.90, 0.88, 0.80, 0.72, 0.70])
    logistic = family_figures("logistic", [0.78, 0.78, 0.79, 0.80, 0.80])
    assert lightgbm.mean_auc > logistic.mean_auc and lightgbm.trend_per_period < 0 < logistic.trend_per_period
    order, why = rank_families([lightgbm, logistic])
    assert order == ["logistic", "lightgbm"] and "recency-weighted" in why


def test_a_complex_family_needs_the_margin_over_logistic():
    logistic = family_figures("logistic", [0.80] * 4)
    close = family_figures("lightgbm", [0.80 + COMPLEXITY_MARGIN / 2] * 4)
    order, why = rank_families([close, logistic])
    assert order == ["logistic", "lightgbm"] and "short of the 0.005 margin" in why
    clear = family_figures("lightgbm", [0.80 + 2 * COMPLEXITY_MARGIN] * 4)
    order, _ = rank_families([clear, logistic])
    assert order == ["lightgbm", "logistic"]
    assert family_figures("hgb", [0.7, 0.8]).weighted_auc == pytest.approx(
        (0.7 * 0.5**0.5 + 0.8) / (1 + 0.5**0.5)
    )


def test_the_blend_must_beat_the_family_chosen_before_it_by_the_margin():
    logistic = family_figures("logistic", [0.80] * 4)
    lightgbm = family_figures("lightgbm", [0.80 + 2 * COMPLEXITY_MARGIN] * 4)
    close_blend = family_figures("blend", [0.80 + 2.5 * COMPLEXITY_MARGIN] * 4)
    order, why = rank_families([logistic, lightgbm, close_blend])
    assert order == ["lightgbm", "blend", "logistic"]
    assert "blend scored higher but short of the 0.005 margin" in why
    clear_blend = family_figures("blend", [0.80 + 3 * COMPLEXITY_MARGIN + 1e-9] * 4)
    order, _ = rank_families([logistic, lightgbm, clear_blend])
    assert order[0] == "blend"
    # A tree short of its margin does not stop the blend from being weighed against logistic.
    weak_tree = family_figures("lightgbm", [0.80 + COMPLEXITY_MARGIN / 2] * 4)
    order, _ = rank_families([logistic, weak_tree, family_figures("blend", [0.81] * 4)])
    assert order[0] == "blend"
