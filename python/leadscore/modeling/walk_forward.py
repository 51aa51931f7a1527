"""The walk-forward backtest: for each of the last K periods, run the served procedure as it would have
run when the period started (fit on the labels known then, calibrate on the newest of them) and
score the period. Its per-period and pooled figures are the estimate of how the served model does.

The served procedure (fit_procedure):
1. the rows: every labelled row known at the cutoff, optionally within a training window, weighted by
   recency (half-life) if configured;
2. Platt scaling learnt on the newest block of those rows (Timeline.calibration_rows), with the model
   fitted on the rest;
3. the model refit on all the rows, under that Platt map (pipelines.under_calibration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from leadscore.evaluation.metrics import evaluate_score
from leadscore.modeling.dataset import TrainingDataError
from leadscore.modeling.pipelines import calibrated, under_calibration
from leadscore.modeling.timeline import Timeline
from leadscore.modeling.tuning import Fold, FoldFitter, KeptFits
from leadscore.monitoring.estimation import expected_auc
from leadscore.relations import model_label
from leadscore.threads import limited_threads

DEFAULT_PERIODS = 6
MIN_FOLD_POSITIVES = 30  # a fold whose known rows hold fewer conversions is skipped (and said so)
MIN_FOLDS = 2


@dataclass(frozen=True)
class WalkForwardSettings:
    periods: int = DEFAULT_PERIODS
    window_months: int | None = None  # train only on the last N months before each cutoff
    half_life_months: float | None = None  # recency weighting: a row N months older weighs 0.5 ** (N / h)

    def describe(self) -> str:
        window = f"the last {self.window_months} months" if self.window_months else "all history"
        weights = (
            f"recency half-life {self.half_life_months:g} months"
            if self.half_life_months
            else "equal weights"
        )
        return f"{window}, {weights}"


def make_folds(timeline: Timeline, periods: int) -> tuple[list[Fold], list[str]]:
    """The last `periods` periods as folds, and a note for each one skipped (too few labels)."""
    folds, skipped = [], []
    for period in timeline.periods[-periods:]:
        scored = timeline.rows_of(period)
        known = timeline.known_at(period)
        positives = int(timeline.labels[known].sum())
        period_positives = int(timeline.labels[scored].sum())
        if period_positives in (0, len(scored)):
            skipped.append(
                f"{period.label}: one class only ({period_positives} of {len(scored):,} rows converted)"
            )
        elif positives < MIN_FOLD_POSITIVES:
            skipped.append(f"{period.label}: only {positives} conversions known when it started")
        else:
            folds.append(Fold(period, known, scored))
    if len(folds) < MIN_FOLDS:
        relation = model_label(timeline.data.spec.training_model)
        raise TrainingDataError(
            f"{relation}: the walk-forward backtest needs at least {MIN_FOLDS} periods with both classes and "
            f"{MIN_FOLD_POSITIVES}+ conversions known before them; found {len(folds)} of the last {periods} "
            f"({'; '.join(skipped) or 'no periods'}). Widen the history, or lower --backtest-periods."
        )
    return folds, skipped


def fit_procedure(
    kind: str,
    params: dict,
    fitter: FoldFitter,
    known: np.ndarray,
    ends_at: object,
    fitted: Callable[[np.ndarray], Pipeline | None] = lambda rows: None,
) -> tuple[CalibratedClassifierCV, np.ndarray]:
    """The served procedure at a cutoff: (calibrated estimator, the rows its model was fitted on).
    fitted(rows): the model already fitted on exactly these rows with these params, if one was
    (tuning's fits, KeptFits.fit_on), else None and it is fitted here."""
    timeline = fitter.timeline
    rows = fitter.rows(known, ends_at)
    calibration = timeline.calibration_rows(rows)
    first = fitter.fit(kind, params, np.setdiff1d(rows, calibration))
    X = timeline.data.frame[list(timeline.data.spec.features)]
    with limited_threads():
        estimator = calibrated(first, X.iloc[calibration], timeline.labels[calibration])
    refit = fitted(rows)
    return under_calibration(estimator, refit if refit is not None else fitter.fit(kind, params, rows)), rows


@dataclass
class WalkForward:
    """One score's backtest: a row per period, pooled figures, and the spread of the per-period AUC."""

    name: str
    periods: pd.DataFrame
    pooled: dict[str, object]
    probability: np.ndarray = field(repr=False)  # pooled, in fold order
    starts_at: list = field(
        default_factory=list, repr=False
    )  # each period's start (a time, or ordering value)

    @property
    def mean_auc(self) -> float:
        return float(self.periods["roc_auc"].mean())

    def summary(self) -> dict[str, object]:
        aucs = self.periods["roc_auc"]
        return {
            "periods": self.periods.to_dict(orient="records"),
            "pooled": {
                key: self.pooled[key] for key in ("rows", "conversions", "roc_auc", "pr_auc", "brier")
            },
            "pooled_top_decile_lift": self.pooled["top_decile"]["lift"],
            "pooled_expected_calibration_error": self.pooled["expected_calibration_error"],
            "auc": {
                "mean": float(aucs.mean()),
                "std": float(aucs.std(ddof=0)),
                "min": float(aucs.min()),
                "max": float(aucs.max()),
            },
        }


def backtest(
    name: str,
    timeline: Timeline,
    folds: list[Fold],
    predict: Callable[[Fold], tuple[np.ndarray, np.ndarray]],
    advance: Callable[[], object] = lambda: None,
) -> WalkForward:
    """predict(fold) -> (ranking score, calibrated probability) for the fold's period rows; advance()
    after each fold, for a progress bar."""
    rows, probabilities, labels = [], [], []
    for fold in folds:
        score, probability = predict(fold)
        advance()
        y = timeline.labels[fold.scored]
        metrics = evaluate_score(y, score, probability, [])
        rows.append(
            {
                "period": fold.period.label,
                "known_rows": len(fold.known),
                "rows": metrics["rows"],
                "conversions": metrics["conversions"],
                "label_rate": metrics["base_rate"],
                "mean_probability": float(np.mean(probability)),
                "roc_auc": metrics["roc_auc"],
                # what the probabilities alone promised before the labels came (CBPE)
                "estimated_auc": expected_auc(probability),
                "pr_auc": metrics["pr_auc"],
                "brier": metrics["brier"],
                "top_decile_lift": metrics["top_decile"]["lift"],
                "ece": metrics["expected_calibration_error"],
            }
        )
        probabilities.append(probability)
        labels.append(y)
    probability, y = np.concatenate(probabilities), np.concatenate(labels)
    pooled = evaluate_score(y, probability, probability, [])
    return WalkForward(name, pd.DataFrame(rows), pooled, probability, [f.period.starts_at for f in folds])


def procedure_predictor(kind: str, params: dict, fitter: FoldFitter, kept: KeptFits | None = None):
    """The served procedure, run as of each fold's cutoff. With `kept` (the fits of the tuning that
    chose params on these folds), its fit of the chosen setting on a fold's rows is reused, not
    repeated."""
    features = list(fitter.timeline.data.spec.features)
    frame = fitter.timeline.data.frame

    def predict(fold: Fold) -> tuple[np.ndarray, np.ndarray]:
        label = fold.period.label
        reuse = (lambda rows: kept.fit_on(label, rows, params)) if kept is not None else (lambda rows: None)
        estimator, _ = fit_procedure(kind, params, fitter, fold.known, fold.period.starts_at, reuse)
        with limited_threads():
            probability = estimator.predict_proba(frame.iloc[fold.scored][features])[:, 1]
        return probability, probability

    return predict


def legacy_predictor(timeline: Timeline, baseline: str):
    """The legacy rule score ranks as it is; Platt-calibrated on the same newest known block."""
    score = timeline.data.frame[baseline].astype(float).to_numpy()

    def predict(fold: Fold) -> tuple[np.ndarray, np.ndarray]:
        calibration = timeline.calibration_rows(fold.known)
        platt = LogisticRegression(C=1e6).fit(score[calibration, None], timeline.labels[calibration])
        return score[fold.scored], platt.predict_proba(score[fold.scored, None])[:, 1]

    return predict


PLAIN_BASELINE = "plain_logistic_baseline"
PLAIN_BASELINE_DESCRIPTION = (
    "scikit-learn LogisticRegression with default settings (max_iter 1000), numbers median-imputed and "
    "categories one-hot encoded, fitted on every label known at each period's start"
)


def plain_baseline_predictor(timeline: Timeline):
    """What a user could fit in five lines, fitted the same walk-forward way: the bar every family
    must clear. It is a yardstick only (never served), so it needs no SQL."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    spec = timeline.data.spec
    frame = timeline.data.frame
    numbers = [*spec.numeric, *spec.boolean]
    categories = list(spec.categorical)
    X = frame[[*numbers, *categories]].copy()
    X[numbers] = X[numbers].apply(lambda column: column.astype(float))
    X[categories] = X[categories].astype("object").where(X[categories].notna(), "missing").astype(str)

    def predict(fold: Fold) -> tuple[np.ndarray, np.ndarray]:
        prepare = ColumnTransformer(
            [
                ("numbers", SimpleImputer(strategy="median", keep_empty_features=True), numbers),
                ("categories", OneHotEncoder(handle_unknown="ignore"), categories),
            ]
        )
        model = make_pipeline(prepare, LogisticRegression(max_iter=1000))
        # One BLAS thread, as for the logistic family: lbfgs then takes the same steps on every
        # machine and in any process (side_by_side.py runs it beside the families).
        with limited_threads(1):
            model.fit(X.iloc[fold.known], timeline.labels[fold.known])
            probability = model.predict_proba(X.iloc[fold.scored])[:, 1]
        return probability, probability

    return predict
