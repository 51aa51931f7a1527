"""Benchmark data: numeric feature rows, and rows placed exactly on every tree's float32 boundary
(where translators that compare raw doubles go wrong)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline

from leadscore.feature_frame import FeatureFrameCoercer
from leadscore.transpile.assemblers import assemble_raw_score
from leadscore.transpile.float32 import float32_cut
from leadscore.transpile.trees import NumericSplit

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


FAMILIES = ("lightgbm", "hgb", "gbm", "xgboost")


@dataclass(frozen=True)
class ModelSize:
    """A benchmarked model: family, trees, and size per tree (leaves for the leaf-wise families,
    depth for scikit-learn's GradientBoostingClassifier)."""

    family: str
    trees: int
    size: int

    @property
    def size_name(self) -> str:
        return "depth" if self.family in ("gbm", "xgboost") else "leaves"

    def label(self) -> str:
        return f"{self.family} {self.trees} x {self.size} {self.size_name}"

    @classmethod
    def parse(cls, text: str) -> ModelSize:
        """ "lightgbm:400x15" -> ModelSize("lightgbm", 400, 15)."""
        family, _, shape = text.strip().partition(":")
        trees, _, size = shape.partition("x")
        positive = trees.isdigit() and size.isdigit() and int(trees) > 0 and int(size) > 0
        if family not in FAMILIES or not positive:
            raise ValueError(
                f"model {text!r}: expected FAMILY:TREESxSIZE (both positive) with FAMILY one of {FAMILIES}"
            )
        return cls(family, int(trees), int(size))


def fit_model(model: ModelSize, seed: int = 0):
    train = random_rows(TRAIN_ROWS, seed=seed + 100)
    X, y = train[feature_names()], labels(train)
    if model.family == "gbm":
        return GradientBoostingClassifier(
            n_estimators=model.trees, max_depth=model.size, learning_rate=0.1, random_state=seed
        ).fit(X, y)
    if model.family == "hgb":
        return HistGradientBoostingClassifier(
            max_iter=model.trees, max_leaf_nodes=model.size, early_stopping=False, random_state=seed
        ).fit(X, y)
    if model.family == "xgboost":
        from xgboost import XGBClassifier

        from leadscore.threads import thread_count

        return XGBClassifier(
            n_estimators=model.trees,
            max_depth=model.size,
            learning_rate=0.05,
            tree_method="hist",
            random_state=seed,
            n_jobs=thread_count(),
        ).fit(X, y)
    from lightgbm import LGBMClassifier

    from leadscore.modeling.pipelines import lightgbm_settings

    return LGBMClassifier(**lightgbm_settings(model.trees, model.size, 0.05)).fit(X, y)


def with_typed_inputs(model: object) -> Pipeline:
    """The fitted model behind the coercer the product's pipelines start with, which declares every
    input a number: its SQL then reads the double columns as they are. A bare model's SQL cannot
    know an input's type and, on Postgres, spells it through text (dialects.py), which the product
    never does."""
    coercer = FeatureFrameCoercer(numeric=tuple(feature_names())).fit(random_rows(1)[feature_names()])
    return Pipeline([("coerce", coercer), ("model", model)])


def fit_gbm(trees: int, depth: int, seed: int = 0) -> GradientBoostingClassifier:
    return fit_model(ModelSize("gbm", trees, depth), seed)


def boundary_rows(model: object, base: pd.DataFrame, limit: int = 20_000) -> pd.DataFrame:
    """For thresholds of the model: x on the threshold (at the float32 boundary for scikit-learn's
    float32 trees) and one double either side of it."""
    rows = []
    names = feature_names()
    for tree in assemble_raw_score(model).trees:
        for split in tree.splits:
            if not isinstance(split, NumericSplit) or len(rows) >= limit:
                continue
            at = float32_cut(split.threshold).boundary if split.float32 else split.threshold
            for value in (at, np.nextafter(at, -np.inf), np.nextafter(at, np.inf)):
                row = base.iloc[len(rows) % len(base)].copy()
                row[names[split.feature]] = float(value)
                rows.append(row)
    frame = pd.DataFrame(rows[:limit]).reset_index(drop=True)
    frame["row_id"] = np.arange(len(frame), dtype=np.int64)
    return frame
