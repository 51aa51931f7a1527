"""The first step of every pipeline: the mart's columns, as the warehouse returns them, made into
plain float64 / object columns. Pandas 3 strings, nullable booleans and integers would otherwise
reach scikit-learn in ways its imputers do not expect.

It lives below both `modeling/` (which fits it) and `transpile/` (which writes the same rules in SQL),
so every rule here has an exact SQL twin:

- numbers: NaN, +inf and -inf are missing (scikit-learn's imputers only know NaN; the SQL maps
  anything outside the finite doubles to NULL);
- categories are compared as text, in one canonical spelling that every warehouse can produce:
  booleans are 'true' / 'false', whole numbers print without a decimal point ('6', not '6.0'),
  text is kept as it is. The kind of each categorical column seen at fit time is kept
  (`categorical_kinds_`) so the SQL knows which spelling to produce.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

# Whole numbers below this print as integers: every double below 2**53 that is whole is exact.
LARGEST_EXACT_INTEGER = 2.0**53
CATEGORY_KINDS = ("text", "boolean", "number")


def _is_missing(value: object) -> bool:
    return (
        value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
    )


def canonical_category(value: object) -> object:
    """The text a category value is compared as (NaN for missing)."""
    if _is_missing(value):
        return np.nan
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isinf(number):
            return np.nan
        if number == math.floor(number) and abs(number) < LARGEST_EXACT_INTEGER:
            return str(int(number))
        return repr(number)
    return str(value)


def category_kind(values: pd.Series) -> str:
    """What a categorical column holds: text, booleans or numbers (decides the SQL spelling)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(values.dtype):
        return "number"
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return "text"  # the usual case, without a look at every value
    present = [v for v in values.astype("object") if not _is_missing(v)]
    if present and all(isinstance(v, bool | np.bool_) for v in present):
        return "boolean"
    if present and all(isinstance(v, int | float | np.integer | np.floating) for v in present):
        return "number"
    return "text"


class FeatureFrameCoercer(TransformerMixin, BaseEstimator):
    """Numeric and boolean columns -> float64 (True 1.0, False 0.0; missing, NaN and +-inf -> NaN);
    categorical -> object holding the canonical text, NaN when missing."""

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
        self.categorical_kinds_ = {column: category_kind(X[column]) for column in self.categorical}
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        out: dict[str, object] = {}
        for column in self.numeric:
            values = pd.to_numeric(X[column], errors="raise").astype("float64")
            out[column] = values.where(np.isfinite(values.to_numpy()), np.nan)
        for column in self.boolean:
            out[column] = self._as_flag(X[column])
        for column in self.categorical:
            out[column] = self._spelled(X[column])
        return pd.DataFrame(out, index=X.index)

    @staticmethod
    def _as_flag(values: pd.Series) -> pd.Series:
        """1.0 for a true (non-zero) value, 0.0 for false, NaN when missing; vectorised for boolean
        and numeric columns, value by value for anything else."""
        if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
            numbers = values.astype("float64") if values.dtype == bool else values.astype("Float64")
            numbers = pd.Series(numbers.to_numpy(dtype="float64", na_value=np.nan), index=values.index)
            return (numbers != 0).astype("float64").where(numbers.notna(), np.nan)
        values = values.astype("object")
        return values.map(lambda v: np.nan if _is_missing(v) else float(bool(v))).astype("float64")

    @staticmethod
    def _spelled(values: pd.Series) -> pd.Series:
        """canonical_category on every value; text columns (the usual case) take a vectorised path."""
        values = values.astype("object")
        missing = values.isna()
        if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            return values.where(~missing, np.nan).astype("object")
        return values.map(canonical_category).astype("object")

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self._columns(), dtype=object)

    def _columns(self) -> list[str]:
        return [*self.numeric, *self.boolean, *self.categorical]
