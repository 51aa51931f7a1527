"""What "normal" looked like when a version was trained, saved beside it and loaded into the warehouse
(as a generated dbt macro, like the scoring SQL), so monitoring in SQL compares against it.

Per feature: the reference bins of the rows the served model was fitted on (monitoring/drift.py) with
their shares; the same for the champion's probability on those rows (`champion_probability`). Values
reach SQL as text the way the warehouse prints them: booleans 'true' / 'false', numbers as doubles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.monitoring.drift import MISSING, OTHER, Bins, bin_shares, reference_bins

SCORE_FEATURE = "champion_probability"
BASELINE_COLUMNS = (
    "feature",
    "kind",
    "bin_index",
    "bin_kind",
    "lower_edge",
    "upper_edge",
    "category",
    "share",
)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def as_warehouse_text(values: pd.Series) -> pd.Series:
    """Category values as SQL's cast to text prints them (booleans lower-case). Text and boolean
    columns (the usual ones) without a look at each value."""
    if pd.api.types.is_bool_dtype(values.dtype):
        text = values.astype(object).map({True: "true", False: "false"})
        return text.where(values.notna(), None).astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.astype(object).where(values.notna(), None)
    return values.astype(object).map(_text)


def prepared(values: pd.Series, kind: str) -> pd.Series:
    return values if kind == "numeric" else as_warehouse_text(values)


def baseline_rows(name: str, kind: str, values: pd.Series) -> list[dict[str, object]]:
    """One row per bin of `values` (a numeric or categorical reference), with its share."""
    values = prepared(values, kind)
    bins = reference_bins(values, "numeric" if kind == "numeric" else "categorical")
    shares = bin_shares(values, bins)
    rows = []
    for index, (label, share) in enumerate(zip(bins.names, shares, strict=True)):
        row = {"feature": name, "kind": kind, "bin_index": index, "share": float(share)}
        row.update(_describe(bins, index, label))
        rows.append(row)
    return rows


def _describe(bins: Bins, index: int, label: str) -> dict[str, object]:
    if label == MISSING:
        return {"bin_kind": "missing", "lower_edge": None, "upper_edge": None, "category": None}
    if bins.kind == "numeric":
        edges = bins.edges
        return {
            "bin_kind": "range",
            "lower_edge": float(edges[index - 1]) if index > 0 else None,
            "upper_edge": float(edges[index]) if index < len(edges) else None,
            "category": None,
        }
    if label == OTHER:
        return {"bin_kind": "other", "lower_edge": None, "upper_edge": None, "category": None}
    return {"bin_kind": "category", "lower_edge": None, "upper_edge": None, "category": label}


def training_baseline(features: pd.DataFrame, kinds: dict[str, str], probability: np.ndarray) -> pd.DataFrame:
    rows = []
    for feature, kind in kinds.items():
        rows.extend(baseline_rows(feature, kind, features[feature]))
    rows.extend(baseline_rows(SCORE_FEATURE, "numeric", pd.Series(probability)))
    return pd.DataFrame(rows, columns=list(BASELINE_COLUMNS))
