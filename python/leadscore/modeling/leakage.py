"""Leakage checks that run before any model is fitted, on the training split only.

A lead-scoring feature leaks when it is known only because the lead converted (a sales-only field
filled after contact, a status set at conversion) or when it identifies the row. Five symptoms:
- one feature alone separates converters almost perfectly (single-feature AUC);
- converters have the feature filled far more often than others (filled during the sales process).
  Exports fill gaps: "none", "unknown", "n/a", "-" and the configured missing values count as
  missing, and so does 0 in a column that is otherwise positive, when most converters have a value
  and non-converters almost never do (a join that wrote 0 for "no deal"), and any constant that
  nearly every non-converter holds while some converters hold another value, whatever their share
  (an export that wrote 0 for everyone who never reached the deal stage);
- some categories hold almost only converters, and together a good share of all conversions (a
  deal stage, a segment known only for won deals);
- a timestamp feature holds times after the row's as-of time;
- the feature is an identifier: nearly unique per row, counting up with time, or named like one
  *and* with many distinct values (a `landing_page_id` with 495 values over 8,000 rows is a category).
Flagged features stop training unless explicitly allowed, and are reported either way. A model-level
stop follows in training: a walk-forward AUC at or above `max_model_auc` (train.check_model_leakage)."""

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
IDENTIFIER_NAME_UNIQUE = 0.5  # named like an identifier and at least this many distinct values per row
MIN_MISSING_SHARE = 0.1  # below this, who happens to be missing is noise
MONOTONIC_WITH_TIME = 0.95
PLACEHOLDERS = frozenset(
    {
        "",
        "-",
        "--",
        "?",
        "none",
        "null",
        "nil",
        "nan",
        "unknown",
        "n/a",
        "na",
        "not available",
        "not applicable",
    }
)
# 0 counts as missing only where it looks like a filled gap: most converters have a non-zero value and
# non-converters rarely do. A sparse activity count (non-zero for 15% of converters, 7% of the rest)
# stays a count.
ZERO_FILLED_CONVERTERS = 0.5
ZERO_FILLED_OTHERS = 0.1
# One constant (0, -1, 999) for nearly all non-converters and something else for some converters,
# whatever their share: an export that wrote a default for everyone who never reached the deal stage
# (a deal amount non-zero for 6% of converters and 0% of the rest). A real rare signal (a count
# non-zero for 5% of converters) is non-zero for more than this share of non-converters too.
CONSTANT_FOR_OTHERS = 0.998
MIN_DIFFERING_CONVERTERS = 10
# A category value "almost only converts" at this share over at least MIN_VALUE_ROWS rows; the feature
# is flagged when such values together hold MIN_VALUE_CONVERSIONS of all conversions.
VALUE_POSITIVE_SHARE = 0.95
MIN_VALUE_ROWS = 30
MIN_VALUE_CONVERSIONS = 0.1


class LeakageError(RuntimeError):
    pass


@dataclass(frozen=True)
class LeakageFlag:
    feature: str
    check: str
    value: float
    threshold: float
    explanation: str
    shown: str = ""  # the value as people read it, when a bare number would not say it

    def line(self) -> str:
        figure = self.shown or f"{self.value:.3f} (threshold {self.threshold:g})"
        return f"{self.feature}: {self.check}: {figure}: {self.explanation}"


def _filled(
    column: pd.Series, kind: str, y: np.ndarray, placeholders: frozenset[str]
) -> tuple[np.ndarray, str]:
    """Which rows really hold a value, and what counted as missing (for the message)."""
    filled = column.notna().to_numpy()
    if kind == "categorical":
        text = column.astype("string").str.strip().str.lower()
        gap = text.isin(placeholders).fillna(False).to_numpy(dtype=bool)
        found = sorted(set(column[gap].astype(str)))
        return filled & ~gap, (f"NULL and placeholders {found[:4]}" if found else "NULL")
    if kind == "numeric":
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        zero = filled & (values == 0)
        nonzero = filled & ~zero
        gap_like = (
            nonzero[y == 1].mean() >= ZERO_FILLED_CONVERTERS and nonzero[y == 0].mean() <= ZERO_FILLED_OTHERS
        )
        if zero.any() and (values[nonzero] > 0).all() and gap_like:
            return nonzero, "NULL and 0 (the column is otherwise positive)"
        constant = _constant_for_non_converters(values, filled, y)
        if constant is not None:
            return filled & (values != constant), (
                f"NULL and {constant:g}, the value of nearly every non-converter (at least {CONSTANT_FOR_OTHERS:.1%})"
            )
    return filled, "NULL"


