"""Hyperparameters chosen on the validation split only (the test split is touched once, at the end).

One protocol for every family: each candidate setting is fitted on train and scored on validation;
for the tree families one fit with the largest tree count scores every prefix of the ensemble, and
the count with the best validation AUC (at least MIN_TREES) is kept. Fits run one at a time with an
explicit thread count (threads.py): never several multi-threaded fits side by side.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.class_weight import compute_sample_weight

from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.pipelines import (
    fit_params,
    gbm_pipeline,
    hgb_pipeline,
    lightgbm_pipeline,
    logistic_pipeline,
)
from leadscore.threads import limited_threads

LOGISTIC_C_GRID = (0.01, 0.1, 1.0, 10.0)
MIN_TREES = 20
# The validation AUC of a boosted ensemble is flat over hundreds of trees; its argmax is noise. The
# count kept is the smallest within this much of the best: as good on validation, smaller in SQL.
TREE_COUNT_TOLERANCE = 0.0005
# family -> (the setting tuned, its values, the most trees tried, learning rate)
TREE_GRIDS: dict[str, tuple[str, tuple[int, ...], int, float]] = {
    "gbm": ("max_depth", (3, 4), 200, 0.1),
    "hgb": ("max_leaf_nodes", (15, 31), 300, 0.1),
    "lightgbm": ("num_leaves", (15, 31), 600, 0.05),
}
CV_FOLDS = 5
# Hyperparameters are searched on at most this many training rows (the most recent ones, nearest the
# validation period); the chosen settings are then fitted once on every training row. The search
# then costs the same at any size, and training stays linear in the data.
MAX_TUNING_ROWS = 300_000
# With more validation rows than this, validation AUC is computed for about MAX_COUNT_EVALUATIONS tree
# counts (every count up to it, then a stride) instead of all of them: each AUC sorts the rows.
STRIDE_FROM_VALIDATION_ROWS = 50_000
MAX_COUNT_EVALUATIONS = 100


@dataclass
class TuningResult:
    kind: str
    params: dict[str, float | int]
    validation_auc: float
    trials: list[dict[str, float | int]] = field(default_factory=list)
    fit_seconds: float = 0.0  # the final fit with the chosen settings
    pipeline: Pipeline | None = field(default=None, repr=False)  # that fit, when tuning already made it


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Each class weighs half: the imbalance handling for the trees (the logistic model uses class_weight)."""
    return compute_sample_weight("balanced", y)


def build(kind: str, data: TrainingData, params: dict[str, float | int]) -> Pipeline:
    if kind == "logistic":
        return logistic_pipeline(data.spec, C=float(params["C"]))
    trees, rate = int(params["n_estimators"]), float(params["learning_rate"])
    if kind == "gbm":
        return gbm_pipeline(data.spec, trees, int(params["max_depth"]), rate)
    if kind == "hgb":
        return hgb_pipeline(data.spec, trees, int(params["max_leaf_nodes"]), rate)
    if kind == "lightgbm":
        return lightgbm_pipeline(data.spec, trees, int(params["num_leaves"]), rate)
    raise ValueError(f"unknown model kind {kind!r}")


def fit_pipeline(kind: str, data: TrainingData, params: dict[str, float | int], X, y) -> Pipeline:
    pipeline = build(kind, data, params)
    weights = None if kind == "logistic" else balanced_weights(y)
    # One BLAS thread for the linear model: its coefficients then come out the same bytes every run.
    with limited_threads(1 if kind == "logistic" else None):
        return pipeline.fit(X, y, **fit_params(kind, data.spec, weights))


def fit(kind: str, data: TrainingData, params: dict[str, float | int]) -> Pipeline:
    return fit_pipeline(kind, data, params, data.features("train"), data.labels("train").to_numpy())


def tune_logistic(data: TrainingData) -> TuningResult:
    X_val, y_val = data.features("validation"), data.labels("validation")
    trials = []
    for C in LOGISTIC_C_GRID:
        pipeline = fit("logistic", data, {"C": C})
        trials.append(
            {"C": C, "validation_auc": float(roc_auc_score(y_val, pipeline.decision_function(X_val)))}
        )
    best = max(trials, key=lambda trial: trial["validation_auc"])
    return TuningResult("logistic", {"C": best["C"]}, best["validation_auc"], trials)


