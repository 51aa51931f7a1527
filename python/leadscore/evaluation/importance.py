"""Which input features drive a fitted pipeline, summed back from the model's input columns
(one-hot columns and missing indicators count toward the feature they came from). Trees count the
loss reduction (gain) of their splits; the linear model its standardised |coefficients|."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline


def _hgb_gains(model: HistGradientBoostingClassifier) -> np.ndarray:
    gains = np.zeros(model.n_features_in_)
    for (predictor,) in model._predictors:
        nodes = predictor.nodes[predictor.nodes["is_leaf"] == 0]
        np.add.at(gains, nodes["feature_idx"], nodes["gain"])
    return gains


def model_weights(model: object) -> np.ndarray:
    if isinstance(model, LogisticRegression):
        return np.abs(model.coef_[0])  # numeric inputs are standardised: |coef| compares them
    if isinstance(model, HistGradientBoostingClassifier):
        return _hgb_gains(model)
    booster = getattr(model, "booster_", None)
    if booster is not None:  # LightGBM
        return np.asarray(booster.feature_importance(importance_type="gain"), dtype=float)
    if hasattr(model, "feature_importances_"):  # scikit-learn's other trees (impurity decrease)
        return np.asarray(model.feature_importances_, dtype=float)
    raise TypeError(f"no feature importance for {type(model).__name__}")


def feature_importance(pipeline: Pipeline, sources: list[str]) -> pd.Series:
    """sources[i]: the input feature behind model input column i (ScoringQuery.feature_sources)."""
    weights = model_weights(pipeline.steps[-1][1])
    by_feature = pd.Series(weights, index=sources).groupby(level=0).sum()
    total = by_feature.sum()
    return (by_feature / (total if total > 0 else 1.0)).sort_values(ascending=False)
