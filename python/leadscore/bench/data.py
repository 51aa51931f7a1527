"""Benchmark data: numeric feature rows, and rows placed exactly on every tree's float32 boundary
(where translators that compare raw doubles go wrong)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

from leadscore.transpile.float32 import float32_cut

FEATURES = 20
TRAIN_ROWS = 20_000


def feature_names() -> list[str]:
    return [f"x{i:02d}" for i in range(FEATURES)]


def random_rows(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, FEATURES)) * rng.uniform(0.5, 3.0, size=FEATURES) + rng.uniform(
        -1, 1, size=FEATURES
    )
    frame = pd.DataFrame(values, columns=feature_names())
    frame.insert(0, "row_id", np.arange(rows, dtype=np.int64))
    return frame


def labels(frame: pd.DataFrame, seed: int = 1) -> np.ndarray:
    """A non-linear target with interactions, so deep trees have something to learn."""
    x = frame[feature_names()].to_numpy()
    rng = np.random.default_rng(seed)
    logit = (
        x[:, 0] + 0.8 * x[:, 1] * x[:, 2] - 0.5 * np.abs(x[:, 3]) + np.sin(x[:, 4]) + 0.3 * x[:, 5] ** 2 - 1.0
    )
    return (rng.random(len(x)) < 1 / (1 + np.exp(-logit))).astype(int)


def fit_gbm(trees: int, depth: int, seed: int = 0) -> GradientBoostingClassifier:
    train = random_rows(TRAIN_ROWS, seed=seed + 100)
    return GradientBoostingClassifier(
        n_estimators=trees, max_depth=depth, learning_rate=0.1, random_state=seed
    ).fit(train[feature_names()], labels(train))


def boundary_rows(model: GradientBoostingClassifier, base: pd.DataFrame, limit: int = 20_000) -> pd.DataFrame:
    """For thresholds of the model: x at the float32 boundary and one double either side of it."""
    rows = []
    names = feature_names()
    for tree in model.estimators_[:, 0]:
        structure = tree.tree_
        for node in np.flatnonzero(structure.children_left != -1):
            cut = float32_cut(float(structure.threshold[node]))
            for value in (
                cut.boundary,
                np.nextafter(cut.boundary, -np.inf),
                np.nextafter(cut.boundary, np.inf),
            ):
                row = base.iloc[len(rows) % len(base)].copy()
                row[names[structure.feature[node]]] = float(value)
                rows.append(row)
                if len(rows) >= limit:
                    break
    frame = pd.DataFrame(rows).reset_index(drop=True)
    frame["row_id"] = np.arange(len(frame), dtype=np.int64)
    return frame