def _staged_scores(kind: str, model: object, prepared: np.ndarray, trees: int) -> Iterator[np.ndarray]:
    """The raw validation score after 1, 2, ... trees."""
    if kind == "lightgbm":
        # One pass: each row's leaf in every tree, then a running sum of the leaf outputs.
        booster = model.booster_
        leaves = booster.predict(prepared, pred_leaf=True).reshape(len(prepared), -1)
        total = np.zeros(len(prepared))
        for tree in range(min(trees, leaves.shape[1])):
            outputs = np.array(
                [booster.get_leaf_output(tree, leaf) for leaf in range(int(leaves[:, tree].max()) + 1)]
            )
            total = total + outputs[leaves[:, tree]]
            yield total
    else:
        yield from model.staged_decision_function(prepared)


def _tree_trial(kind: str, data: TrainingData, value: int) -> dict[str, float | int]:
    setting, _, most, rate = TREE_GRIDS[kind]
    X_val, y_val = data.features("validation"), data.labels("validation").to_numpy()
    pipeline = fit(kind, data, {setting: value, "n_estimators": most, "learning_rate": rate})
    prepared = pipeline.named_steps["prepare"].transform(X_val)
    stride = max(1, most // MAX_COUNT_EVALUATIONS) if len(y_val) > STRIDE_FROM_VALIDATION_ROWS else 1
    aucs = np.full(most, -np.inf)
    with limited_threads():
        for count, scores in enumerate(
            _staged_scores(kind, pipeline.named_steps["model"], prepared, most), 1
        ):
            if count <= MAX_COUNT_EVALUATIONS or count % stride == 0 or count == most:
                aucs[count - 1] = roc_auc_score(y_val, np.ravel(scores))
    best_count = smallest_good_count(list(aucs))
    return {
        setting: value,
        "n_estimators": best_count,
        "learning_rate": rate,
        "validation_auc": float(aucs[best_count - 1]),
    }


def smallest_good_count(aucs: list[float]) -> int:
    """The fewest trees (at least MIN_TREES) whose validation AUC is within TREE_COUNT_TOLERANCE of the best."""
    eligible = np.asarray(aucs[MIN_TREES - 1 :])
    good = np.flatnonzero(eligible >= eligible.max() - TREE_COUNT_TOLERANCE)
    return int(good[0] + MIN_TREES)


def tune_trees(kind: str, data: TrainingData) -> TuningResult:
    setting, values, _, _ = TREE_GRIDS[kind]
    trials = [_tree_trial(kind, data, value) for value in values]
    best = max(trials, key=lambda trial: trial["validation_auc"])
    params = {key: best[key] for key in (setting, "n_estimators", "learning_rate")}
    return TuningResult(kind, params, best["validation_auc"], trials)


def tuning_data(data: TrainingData, max_rows: int = MAX_TUNING_ROWS) -> TrainingData:
    """The training data with its train split cut to the most recent max_rows (ties broken by key)."""
    train = data.part("train")
    if len(train) <= max_rows:
        return data
    order = train.sort_values(list(data.spec.keys[::-1]), kind="stable")
    recent = order.index[-max_rows:]
    keep = data.frame.index.isin(recent) | (data.frame[data.spec.split] != "train")
    return TrainingData(frame=data.frame[keep], spec=data.spec, splits=data.splits)


def tune(kind: str, data: TrainingData) -> TuningResult:
    """Search on tuning_data(data); the pipeline it returns (if any) is usable only when that was all of it."""
    sample = tuning_data(data)
    result = tune_logistic(sample) if kind == "logistic" else tune_trees(kind, sample)
    if sample is not data:
        result.pipeline = None  # fitted on a sample: the caller fits the chosen settings on everything
        for trial in result.trials:
            trial["tuning_rows"] = len(sample.part("train"))
    return result


def timed_fit(kind: str, data: TrainingData, params: dict[str, float | int]) -> tuple[Pipeline, float]:
    started = time.perf_counter()
    pipeline = fit(kind, data, params)
    return pipeline, time.perf_counter() - started


def cross_validated_auc(
    kind: str, data: TrainingData, params: dict[str, float | int], folds: int = CV_FOLDS
) -> dict[str, object]:
    """k-fold CV on train, folds grouped by lead (a lead's monthly snapshots never straddle folds).
    Folds run one after another, each fit with the explicit thread count."""
    train = data.part("train")
    X, y = train[list(data.spec.features)], train[data.spec.label].astype(int).to_numpy()
    scores = []
    for fit_rows, test_rows in GroupKFold(n_splits=folds).split(X, y, groups=train["lead_id"]):
        pipeline = fit_pipeline(kind, data, params, X.iloc[fit_rows], y[fit_rows])
        with limited_threads():
            scores.append(float(roc_auc_score(y[test_rows], pipeline.decision_function(X.iloc[test_rows]))))
    return {
        "folds": folds,
        "mean_auc": float(np.mean(scores)),
        "std_auc": float(np.std(scores)),
        "fold_aucs": scores,
    }
