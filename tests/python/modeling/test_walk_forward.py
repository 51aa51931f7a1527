"""The walk-forward backtest on synthetic data with strong drift: it never lets a label that was not
known at a period's start inform that period, the served procedure beats the old train-split model
where the world has moved, and training says loudly that the label rate moved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.drifting import MONTHS, ROWS_PER_MONTH, SPEC, NoWarehouse, drifting_data
from leadscore.modeling.dataset import TrainingData, TrainingDataError
from leadscore.modeling.feature_spec import FeatureSpec
from leadscore.modeling.timeline import Timeline
from leadscore.modeling.train import train_models
from leadscore.modeling.training_drift import LABEL_RATE_DRIFT_FACTOR
from leadscore.modeling.tuning import FoldFitter, choose, nested_period_aucs
from leadscore.modeling.walk_forward import (
    backtest,
    fit_procedure,
    make_folds,
    procedure_predictor,
)
from leadscore.monitoring.drift import bin_shares, psi, reference_bins


@pytest.fixture(scope="module")
def drift_run():
    data = drifting_data()
    return data, train_models(NoWarehouse(), data, [], 30.0, ("logistic", "lightgbm"))


def test_no_label_unknown_at_a_periods_start_informs_it():
    """Rewrite every label not yet known when a period starts (the period's own included) and every
    feature of rows after the period: the period's predictions do not move by a single bit."""
    data = drifting_data()
    timeline = Timeline(data, 6)
    folds, _ = make_folds(timeline, 6)
    fold = folds[2]
    fitter = FoldFitter(timeline, None, None)
    original = procedure_predictor(
        "lightgbm", {"num_leaves": 7, "n_estimators": 40, "learning_rate": 0.1}, fitter
    )(fold)[1]

    unknown = np.setdiff1d(np.arange(len(data.frame)), fold.known)
    assert not np.isin(fold.scored, fold.known).any()
    assert (data.frame["label_window_ends_at"].iloc[fold.known] <= fold.period.starts_at).all()
    later = unknown[data.frame["as_of_at"].to_numpy()[unknown] > np.datetime64(fold.period.starts_at)]
    later = np.setdiff1d(later, fold.scored)
    rng = np.random.default_rng(1)
    poisoned = data.frame.copy()
    label = poisoned.columns.get_loc("is_converted_in_window")
    poisoned.iloc[unknown, label] = rng.random(len(unknown)) < 0.5
    for column in ("x1", "x2"):
        poisoned.iloc[later, poisoned.columns.get_loc(column)] = rng.normal(size=len(later)) * 100
    poisoned_data = TrainingData(frame=poisoned, spec=SPEC, splits=pd.DataFrame())
    poisoned_timeline = Timeline(poisoned_data, 6)
    again = procedure_predictor(
        "lightgbm",
        {"num_leaves": 7, "n_estimators": 40, "learning_rate": 0.1},
        FoldFitter(poisoned_timeline, None, None),
    )(make_folds(poisoned_timeline, 6)[0][2])[1]
    np.testing.assert_array_equal(original, again)


def test_lead_table_blocks_follow_the_ordering():
    """No label window: a block's fit knows exactly the rows before it in the ordering."""
    data = drifting_data()
    frame = data.frame.assign(ordering_value=np.arange(len(data.frame), dtype=float)[::-1] * -1.0)
    spec = FeatureSpec(
        numeric=SPEC.numeric,
        boolean=(),
        categorical=SPEC.categorical,
        baseline=None,
        time_column="ordering_value",
        period="block",
        matured_column=None,
    )
    timeline = Timeline(TrainingData(frame=frame, spec=spec, splits=pd.DataFrame()), 6)
    folds, skipped = make_folds(timeline, 6)
    assert len(folds) == 6 and not skipped
    block = round(len(frame) * 0.3 / 6)
    for fold in folds:
        assert len(fold.scored) == block
        assert (
            frame["ordering_value"].iloc[fold.known].max() < frame["ordering_value"].iloc[fold.scored].min()
        )
        assert len(fold.known) == len(frame) - block * (6 - folds.index(fold))
    with pytest.raises(TrainingDataError, match="needs a timestamp ordering column"):
        timeline.window(folds[0].known, folds[0].period.starts_at, 6)


def test_the_served_procedure_beats_the_train_split_model_under_drift(drift_run):
    data, run = drift_run
    for model in run.models.values():
        newest = model.newest_period
        assert newest["served_procedure"]["roc_auc"] > newest["train_split_only"]["roc_auc"] + 0.05
        assert newest["served_procedure"]["brier"] < newest["train_split_only"]["brier"]
        # calibrated on the newest block: close to the new label rate, not the old 5%
        assert abs(newest["served_procedure"]["mean_probability"] - newest["label_rate"]) < 0.08
        assert len(model.served_rows) == len(data.frame)
    assert run.champion in run.models and run.selection_free_auc > 0.7


def test_training_warns_when_the_label_rate_moves(drift_run):
    _, run = drift_run
    drift = run.drift
    assert drift.label_rate_factor > LABEL_RATE_DRIFT_FACTOR
    (label_warning, feature_warning) = drift.warnings()
    assert (
        f"{drift.oldest_label_rate:.1%}" in label_warning
        and f"{drift.newest_label_rate:.1%}" in label_warning
    )
    assert "channel" in feature_warning  # the new 'partner' channel
    assert drift.features.set_index("feature").loc["channel", "moved"]
    assert len(drift.label_rates) == MONTHS


def test_training_window_and_recency_weights_change_the_served_fit():
    data = drifting_data()
    timeline = Timeline(data, 6)
    params = {"C": 1.0}
    everything, rows = fit_procedure(
        "logistic", params, FoldFitter(timeline, None, None), timeline.all_rows(), timeline.end()
    )
    windowed, window_rows = fit_procedure(
        "logistic", params, FoldFitter(timeline, 6, None), timeline.all_rows(), timeline.end()
    )
    assert len(rows) == len(data.frame) and len(window_rows) == 6 * ROWS_PER_MONTH
    weighted, _ = fit_procedure(
        "logistic", params, FoldFitter(timeline, None, 2.0), timeline.all_rows(), timeline.end()
    )
    coefficient = {
        name: estimator.estimator.estimator.named_steps["model"].coef_[0][:2]
        for name, estimator in (("all", everything), ("window", windowed), ("weighted", weighted))
    }
    # x2 matters only after the drift: a window or recency weights give it more weight than all history
    assert coefficient["window"][1] > coefficient["all"][1]
    assert coefficient["weighted"][1] > coefficient["all"][1]


def test_selection_uses_only_the_periods_given():
    """choose() on hand-made grids: the tree count rule and the nested estimate."""
    linear = [np.array([[0.70], [0.60], [0.90]]), np.array([[0.65], [0.80], [0.50]])]
    assert choose(linear, [0]) == (0, 1, 0.70)
    assert choose(linear, [0, 1])[0] == 1  # mean 0.725 beats 0.65
    assert nested_period_aucs(linear) == [None, 0.60, 0.50]
    counts = np.tile(np.linspace(0.5, 0.8, 30), (2, 1))
    counts[:, 25:] = 0.8  # flat from 26 trees
    index, count, _ = choose([counts], [0, 1])
    assert index == 0 and count == 26


def test_backtest_metrics_equal_scikit_learn_per_period():
    from sklearn.metrics import brier_score_loss, roc_auc_score

    data = drifting_data()
    timeline = Timeline(data, 6)
    folds, _ = make_folds(timeline, 6)
    fitter = FoldFitter(timeline, None, None)
    walk = backtest("logistic", timeline, folds[-2:], procedure_predictor("logistic", {"C": 1.0}, fitter))
    for row, fold in zip(walk.periods.itertuples(), folds[-2:], strict=True):
        estimator, _ = fit_procedure("logistic", {"C": 1.0}, fitter, fold.known, fold.period.starts_at)
        X = data.frame.iloc[fold.scored][list(SPEC.features)]
        probability = estimator.predict_proba(X)[:, 1]
        y = timeline.labels[fold.scored]
        assert row.roc_auc == roc_auc_score(y, probability)
        assert row.brier == brier_score_loss(y, probability)
    assert walk.pooled["rows"] == sum(len(f.scored) for f in folds[-2:])


def test_psi_by_hand():
    reference = pd.Series(["a"] * 50 + ["b"] * 50)
    current = pd.Series(["a"] * 80 + ["b"] * 20)
    bins = reference_bins(reference, "categorical")
    expected = 0.3 * np.log(0.8 / 0.5) + (-0.3) * np.log(0.2 / 0.5)
    assert psi(bin_shares(reference, bins), bin_shares(current, bins)) == pytest.approx(expected, abs=1e-12)
    numbers = pd.Series(np.arange(100, dtype=float))
    assert psi(*(2 * [bin_shares(numbers, reference_bins(numbers, "numeric"))])) == 0.0


@pytest.mark.parametrize("kind", ["logistic", "lightgbm"])
def test_calibration_never_reverses_the_ranking(kind):
    """The newest block reverses x1's effect: a Platt map learnt there used to invert every lead
    (Spearman -0.99 between the served probability and x1). The served ranking is now the
    uncalibrated model's, on every row and in every walk-forward period, and the fallback is said."""
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    from helpers.drifting import reversed_newest_block_data

    data = reversed_newest_block_data()
    timeline = Timeline(data, 6)
    fitter = FoldFitter(timeline, None, None)
    params = {"C": 1.0} if kind == "logistic" else {"num_leaves": 7, "n_estimators": 40, "learning_rate": 0.1}
    X = data.frame[list(SPEC.features)]
    served, _ = fit_procedure(kind, params, fitter, timeline.all_rows(), timeline.end())
    fallback = served.calibration_fallback_
    assert fallback is not None and fallback["learnt_slope"] < 0 and "ranks backwards" in fallback["reason"]
    probability = served.predict_proba(X)[:, 1]
    raw = served.estimator.estimator.decision_function(X)
    assert spearmanr(probability, raw).statistic == pytest.approx(1.0, abs=1e-12)
    assert spearmanr(probability, data.frame["x1"]).statistic > 0.5  # not reversed
    folds, _ = make_folds(timeline, 6)
    for fold in folds:
        estimator, _ = fit_procedure(kind, params, fitter, fold.known, fold.period.starts_at)
        rows = X.iloc[fold.scored]
        y = timeline.labels[fold.scored]
        calibrated_auc = roc_auc_score(y, estimator.predict_proba(rows)[:, 1])
        uncalibrated_auc = roc_auc_score(y, estimator.estimator.estimator.decision_function(rows))
        assert calibrated_auc == pytest.approx(uncalibrated_auc, abs=1e-12), fold.period.label


def test_the_plain_baseline_is_fitted_walk_forward_beside_every_family(drift_run):
    """A plain LogisticRegression (defaults, median imputation, one-hot), fitted on the labels known at
    each period's start, is in the walk-forward tables; its AUC per period is scikit-learn's by hand."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from leadscore.modeling.walk_forward import PLAIN_BASELINE

    data, run = drift_run
    periods = run.period_aucs()
    assert PLAIN_BASELINE in periods.columns
    assert PLAIN_BASELINE in set(run.walk_forward_comparison()["score"])
    timeline = Timeline(data, 6)
    folds, _ = make_folds(timeline, 6)
    fold = folds[-1]
    by_hand = make_pipeline(
        ColumnTransformer(
            [
                ("n", SimpleImputer(strategy="median"), ["x1", "x2"]),
                ("c", OneHotEncoder(handle_unknown="ignore"), ["channel"]),
            ]
        ),
        LogisticRegression(max_iter=1000),
    ).fit(data.frame.iloc[fold.known][["x1", "x2", "channel"]], timeline.labels[fold.known])
    expected = roc_auc_score(
        timeline.labels[fold.scored],
        by_hand.predict_proba(data.frame.iloc[fold.scored][["x1", "x2", "channel"]])[:, 1],
    )
    assert periods[PLAIN_BASELINE].iloc[-1] == pytest.approx(expected, abs=1e-9)
