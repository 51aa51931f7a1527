"""The first step of every pipeline: the mart's columns, as the warehouse returns them, made into
plain float64 / object columns. Pandas 3 strings, nullable booleans and integers would otherwise
reach scikit-learn in ways its imputers do not expect."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin


class FeatureFrameCoercer(TransformerMixin, BaseEstimator):
    """Numeric and boolean columns -> float64 (True 1.0, False 0.0, missing NaN); categorical -> object with NaN."""

    def __init__(
        self, numeric: tuple[str, ...] = (), boolean: tuple[str, ...] = (), categorical: tuple[str, ...] = ()
    ):
        self.numeric = numeric
        self.boolean = boolean
        self.categorical = categorical

    def fit(self, X: pd.DataFrame, y: object = None) -> FeatureFrameCoercer:
        missing = [column for column in self._columns() if column not in X.columns]
        if missing:
            raise KeyError(f"the feature frame lacks columns {missing}")
        self.n_features_in_ = len(self._columns())
        self.feature_names_in_ = np.asarray(self._columns(), dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        out: dict[str, object] = {}
        for column in self.numeric:
            out[column] = pd.to_numeric(X[column], errors="raise").astype("float64")
        for column in self.boolean:
            values = X[column].astype("object")
            out[column] = values.map(
                lambda v: (
                    np.nan
                    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                    else float(bool(v))
                )
            ).astype("float64")
        for column in self.categorical:
            values = X[column].astype("object")
            out[column] = (
                values.where(values.notna(), np.nan)
                .map(lambda v: v if isinstance(v, float) else str(v))
                .astype("object")
            )
        return pd.DataFrame(out, index=X.index)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self._columns(), dtype=object)

    def _columns(self) -> list[str]:
        return [*self.numeric, *self.boolean, *self.categorical]
