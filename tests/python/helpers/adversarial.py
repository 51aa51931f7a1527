"""Rows built to break a SQL translation: every tree threshold hit exactly, at its float32
boundary and one double either side of it; NULL in every column; categories never seen in training
(SQL injection and Jinja included); extreme magnitudes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.modeling.feature_spec import FeatureSpec
from leadscore.transpile.float32 import float32_cut
from leadscore.transpile.query import translate
from leadscore.transpile.trees import NumericSplit

EVIL_CATEGORIES = [
    "x'); drop table leads; --",
    "{{ 7 * 7 }}",
    "{% endraw %}{{ exceptions.raise_compiler_error('jinja ran') }}",
    'quote " and \\ backslash',
    "Ünïcødé 🚀",
    "",
]
EXTREMES = [0.0, -1.0, 1e15, -1e15, 1e-300, float("inf"), float("-inf"), float("nan")]
EXTREMES += [float(np.float32(1e-35)), -float(np.float32(1e-35))]  # LightGBM's zero band edges


def _threshold_values(threshold: float) -> list[float]:
    """The threshold, one double either side, and (for scikit-learn's float32 trees) the float32
    boundary with its neighbours."""
    cut = float32_cut(threshold)
    below = float(np.float32(threshold))
    return sorted(
        {
            float(threshold),
            float(np.nextafter(threshold, -np.inf)),
            float(np.nextafter(threshold, np.inf)),
            cut.boundary,
            float(np.nextafter(cut.boundary, -np.inf)),
            float(np.nextafter(cut.boundary, np.inf)),
            below,
            float(np.nextafter(np.float32(below), np.float32(np.inf))),
            float(np.nextafter(np.float32(below), np.float32(-np.inf))),
        }
    )


def numeric_thresholds(estimator: object, spec: FeatureSpec) -> dict[str, list[float]]:
    """Thresholds of the trees on each input numeric feature (empty for linear models)."""
    translation = translate(estimator)
    sources = [column.source for column in translation.inputs]
    numeric = set(spec.numeric)  # booleans only take True, False or NULL
    by_feature: dict[str, list[float]] = {}
    for tree in translation.raw.trees:
        for split in tree.splits:
            if (
                isinstance(split, NumericSplit)
                and sources[split.feature] in numeric
                and np.isfinite(split.threshold)
            ):
                by_feature.setdefault(sources[split.feature], []).append(split.threshold)
    return by_feature


def adversarial_frame(estimators: list[object], base: pd.DataFrame, spec: FeatureSpec) -> pd.DataFrame:
    """Feature columns plus lead_id / as_of_at keys; numeric columns as float64 (the SQL casts them)."""
    base = base[list(spec.features)].reset_index(drop=True)
    rows: list[dict[str, object]] = []

    def variant(changes: dict[str, object]) -> None:
        row = base.iloc[len(rows) % len(base)].to_dict()
        row.update(changes)
        rows.append(row)

    for estimator in estimators:
        for feature, thresholds in numeric_thresholds(estimator, spec).items():
            for threshold in sorted(set(thresholds)):
                for value in _threshold_values(threshold):
                    variant({feature: value})
    for feature in spec.features:
        variant({feature: None})
    for feature in spec.categorical:
        for value in EVIL_CATEGORIES:
            variant({feature: value})
    for feature in spec.numeric:
        for value in EXTREMES:
            variant({feature: value})
    frame = pd.DataFrame(rows)
    for column in spec.numeric:
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in spec.boolean:
        frame[column] = frame[column].astype("boolean")
    for column in spec.categorical:
        frame[column] = frame[column].astype("object")
    frame.insert(0, "lead_id", np.arange(1, len(frame) + 1, dtype=np.int64))
    frame.insert(1, "as_of_at", pd.Timestamp("2026-01-01"))
    return frame


def column_types(spec: FeatureSpec) -> dict[str, str]:
    types = {"lead_id": "bigint", "as_of_at": "timestamp"}
    types |= {c: "double precision" for c in spec.numeric}
    types |= {c: "boolean" for c in spec.boolean}
    types |= {c: "varchar" for c in spec.categorical}
    return types
