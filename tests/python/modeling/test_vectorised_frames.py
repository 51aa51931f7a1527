"""The vectorised paths (the coercer's flags and category kinds, the monitoring bins, the warehouse
spelling of categories) give what the value-by-value rules give, on every kind of column a mart or
a lead table can hold: booleans with and without missing values, numbers as flags, text with
missing values, mixed object columns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from leadscore.feature_frame import FeatureFrameCoercer, category_kind
from leadscore.monitoring.baselines import as_warehouse_text
from leadscore.monitoring.drift import Bins, bin_shares, reference_bins

COLUMNS = {
    "bool": pd.Series([True, False, True, True]),
    "nullable_bool": pd.Series([True, None, False, True], dtype="boolean"),
    "float_flags": pd.Series([1.0, 0.0, np.nan, np.inf]),
    "int_flags": pd.Series([1, 0, 0, 2]),
    "nullable_int": pd.Series([1, None, 0, 3], dtype="Int64"),
    "text": pd.Series(["a", None, "b", "a"], dtype="str"),
    "object_text": pd.Series(["x", np.nan, "y", "x"], dtype=object),
    "mixed": pd.Series([True, 3, "z", None], dtype=object),
    "all_missing": pd.Series([None, None, None, None], dtype=object),
}


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _flag(value: object) -> float:
    return np.nan if _missing(value) else float(bool(value))


def _warehouse_text(value: object) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_flags_are_the_value_by_value_rule(name):
    column = COLUMNS[name]
    if name in ("text", "object_text", "mixed", "all_missing"):
        column = column.map(lambda v: v if _missing(v) else bool(v) if not isinstance(v, str) else v)
    coerced = FeatureFrameCoercer(boolean=("flag",)).fit(pd.DataFrame({"flag": column}))
    got = coerced.transform(pd.DataFrame({"flag": column}))["flag"].to_numpy()
    expected = np.array([_flag(v) for v in column.astype(object)])
    assert np.array_equal(got, expected, equal_nan=True)


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_category_kinds_and_warehouse_text_are_the_value_by_value_rules(name):
    column = COLUMNS[name]
    present = [v for v in column.astype(object) if not _missing(v)]
    if pd.api.types.is_bool_dtype(column.dtype) or (present and all(isinstance(v, bool) for v in present)):
        kind = "boolean"
    elif pd.api.types.is_numeric_dtype(column.dtype) or (
        present and all(isinstance(v, int | float) for v in present)
    ):
        kind = "number"
    else:
        kind = "text"
    assert category_kind(column) == kind
    got = [None if _missing(v) else v for v in as_warehouse_text(column)]  # None or NaN: both missing
    assert got == [_warehouse_text(v) for v in column.astype(object)]


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_categorical_bins_are_the_value_by_value_rule(name):
    reference, current = COLUMNS[name], pd.concat([COLUMNS[name], pd.Series(["unseen", 7, None])])
    bins = reference_bins(reference, "categorical")
    assert bins == Bins("categorical", categories=tuple(sorted({str(v) for v in reference.dropna()})))
    position = {category: i for i, category in enumerate(bins.categories)}
    other, missing = len(bins.categories), len(bins.categories) + 1
    index = [missing if pd.isna(v) else position.get(str(v), other) for v in current]
    counts = np.bincount(index, minlength=len(bins.categories) + 2).astype(float)
    assert np.array_equal(bin_shares(current, bins), counts / counts.sum())
