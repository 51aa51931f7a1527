"""Tuning stops reading a fold's AUC curve (and LightGBM stops fitting) PATIENCE_TREES after the
fold's best: the AUCs it does read are the ones reading every count gives, the stopped booster is the
full fit's first trees, and a count is chosen only where every fold it reads was measured."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.drifting import drifting_data
from leadscore.modeling import period_curve, tuning
from leadscore.modeling.first_trees import first_trees
from leadscore.modeling.period_curve import PeriodCurve
from leadscore.modeling.staged_auc import StagedAuc
from leadscore.modeling.timeline import Timeline
from leadscore.modeling.tuning import choose, nested_period_aucs
from leadscore.modeling.walk_forward import make_folds


def test_a_curve_stops_patience_trees_after_its_best_and_reads_nothing_after(monkeypatch):
    monkeypatch.setattr(period_curve, "PATIENCE_TREES", 10)
    rng = np.random.default_rng(1)
    y = rng.random(500) < 0.3
    noise = rng.normal(size=500)
    curve = PeriodCurve(y, most=100, min_trees=5)
    # The labels' weight in the score rises to count 30, then falls: each pair's order is monotone
    # in the weight, so the AUC rises to its peak at 30 and falls after.
    weight = [min(count, 30) / 10 - max(0, count - 30) / 5 for count in range(1, 101)]
    stops = [curve.read(count, y * weight[count - 1] + noise) for count in range(1, 101)]
    assert stops.index(True) == 39 and all(stops[39:])  # stopped at 40 = 30 + 10
    assert curve.stopped_at == 40
    assert np.nanargmax(curve.aucs) == 29
    assert not np.isnan(curve.aucs[:40]).any() and np.isnan(curve.aucs[40:]).all()


def test_a_curve_that_keeps_rising_is_read_to_the_most_trees():
    rng = np.random.default_rng(2)
    y = rng.random(400) < 0.3
    noise = rng.normal(size=400)
    curve = PeriodCurve(y, most=150, min_trees=5)
    curve.read_all(y * count + noise * 100 for count in range(1, 151))
    assert curve.stopped_at is None and not np.isnan(curve.aucs).any()


@pytest.fixture(scope="module")
def fitter() -> tuning.FoldFitter:
    return tuning.FoldFitter(Timeline(drifting_data(seed=4), 6), None, None)


def test_lightgbm_stops_fitting_where_its_curve_stops_and_keeps_the_full_fits_first_trees(
    fitter, monkeypatch
):
    """A learning rate high enough to overfit within the most trees: every fold's curve stops early.
    Against the full fit read at every count: the same AUCs where read, and the stopped booster's
    trees are the full fit's first trees (so the backtest's reuse of the fit stays bit for bit)."""
    monkeypatch.setattr(period_curve, "PATIENCE_TREES", 20)
    most = 300
    monkeypatch.setitem(tuning.TREE_GRIDS, "lightgbm", ("num_leaves", (7,), most, 0.05))
    folds, _ = make_folds(fitter.timeline, 6)
    features = list(fitter.timeline.data.spec.features)
    stops = []
    for fold in folds[:2]:
        tuned = tuning.tune_fold("lightgbm", fitter, fold)
        stopped, aucs = tuned.pipelines[0], tuned.aucs[0]
        read = np.flatnonzero(~np.isnan(aucs)) + 1
        stops.append(read[-1])
        grown = stopped.named_steps["model"].booster_.num_trees()
        assert read[-1] < most and read[-1] <= grown < read[-1] + period_curve.CURVE_BATCH_TREES
        assert np.isnan(aucs[read[-1] :]).all()

        full = fitter.fit(
            "lightgbm", {"num_leaves": 7, "learning_rate": 0.05, "n_estimators": most}, tuned.rows
        )
        X_period = fitter.timeline.data.frame.iloc[fold.scored][features]
        staged = StagedAuc(fitter.timeline.labels[fold.scored])
        prepared = full.named_steps["prepare"].transform(X_period)
        every = [
            staged(s) for s in tuning._staged_scores("lightgbm", full.named_steps["model"], prepared, most)
        ]
        assert np.array_equal(aucs[read - 1], np.asarray(every)[read - 1])

        X = fitter.timeline.data.frame[features]
        assert np.array_equal(
            stopped.decision_function(X), first_trees("lightgbm", full, grown).decision_function(X)
        )
    assert len(set(stops)) > 1, stops  # the folds stopped at their own counts


def test_a_count_is_chosen_only_where_every_fold_read_was_measured():
    curve = np.linspace(0.60, 0.80, 60)
    early = curve.copy()
    early[40:] = np.nan  # this fold's curve stopped at 40
    grid = [np.vstack([curve, early, curve])]
    _, count, _ = choose(grid, [0, 1, 2])
    assert count <= 40 and not np.isnan(grid[0][:, count - 1]).any()
    # Fold 1 alone prefers its last count; fold 2 is measured there: the nested estimate reads it.
    assert choose(grid, [0])[1] == 60
    assert choose(grid, [0], measured_in=[1])[1] == 40
    nested = nested_period_aucs(grid)
    assert nested[1] == pytest.approx(early[39]) and nested[2] == pytest.approx(curve[39])