def _constant_for_non_converters(values: np.ndarray, filled: np.ndarray, y: np.ndarray) -> float | None:
    """The value nearly all non-converters hold, when some converters hold something else."""
    others = values[filled & (y == 0)]
    if len(others) == 0:
        return None
    common, counts = np.unique(others, return_counts=True)
    constant = float(common[np.argmax(counts)])
    if counts.max() < CONSTANT_FOR_OTHERS * len(others):
        return None
    differing_converters = int((filled & (y == 1) & (values != constant)).sum())
    return constant if differing_converters >= MIN_DIFFERING_CONVERTERS else None


def _converting_values(column: pd.Series, y: np.ndarray) -> LeakageFlag | None:
    frame = pd.DataFrame({"value": column.astype("string"), "y": y}).dropna()
    stats = frame.groupby("value")["y"].agg(rows="size", conversions="sum")
    stats = stats[
        (stats["rows"] >= MIN_VALUE_ROWS) & (stats["conversions"] >= VALUE_POSITIVE_SHARE * stats["rows"])
    ]
    share = stats["conversions"].sum() / max(int(y.sum()), 1)
    if share < MIN_VALUE_CONVERSIONS:
        return None
    stats = stats.sort_values("conversions", ascending=False)
    listed = ", ".join(
        f"{value!r} ({row.conversions / row.rows:.0%} of {row.rows:,} rows)"
        for value, row in stats.head(4).iterrows()
    )
    return LeakageFlag(
        str(column.name),
        "values that almost only convert",
        float(share),
        MIN_VALUE_CONVERSIONS,
        f"{listed} hold {share:.0%} of all conversions: values like these are usually set at or after conversion",
        shown=f"{len(stats)} value(s) >= {VALUE_POSITIVE_SHARE:.0%} converted, {share:.0%} of all conversions",
    )


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
    placeholders = PLACEHOLDERS | {value.strip().lower() for value in settings.missing_values}
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
        filled = column.notna()
        unique_share = column.nunique(dropna=True) / max(int(filled.sum()), 1)
        if kind != "boolean" and IDENTIFIER_NAME.search(feature) and unique_share >= IDENTIFIER_NAME_UNIQUE:
            flags.append(
                LeakageFlag(
                    feature,
                    "identifier",
                    unique_share,
                    IDENTIFIER_NAME_UNIQUE,
                    "named like an identifier, with a distinct value for most rows: it memorises rows "
                    "instead of generalising",
                    shown=f"{column.nunique(dropna=True):,} distinct values over {int(filled.sum()):,} rows",
                )
            )
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
        really_filled, missing_means = _filled(column, kind, y, placeholders)
        if MIN_MISSING_SHARE <= 1 - really_filled.mean() < 1:
            fill_converted, fill_other = really_filled[y == 1].mean(), really_filled[y == 0].mean()
            ratio = fill_converted / fill_other if fill_other > 0 else float("inf")
            if ratio >= settings.max_fill_rate_ratio:
                flags.append(
                    LeakageFlag(
                        feature,
                        "filled mostly for converters",
                        ratio,
                        settings.max_fill_rate_ratio,
                        f"likely filled during the sales process, after contact (missing: {missing_means}; "
                        f"allowed ratio {settings.max_fill_rate_ratio:g})",
                        shown=f"filled for {fill_converted:.0%} of converters, {fill_other:.0%} of the rest",
                    )
                )
        if kind == "categorical":
            converting = _converting_values(column, y)
            if converting:
                flags.append(converting)
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
            "(`leakage.allow`; both take the name above or the column's name in your file), or train "
            "anyway with --allow-leakage to measure them."
        )
    return flags
