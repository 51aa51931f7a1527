"""How far a sample of a feature (or of the score) has moved from a reference sample.

The reference fixes the bins: ten quantile bins of its finite values for numbers (plus one bin for
missing values), its categories for categorical and boolean features (plus missing, plus "other" for
values it never saw). Shares are floored at SHARE_FLOOR before the logarithms, as Evidently does, so
an empty bin gives a large but finite PSI. Two figures per feature:

- PSI (population stability index): sum over bins of (current - reference) * ln(current / reference);
  0.1 is the usual "worth a look", 0.2 the usual "has moved" (PSI_ALERT).
- Jensen-Shannon distance, base 2: symmetric and bounded in [0, 1].
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon

SHARE_FLOOR = 1e-4
PSI_ALERT = 0.2
NUMERIC_BINS = 10
MISSING = "(missing)"
OTHER = "(other)"


@dataclass(frozen=True)
class Bins:
    """Interior edges for numbers (a value v falls in bin i when edges[i-1] <= v < edges[i]), or the
    reference's categories; a missing bin always, and an "other" bin for categories never seen."""

    kind: str  # "numeric" or "categorical"
    edges: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        if self.kind == "numeric":
            bounds = ["-inf", *(f"{edge:.6g}" for edge in self.edges), "inf"]
            return [f"[{low}, {high})" for low, high in itertools.pairwise(bounds)] + [MISSING]
        return [*self.categories, OTHER, MISSING]


def _numbers(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(numbers), numbers, np.nan)


def reference_bins(values: pd.Series, kind: str) -> Bins:
    """kind: a feature kind (numeric, boolean, categorical); booleans are binned as categories."""
    if kind == "numeric":
        finite = _numbers(values)
        finite = finite[~np.isnan(finite)]
        if len(finite) == 0:
            return Bins("numeric")
        quantiles = np.quantile(finite, np.linspace(0, 1, NUMERIC_BINS + 1)[1:-1])
        return Bins("numeric", edges=tuple(float(edge) for edge in np.unique(quantiles)))
    categories = sorted(values.dropna().astype(str).unique())
    return Bins("categorical", categories=tuple(categories))


def bin_shares(values: pd.Series, bins: Bins) -> np.ndarray:
    """The share of rows in each of bins.names (sums to 1; all zeros for an empty sample)."""
    if bins.kind == "numeric":
        numbers = _numbers(values)
        missing = np.isnan(numbers)
        index = np.searchsorted(np.asarray(bins.edges, dtype=float), numbers[~missing], side="right")
        counts = np.bincount(index, minlength=len(bins.edges) + 1).astype(float)
        counts = np.append(counts, missing.sum())
    else:
        other, missing = len(bins.categories), len(bins.categories) + 1
        absent = values.isna().to_numpy()
        present = pd.Index(bins.categories, dtype=object).get_indexer(
            values[~absent].astype(str).astype(object)
        )
        index = np.full(len(values), missing, dtype=np.int64)
        index[~absent] = np.where(present < 0, other, present)  # -1: a category the reference lacks
        counts = np.bincount(index, minlength=len(bins.categories) + 2).astype(float)
    total = counts.sum()
    return counts / total if total else counts


def _floored(shares: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(shares, dtype=float), SHARE_FLOOR)


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    expected, actual = _floored(reference), _floored(current)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def js_distance(reference: np.ndarray, current: np.ndarray) -> float:
    return float(jensenshannon(_floored(reference), _floored(current), base=2))


def feature_drift(reference: pd.DataFrame, current: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """PSI and JS distance per feature (kinds: feature -> kind), largest PSI first."""
    rows = []
    for feature, kind in kinds.items():
        bins = reference_bins(reference[feature], kind)
        expected, actual = bin_shares(reference[feature], bins), bin_shares(current[feature], bins)
        stability = psi(expected, actual)
        rows.append(
            {
                "feature": feature,
                "psi": stability,
                "js_distance": js_distance(expected, actual),
                "moved": stability > PSI_ALERT,
            }
        )
    frame = pd.DataFrame(rows, columns=["feature", "psi", "js_distance", "moved"])
    return frame.sort_values(["psi", "feature"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )
