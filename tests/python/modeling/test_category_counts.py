"""Encoders fitted with pandas' category counts are the encoders scikit-learn fits on its own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils import _encode

from helpers.drifting import drifting_data
from leadscore.modeling import tuning
from leadscore.modeling.category_counts import fast_category_counts, pandas_get_counts
from leadscore.modeling.pipelines import MAX_CATEGORY_CODES, MIN_CATEGORY_SHARE

HOSTILE = "x'); drop table leads; --"


def _columns(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.choice(["a", "b", "c", "default", HOSTILE], size=rows, p=[0.4, 0.3, 0.2, 0.07, 0.03])
    rare = np.array([f"rare_{i}" for i in rng.integers(0, 400, size=rows)], dtype=object)
    with_nan = common.astype(object)
    with_nan[rng.random(rows) < 0.2] = np.nan
    with_none = common.astype(object)
    with_none[rng.random(rows) < 0.1] = None
    flags = np.where(rng.random(rows) < 0.5, "true", "false").astype(object)
    return pd.DataFrame(
        {"common": common.astype(object), "rare": rare, "nan": with_nan, "none": with_none, "flags": flags}
    )


def _encoders():
    return [
        OneHotEncoder(
            handle_unknown="infrequent_if_exist", min_frequency=MIN_CATEGORY_SHARE, sparse_output=False
        ),
        OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=np.nan,
            encoded_missing_value=np.nan,
            min_frequency=MIN_CATEGORY_SHARE,
            max_categories=MAX_CATEGORY_CODES,
        ),
        OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=4, sparse_output=False),
    ]


@pytest.mark.parametrize("rows", [1, 50, 20_000])
def test_pandas_counts_are_scikit_learns(rows):
    frame = _columns(rows, seed=rows)
    for name in frame.columns:
        values = frame[name].to_numpy()
        uniques = _encode._unique(values)
        assert np.array_equal(pandas_get_counts(values, uniques), _encode._get_counts(values, uniques)), name
    numbers = np.array([1.0, np.nan, 2.0, 2.0, np.nan])
    uniques = np.array([1.0, 2.0, np.nan])
    assert pandas_get_counts(numbers, uniques).tolist() == [1, 2, 2]


def test_encoders_fitted_with_pandas_counts_are_the_same():
    train, unseen = _columns(20_000, seed=1), _columns(2_000, seed=2)
    unseen.loc[:100, "common"] = "never seen"
    for encoder in _encoders():
        for name in train.columns:
            plain = encoder.__class__(**encoder.get_params()).fit(train[[name]])
            with fast_category_counts():
                fast = encoder.__class__(**encoder.get_params()).fit(train[[name]])
            assert [list(map(str, c)) for c in fast.categories_] == [
                list(map(str, c)) for c in plain.categories_
            ]
            assert str(fast.infrequent_categories_) == str(plain.infrequent_categories_), name
            np.testing.assert_array_equal(fast.transform(unseen[[name]]), plain.transform(unseen[[name]]))


def test_the_pipelines_preprocessing_is_the_same_and_scikit_learn_is_restored():
    data = drifting_data()
    X, y = data.frame[list(data.spec.features)], data.frame[data.spec.label].astype(int)
    original = _encode._get_counts
    for kind in ("logistic", "lightgbm"):
        settings = tuning._fitted_settings(kind, tuning._candidates(kind)[0])
        plain = tuning.build(kind, data, settings).named_steps["prepare"].fit(X, y)
        with fast_category_counts():
            assert _encode._get_counts is pandas_get_counts
            fast = tuning.build(kind, data, settings).named_steps["prepare"].fit(X, y)
        np.testing.assert_array_equal(fast.transform(X), plain.transform(X))
    assert _encode._get_counts is original
    with pytest.raises(RuntimeError), fast_category_counts():
        raise RuntimeError("a failing fit")
    assert _encode._get_counts is original
