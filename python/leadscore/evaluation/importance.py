"""Which input features drive a fitted pipeline, summed back from the prepared columns
(one-hot columns and missing indicators count toward the feature they came from)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline


def feature_importance(pipeline: Pipeline, sources: list[str]) -> pd.Series:
    """sources[i]: the input feature behind prepared column i (ScoringQuery.feature_sources)."""
    model = pipeline.named_steps["model"]
    if isinstance(model, LogisticRegression):
        weights = np.abs(model.coef_[0])  # numeric inputs are standardised: |coef| compares them
    elif isinstance(model, GradientBoostingClassifier):
        weights = model.feature_importances_
    else:
        raise TypeError(type(model).__name__)
    by_feature = pd.Series(weights, index=sources).groupby(level=0).sum()
    return (by_feature / by_feature.sum()).sort_values(ascending=False)
