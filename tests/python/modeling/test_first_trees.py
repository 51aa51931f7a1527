"""No fit made twice, and nothing changed by it: an ensemble cut to its first k trees scores exactly
as a k-tree fit, and the backtest that reuses tuning's fits gives the same bits as refitting."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from helpers.drifting import drifting_data
from leadscore.modeling import tuning
from leadscore.modeling.first_trees import first_trees
from leadscore.modeling.staged_auc import StagedAuc
from leadscore.modeling.timeline import Timeline
from leadscore.modeling.walk_forward import backtest, make_folds, procedure_predictor

SETTINGS = {
    "lightgbm": {"num_leaves": 7, "learning_rate": 0.1},
    "hgb": {"max_leaf_nodes": 7, "learning_rate": 0.1},
    "gbm": {"max_depth": 2, "learning_rate": 0.1},
    "xgboost": {"max_depth": 3, "learning_rate": 0.1},
}


@pytest.fixture(scope="module")
def fitter() -> tuning.FoldFitter:
    data = drifting_data(seed=3)
    frame = data.frame
    rng = np.random.default_rng(0)
    frame.loc[rng.random(len(frame)) < 0.1, "x1"] = np.nan  # missing values take their own branch
    return tuning.FoldFitter(Timeline(data, 6), None, 12)  # recency weights too


@pytest.mark.parametrize("kind", sorted(SETTINGS))
def test_the_first_k_trees_of_a_fit_score_as_a_k_tree_fit_bit_for_bit(fitter, kind):
    pytest.importorskip("xgboost") if kind == "xgboost" else None
    rows = fitter.timeline.all_rows()[:9000]
    X = fitter.timeline.data.frame[list(fitter.timeline.data.spec.features)]
    longer = fitter.fit(kind, {**SETTINGS[kind], "n_estimators": 45}, rows)
    fresh = fitter.fit(kind, {**SETTINGS[kind], "n_estimators": 17}, rows)
    cut = first_trees(kind, longer, 17)
    assert np.array_equal(cut.decision_function(X), fresh.decision_function(X))
    assert not np.array_equal(longer.decision_function(X), fresh.decision_function(X))  # the cut matters


@pytest.mark.parametrize("kind", ["logistic", "lightgbm"])
def test_the_backtest_reusing_tunings_fits_equals_the_backtest_that_refits(fitter, kind, monkeypatch):
    if kind != "logistic":
        setting, values, _, rate = tuning.TREE_GRIDS[kind]
        monkeypatch.setitem(tuning.TREE_GRIDS, kind, (setting, values, 60, rate))
    folds, _ = make_folds(fitter.timeline, 6)
    tuned = tuning.tune(kind, fitter, folds)
    reused = []
    kept = tuned.kept_fits

    def counting(fold, rows, params):
        fit = type(kept).fit_on(kept, fold, rows, params)
        reused.append(fit is not None)
        return fit

    monkeypatch.setattr(kept, "fit_on", counting)
    with_reuse = backtest(
        kind, fitter.timeline, folds, procedure_predictor(kind, tuned.params, fitter, tuned.kept_fits)
    )
    refitted = backtest(kind, fitter.timeline, folds, procedure_predictor(kind, tuned.params, fitter))
    assert reused == [True] * len(folds)
    assert np.array_equal(with_reuse.probability, refitted.probability)
    assert with_reuse.periods.equals(refitted.periods)


def test_the_tuning_auc_is_roc_auc_score_to_the_bit():
    """StagedAuc sorts each score vector from the previous one's order: checked on sequences that
    drift slowly (as tree counts do), that jump, and that hold many ties."""
    rng = np.random.default_rng(5)
    for rows in (3, 50, 2_000, 20_000):
        y = rng.random(rows) < 0.07
        y[:2] = [True, False]
        signal = rng.normal(size=rows) + y
        sequence = [signal * k / 10 + rng.normal(size=rows) * 0.01 for k in range(1, 30)]
        sequence += [rng.normal(size=rows), np.round(signal * 3), np.round(signal), np.zeros(rows)]
        sequence += [np.round(rng.normal(size=rows) * 3) + y, -signal]
        staged = StagedAuc(y)
        for scores in sequence:
            assert staged(scores) == roc_auc_score(y, scores)
