"""Leakage checks that run before any model is fitted, on the training split only.

A lead-scoring feature leaks when it is known only because the lead converted (a sales-only field
filled after contact, a status set at conversion) or when it identifies the row. Four symptoms:
- one feature alone separates converters almost perfectly (single-feature AUC);
- converters have the feature filled far more often than others (filled during the sales process);
- a timestamp feature holds times after the row's as-of time;
- the feature is an identifier (named like one, or nearly unique per row, or counting up with time).
Flagged features stop training unless explicitly allowed, and are reported either way."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold

from leadscore.byo.config import LeakageSettings
from leadscore.modeling.dataset import TrainingData

IDENTIFIER_NAME = re.compile(
    r"(^|_)(id|uuid|guid|key|number|email|email_address|phone|phone_number|record_id)$"
)
NEARLY_UNIQUE = 0.9
MIN_MISSING_SHARE = 0.1  # below this, who happens to be missing is noise
MONOTONIC_WITH_TIME = 0.95


class LeakageError(RuntimeError):
    pass


@dataclass(frozen=True)
class LeakageFlag:
    feature: str
    check: str
    value: float
    threshold: float
    explanation: str

    def line(self) -> str:
        return f"{self.feature}: {self.check} = {self.value:.3f} (threshold {self.threshold:g}): {self.explanation}"


def _separation(y: np.ndarray, score: np.ndarray) -> float:
    """AUC folded to [0.5, 1]: how well the score separates the classes, in either direction."""
    if len(np.unique(score)) < 2:
        return 0.5
    auc = roc_auc_score(y, score)
    return max(auc, 1 - auc)


def _out_of_fold_target_mean(values: pd.Series, y: np.ndarray) -> np.ndarray:
    """Category -> conversion rate learnt on the other folds, so rare categories cannot memorise labels."""
    values = values.fillna("(missing)").astype(str).to_numpy()
    encoded = np.full(len(values), y.mean())
    for fit_index, apply_index in KFold(5, shuffle=True, random_state=0).split(values):
        rates = pd.Series(y[fit_index]).groupby(values[fit_index]).mean()
        encoded[apply_index] = (
            pd.Series(values[apply_index]).map(rates).fillna(y[fit_index].mean()).to_numpy()
        )
    return encoded


def find_leakage(data: TrainingData, settings: LeakageSettings) -> list[LeakageFlag]:
    train = data.part("train")
    y = train[data.spec.label].astype(int).to_numpy()
    flags: list[LeakageFlag] = []
    order = (
        train["as_of_at"].rank(method="first").to_numpy() if "as_of_at" in train else np.arange(len(train))
    )
    for feature in data.spec.features:
        column = train[feature]
        kind = data.spec.kind_of(feature)
        if pd.api.types.is_datetime64_any_dtype(column):
            after = float((column > train["as_of_at"]).mean())
            if after > 0:
                flags.append(
                    LeakageFlag(
                        feature,
                        "timestamp after as-of",
                        after,
                        0.0,
                        "holds times after the snapshot: known only later",
                    )
                )
            continue
        if kind != "boolean" and IDENTIFIER_NAME.search(feature):
            flags.append(
                LeakageFlag(
                    feature,
                    "identifier name",
                    1.0,
                    1.0,
                    "named like an identifier; identifiers memorise rows instead of generalising",
                )
            )
        filled = column.notna()
        unique_share = column.nunique(dropna=True) / max(int(filled.sum()), 1)
        if kind == "categorical" and unique_share > NEARLY_UNIQUE and filled.sum() > 50:
            flags.append(
                LeakageFlag(
                    feature,
                    "nearly unique values",
                    unique_share,
                    NEARLY_UNIQUE,
                    "almost one value per row: an identifier, not a signal",
                )
            )
        if kind == "numeric" and unique_share > NEARLY_UNIQUE and filled.sum() > 50:
            trend = abs(
                pd.Series(column[filled].to_numpy()).rank().corr(pd.Series(order[filled.to_numpy()]).rank())
            )
            if trend > MONOTONIC_WITH_TIME:
                flags.append(
                    LeakageFlag(
                        feature,
                        "counts up with time",
                        trend,
                        MONOTONIC_WITH_TIME,
                        "unique and ordered like the rows: a sequence number",
                    )
                )
        if MIN_MISSING_SHARE <= 1 - filled.mean() < 1:
            fill_converted, fill_other = filled.to_numpy()[y == 1].mean(), filled.to_numpy()[y == 0].mean()
            ratio = fill_converted / max(fill_other, 1e-9)
            if ratio >= settings.max_fill_rate_ratio:
                flags.append(
                    LeakageFlag(
                        feature,
                        "fill-rate ratio",
                        ratio,
                        settings.max_fill_rate_ratio,
                        f"filled for {fill_converted:.0%} of converters but {fill_other:.0%} of the rest: "
                        "likely filled during the sales process, after contact",
                    )
                )
        if kind == "categorical":
            score = _out_of_fold_target_mean(column, y)
        else:
            values = column.astype(float)
            score = values.fillna(values.median()).to_numpy()
        separation = _separation(y, score)
        if separation >= settings.max_single_feature_auc:
            flags.append(
                LeakageFlag(
                    feature,
                    "single-feature AUC",
                    separation,
                    settings.max_single_feature_auc,
                    "alone it separates converters implausibly well",
                )
            )
    return flags


def enforce(
    flags: list[LeakageFlag], allowed: tuple[str, ...], allow_all: bool, relation: str
) -> list[LeakageFlag]:
    """Raises with the report unless every flagged feature is allowed; returns the flags kept as warnings."""
    blocking = [flag for flag in flags if flag.feature not in allowed]
    if blocking and not allow_all:
        report = "\n  ".join(flag.line() for flag in blocking)
        raise LeakageError(
            f"leakage check failed on {relation} (train split):\n  {report}\n"
            "Drop these features (`exclude` in leadscore.yml, or the feature mart), allow named ones "
            "(`leakage.allow`), or train anyway with --allow-leakage to measure them."
        )
    return flags
