"""Which input features drive a fitted pipeline, summed back from the prepared columns
(one-hot columns and missing indicators count toward the feature they came from)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

INDICATOR_PREFIX = "missingindicator_"


def source_feature(prepared_name: str, features: tuple[str, ...]) -> str:
    name = prepared_name.split("__", 1)[-1]
    name = name.removeprefix(INDICATOR_PREFIX)
    matches = [f for f in features if name == f or name.startswith(f + "_")]
    return max(matches, key=len) if matches else name


def feature_importance(pipeline: Pipeline, features: tuple[str, ...]) -> pd.Series:
    names = pipeline.named_steps["prepare"].get_feature_names_out()
    model = pipeline.named_steps["model"]
    if isinstance(model, LogisticRegression):
        weights = np.abs(model.coef_[0])  # inputs are standardised: |coef| compares features
    elif isinstance(model, GradientBoostingClassifier):
        weights = model.feature_importances_
    else:
        raise TypeError(type(model).__name__)
    by_feature = pd.Series(weights, index=[source_feature(n, features) for n in names]).groupby(level=0).sum()
    return (by_feature / by_feature.sum()).sort_values(ascending=False)
