"""Hyperparameters chosen on the validation split only (the test split is touched once, at the end)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.utils.class_weight import compute_sample_weight

from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.pipelines import gbm_pipeline, logistic_pipeline

LOGISTIC_C_GRID = (0.01, 0.1, 1.0, 10.0)
GBM_DEPTHS = (3, 4)
GBM_MAX_TREES = 200
GBM_MIN_TREES = 20
GBM_LEARNING_RATE = 0.1
CV_FOLDS = 5


@dataclass
class TuningResult:
    kind: str
    params: dict[str, float | int]
    validation_auc: float
    trials: list[dict[str, float | int]] = field(default_factory=list)


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Each class weighs half: the imbalance handling for the trees (the logistic model uses class_weight)."""
    return compute_sample_weight("balanced", y)


def build(kind: str, data: TrainingData, params: dict[str, float | int]) -> Pipeline:
    if kind == "logistic":
        return logistic_pipeline(data.spec, C=float(params["C"]))
    return gbm_pipeline(
        data.spec,
        n_estimators=int(params["n_estimators"]),
        max_depth=int(params["max_depth"]),
        learning_rate=float(params["learning_rate"]),
    )


def fit(kind: str, data: TrainingData, params: dict[str, float | int]) -> Pipeline:
    pipeline = build(kind, data, params)
    X, y = data.features("train"), data.labels("train").to_numpy()
    if kind == "gbm":
        return pipeline.fit(X, y, model__sample_weight=balanced_weights(y))
    return pipeline.fit(X, y)


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


def _gbm_depth_trial(data: TrainingData, depth: int) -> dict[str, float | int]:
    """One fit of GBM_MAX_TREES trees; the validation AUC after every tree picks the count."""
    X_val, y_val = data.features("validation"), data.labels("validation")
    pipeline = fit(
        "gbm", data, {"n_estimators": GBM_MAX_TREES, "max_depth": depth, "learning_rate": GBM_LEARNING_RATE}
    )
    prepared = pipeline.named_steps["prepare"].transform(X_val)
    aucs = [
        roc_auc_score(y_val, stage)
        for stage in pipeline.named_steps["model"].staged_decision_function(prepared)
    ]
    best_count = int(np.argmax(aucs[GBM_MIN_TREES - 1 :]) + GBM_MIN_TREES)
    return {
        "max_depth": depth,
        "n_estimators": best_count,
        "learning_rate": GBM_LEARNING_RATE,
        "validation_auc": float(aucs[best_count - 1]),
    }


def tune_gbm(data: TrainingData, n_jobs: int = 2) -> TuningResult:
    trials = Parallel(n_jobs=n_jobs)(delayed(_gbm_depth_trial)(data, depth) for depth in GBM_DEPTHS)
    best = max(trials, key=lambda trial: trial["validation_auc"])
    params = {key: best[key] for key in ("n_estimators", "max_depth", "learning_rate")}
    return TuningResult("gbm", params, best["validation_auc"], trials)


def cross_validated_auc(
    kind: str, data: TrainingData, params: dict[str, float | int], n_jobs: int = 2
) -> dict[str, float]:
    """5-fold CV on train, folds grouped by lead (a lead's monthly snapshots never straddle folds)."""
    train = data.part("train")
    X, y = train[list(data.spec.features)], train[data.spec.label].astype(int).to_numpy()
    fit_params = {"model__sample_weight": balanced_weights(y)} if kind == "gbm" else {}
    scores = cross_validate(
        build(kind, data, params),
        X,
        y,
        groups=train["lead_id"],
        cv=GroupKFold(n_splits=CV_FOLDS),
        scoring="roc_auc",
        params=fit_params,
        n_jobs=n_jobs,
    )["test_score"]
    return {
        "folds": CV_FOLDS,
        "mean_auc": float(np.mean(scores)),
        "std_auc": float(np.std(scores)),
        "fold_aucs": [float(s) for s in scores],
    }
