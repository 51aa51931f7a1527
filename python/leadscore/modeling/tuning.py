"""Hyperparameters chosen on the walk-forward folds (time-ordered: each fold fits on the labels known
when its period starts and scores that period; modeling/timeline.py).

One protocol for every family: each candidate setting is fitted once per fold and scored on the
fold's period; the setting with the best mean per-period ROC-AUC wins. For the tree families one fit
with the largest tree count scores every prefix of the ensemble, up to PATIENCE_TREES past the fold's
best (period_curve.py: LightGBM stops fitting there), and the tree count kept is the fewest whose
mean AUC is within TREE_COUNT_TOLERANCE of the best. Fits run one at a time with an
explicit thread count (threads.py): never several multi-threaded fits side by side.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.utils.class_weight import compute_sample_weight

from leadscore.modeling.category_counts import fast_category_counts
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.first_trees import first_trees
from leadscore.modeling.period_curve import PeriodCurve, lightgbm_running_scores
from leadscore.modeling.pipelines import (
    fit_params,
    gbm_pipeline,
    hgb_pipeline,
    lightgbm_pipeline,
    logistic_pipeline,
    logistic_solver,
    xgboost_pipeline,
)
from leadscore.modeling.selection import SELECTION_RULE as CHAMPION_RULE
from leadscore.modeling.timeline import Period, Timeline
from leadscore.threads import limited_threads

LOGISTIC_C_GRID = (0.01, 0.1, 1.0, 10.0)
MIN_TREES = 20
# The AUC of a boosted ensemble is flat over hundreds of trees; its argmax is noise. The count kept
# is the smallest within this much of the best: as good out of time, smaller in SQL.
TREE_COUNT_TOLERANCE = 0.0005
# family -> (the setting tuned, its values, the most trees tried, learning rate)
TREE_GRIDS: dict[str, tuple[str, tuple[int, ...], int, float]] = {
    "gbm": ("max_depth", (3, 4), 200, 0.1),
    "hgb": ("max_leaf_nodes", (15, 31), 300, 0.1),
    "lightgbm": ("num_leaves", (15, 31), 600, 0.05),
    # At most 300 trees: XGBoost's float32 running sum nests one level per tree in SQL (DuckDB stops
    # at depth 1000) and is never split into batches.
    "xgboost": ("max_depth", (3, 5), 300, 0.05),
}
# Hyperparameters are searched on at most this many known rows per fold (the most recent ones); the
# evaluation and the served fit use every row. The search then costs the same at any size, and
# training stays linear in the data.
MAX_TUNING_ROWS = 300_000
SELECTION_RULE = (
    "the setting with the highest mean ROC-AUC over the walk-forward periods (tree count: the fewest "
    f"within {TREE_COUNT_TOLERANCE} of the best); " + CHAMPION_RULE
)


@dataclass(frozen=True)
class Fold:
    """Fit on `known` (labels known when the period started), score `scored` (the period's rows)."""

    period: Period
    known: np.ndarray
    scored: np.ndarray


@dataclass
class TuningResult:
    kind: str
    params: dict[str, float | int]
    walk_forward_auc: float  # mean per-period AUC of the chosen setting during the search
    trials: list[dict[str, object]] = field(default_factory=list)
    # Per period: the AUC of the setting chosen on the earlier periods only (None for the first).
    nested_period_aucs: list[float | None] = field(default_factory=list)
    grid: list[np.ndarray] = field(default_factory=list, repr=False)  # candidate -> AUC per fold x tree count
    # The chosen setting's fits per fold, for the backtest; dropped (release_fits) once it has run.
    kept_fits: KeptFits | None = field(default=None, repr=False)

    def release_fits(self) -> None:
        self.kept_fits = None


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """Each class weighs half: the imbalance handling for the trees (the logistic model uses class_weight)."""
    return compute_sample_weight("balanced", y)


def build(kind: str, data: TrainingData, params: dict[str, float | int]) -> Pipeline:
    if kind == "logistic":
        return logistic_pipeline(data.spec, C=float(params["C"]))
    trees, rate = int(params["n_estimators"]), float(params["learning_rate"])
    if kind == "gbm":
        return gbm_pipeline(data.spec, trees, int(params["max_depth"]), rate)
    if kind == "hgb":
        return hgb_pipeline(data.spec, trees, int(params["max_leaf_nodes"]), rate)
    if kind == "lightgbm":
        return lightgbm_pipeline(data.spec, trees, int(params["num_leaves"]), rate)
    if kind == "xgboost":
        return xgboost_pipeline(data.spec, trees, int(params["max_depth"]), rate)
    raise ValueError(f"unknown model kind {kind!r}")


def fit_pipeline(
    kind: str,
    data: TrainingData,
    params: dict[str, float | int],
    X,
    y,
    recency: np.ndarray | None = None,
) -> Pipeline:
    """recency: optional per-row weights (recency weighting), multiplied into the class balancing."""
    return fit_candidates(kind, data, [params], X, y, sample_weights(kind, y, recency))[0]


def fit_candidates(
    kind: str,
    data: TrainingData,
    candidates: list[dict[str, float | int]],
    X,
    y,
    weights: np.ndarray | None,
    watch: Callable[[Pipeline], dict[str, object]] | None = None,
) -> list[Pipeline]:
    """One pipeline per candidate setting on the same rows, the preprocessing fitted once and
    shared: it depends on the rows only, and fitting it (category counts over text columns) cost
    more than the logistic model's own fit. Each model is fitted on the prepared rows, so the
    logistic solver is chosen from their width (pipelines.logistic_solver). watch(prepare) (the
    fitted preprocessing) may give fit arguments that stop a tree model early (tuning's period
    curve)."""
    model_params = {
        name.removeprefix("model__"): value for name, value in fit_params(kind, data.spec, weights).items()
    }
    pipelines: list[Pipeline] = []
    # One BLAS thread for the linear model: its coefficients then come out the same bytes every run.
    with limited_threads(1 if kind == "logistic" else None), fast_category_counts():
        prepare = build(kind, data, candidates[0]).named_steps["prepare"]
        # fit_transform, as Pipeline.fit does: fit() then transform() would prepare the rows twice
        # (a ColumnTransformer's fit is its fit_transform with the result dropped), the same values.
        prepared = prepare.fit_transform(X, y)
        for candidate in candidates:
            extra = watch(prepare) if watch is not None else {}
            model = build(kind, data, candidate).named_steps["model"]
            if kind == "logistic":
                model.set_params(solver=logistic_solver(prepared.shape[1]))
            model.fit(prepared, y, **model_params, **extra)
            pipelines.append(Pipeline([("prepare", prepare), ("model", model)]))
    return pipelines


def sample_weights(kind: str, y, recency: np.ndarray | None) -> np.ndarray | None:
    """Class balancing for the trees (the logistic model uses class_weight), times recency if given."""
    weights = None if kind == "logistic" else balanced_weights(y)
    if recency is not None:
        weights = recency if weights is None else weights * recency
    return weights


def fit(kind: str, data: TrainingData, params: dict[str, float | int]) -> Pipeline:
    """Fitted on the train split (the fixed-split comparison and segment models)."""
    return fit_pipeline(kind, data, params, data.features("train"), data.labels("train").to_numpy())


def _staged_scores(kind: str, model: object, prepared: np.ndarray, trees: int) -> Iterator[np.ndarray]:
    """The raw score after 1, 2, ... trees."""
    if kind == "lightgbm":
        booster = model.booster_
        count = min(trees, booster.current_iteration())
        yield from lightgbm_running_scores(booster, prepared, 0, count, np.zeros(len(prepared)))
    elif kind == "xgboost":
        yield from model.staged_margins(prepared, trees)
    else:
        yield from model.staged_decision_function(prepared)


def smallest_good_count(aucs: list[float]) -> int:
    """The fewest trees (at least MIN_TREES) whose AUC is within TREE_COUNT_TOLERANCE of the best."""
    eligible = np.asarray(aucs[MIN_TREES - 1 :])
    good = np.flatnonzero(eligible >= eligible.max() - TREE_COUNT_TOLERANCE)
    return int(good[0] + MIN_TREES)


class FoldFitter:
    """Fits one family on a fold's known rows (the most recent MAX_TUNING_ROWS of them, within the
    training window, with recency weights), the way the served procedure fits."""

    def __init__(self, timeline: Timeline, window_months: int | None, half_life_months: float | None):
        self.timeline = timeline
        self.window_months = window_months
        self.half_life_months = half_life_months

    def rows(self, known: np.ndarray, ends_at: object, max_rows: int | None = None) -> np.ndarray:
        rows = self.timeline.window(known, ends_at, self.window_months)
        if max_rows is not None and len(rows) > max_rows:
            rows = np.sort(rows[np.argsort(self.timeline.rank[rows], kind="stable")[-max_rows:]])
        return rows

    def fit(self, kind: str, params: dict[str, float | int], rows: np.ndarray) -> Pipeline:
        data = self.timeline.data
        X = data.frame.iloc[rows][list(data.spec.features)]
        recency = self.timeline.recency_weights(rows, self.half_life_months)
        return fit_pipeline(kind, data, params, X, self.timeline.labels[rows], recency)

    def fit_candidates(
        self,
        kind: str,
        candidates: list[dict[str, float | int]],
        rows: np.ndarray,
        watch: Callable[[Pipeline], dict[str, object]] | None = None,
    ) -> list[Pipeline]:
        """fit_candidates on these rows, with their recency weights: each pipeline equals
        fit(kind, candidate, rows), or its first trees when `watch` stops it early."""
        data = self.timeline.data
        X = data.frame.iloc[rows][list(data.spec.features)]
        y = self.timeline.labels[rows]
        weights = sample_weights(kind, y, self.timeline.recency_weights(rows, self.half_life_months))
        return fit_candidates(kind, data, candidates, X, y, weights, watch)


def _fold_inputs(fitter: FoldFitter, fold: Fold):
    data = fitter.timeline.data
    rows = fitter.rows(fold.known, fold.period.starts_at, MAX_TUNING_ROWS)
    X_period = data.frame.iloc[fold.scored][list(data.spec.features)]
    return rows, X_period, fitter.timeline.labels[fold.scored]


def _logistic_aucs(pipelines: list[Pipeline], X_period, y_period) -> list[np.ndarray]:
    """Each candidate's AUC on the period. The candidates share one fitted preprocessing
    (fit_candidates): the period is prepared once, not once per candidate."""
    prepared = pipelines[0].named_steps["prepare"].transform(X_period)
    return [
        np.array([roc_auc_score(y_period, pipeline.named_steps["model"].decision_function(prepared))])
        for pipeline in pipelines
    ]


def choose(
    grid: list[np.ndarray], folds: list[int], measured_in: Sequence[int] = ()
) -> tuple[int, int, float]:
    """grid[i]: candidate i's AUC per fold (rows) and tree count (columns; one column for a linear
    model; NaN where not measured: a stride, or past the fold's stop, period_curve.py). Returns
    (candidate, tree count, mean AUC) chosen on the given folds only: the best mean, at the fewest
    trees within TREE_COUNT_TOLERANCE of the candidate's best, among the counts measured on those
    folds and on the folds `measured_in`."""
    best = (0, 1, -np.inf)
    for index, aucs in enumerate(grid):
        mean = aucs[folds].mean(axis=0)
        if measured_in:
            mean = np.where(np.isnan(aucs[list(measured_in)]).any(axis=0), np.nan, mean)
        count = smallest_good_count(list(np.where(np.isnan(mean), -np.inf, mean))) if len(mean) > 1 else 1
        if mean[count - 1] > best[2]:
            best = (index, count, float(mean[count - 1]))
    return best


def nested_period_aucs(grid: list[np.ndarray]) -> list[float | None]:
    """Each period's AUC under the setting chosen on the periods before it only (None for the first):
    an estimate no choice has seen, at no extra fit."""
    aucs: list[float | None] = [None]
    for fold in range(1, grid[0].shape[0]):
        # Among the counts the fold itself was measured at: a fold's curve may stop before an earlier
        # fold's (period_curve.py); on the warehouses measured, this never changed a count.
        index, count, _ = choose(grid, list(range(fold)), measured_in=[fold])
        aucs.append(float(grid[index][fold, count - 1]))
    return aucs


def selection_free_aucs(tunings: list[TuningResult]) -> list[float | None]:
    """Per period: the AUC of the family and setting that the periods before it alone would have
    chosen (None for the first). Their mean is the estimate that no choice has seen."""
    aucs: list[float | None] = [None]
    for fold in range(1, len(tunings[0].nested_period_aucs)):
        chosen = max(tunings, key=lambda t: choose(t.grid, list(range(fold)))[2])
        aucs.append(chosen.nested_period_aucs[fold])
    return aucs


def _candidates(kind: str) -> list[dict[str, float | int]]:
    if kind == "logistic":
        return [{"C": C} for C in LOGISTIC_C_GRID]
    setting, values, _, rate = TREE_GRIDS[kind]
    return [{setting: value, "learning_rate": rate} for value in values]


def _fitted_settings(kind: str, candidate: dict[str, float | int]) -> dict[str, float | int]:
    """A tree candidate is fitted with the most trees (every prefix is scored); the logistic as it is."""
    return candidate if kind == "logistic" else {**candidate, "n_estimators": TREE_GRIDS[kind][2]}


def fit_count(kind: str, folds: int) -> int:
    """The fits tune() makes: one per candidate setting and fold (the length of its progress bar)."""
    return len(_candidates(kind)) * folds


@dataclass
class FoldTuning:
    """Every candidate setting fitted on one fold and scored on its period: the unit of tuning work,
    which side_by_side.py may run in another process."""

    label: str  # the fold's period
    rows: np.ndarray  # the rows the fits were fitted on
    aucs: list[np.ndarray]  # per candidate: its AUC per tree count (one value for a linear model)
    pipelines: list[Pipeline]  # per candidate: its fit (with the most trees)


def tune_fold(
    kind: str, fitter: FoldFitter, fold: Fold, advance: Callable[[], object] = lambda: None
) -> FoldTuning:
    """advance() is called after each fit, for a progress bar."""
    settings = [_fitted_settings(kind, candidate) for candidate in _candidates(kind)]
    rows, X_period, y_period = _fold_inputs(fitter, fold)
    if kind == "logistic":
        pipelines = fitter.fit_candidates(kind, settings, rows)
        aucs = _logistic_aucs(pipelines, X_period, y_period)
        for _ in pipelines:
            advance()
        return FoldTuning(fold.period.label, rows, aucs, pipelines)
    curves: list[PeriodCurve] = []
    prepared_period: dict[str, np.ndarray] = {}

    def watch(prepare: Pipeline) -> dict[str, object]:
        """A fresh curve per candidate; LightGBM reads it while it fits and stops at its stop."""
        if "X" not in prepared_period:
            prepared_period["X"] = prepare.transform(X_period)
        curves.append(PeriodCurve(y_period, TREE_GRIDS[kind][2], MIN_TREES))
        return (
            {"callbacks": [curves[-1].lightgbm_callback(prepared_period["X"])]} if kind == "lightgbm" else {}
        )

    pipelines = fitter.fit_candidates(kind, settings, rows, watch)
    for pipeline, curve in zip(pipelines, curves, strict=True):
        if kind != "lightgbm":
            with limited_threads():
                curve.read_all(
                    _staged_scores(kind, pipeline.named_steps["model"], prepared_period["X"], curve.aucs.size)
                )
        advance()
    return FoldTuning(fold.period.label, rows, [curve.aucs for curve in curves], pipelines)


def tuning_result(kind: str, folds: list[FoldTuning]) -> TuningResult:
    """The setting chosen from every fold's scores (folds in time order); the chosen setting's fits
    are kept (TuningResult.fit_on) for the backtest, which would otherwise repeat one per fold."""
    candidates = _candidates(kind)
    grid = [np.vstack([fold.aucs[index] for fold in folds]) for index in range(len(candidates))]
    trials = []
    for candidate, aucs in zip(candidates, grid, strict=True):
        _, count, mean = choose([aucs], list(range(len(folds))))
        trees = {} if kind == "logistic" else {"n_estimators": count}
        trials.append(
            {**candidate, **trees, "walk_forward_auc": mean, "period_aucs": aucs[:, count - 1].tolist()}
        )
    index, _, mean = choose(grid, list(range(len(folds))))  # each trial holds its candidate's own choice
    keys = ("C",) if kind == "logistic" else (TREE_GRIDS[kind][0], "n_estimators", "learning_rate")
    params = {key: trials[index][key] for key in keys}
    result = TuningResult(kind, params, mean, trials, nested_period_aucs=nested_period_aucs(grid), grid=grid)
    result.kept_fits = KeptFits(
        kind,
        {fold.label: fold.rows for fold in folds},
        {fold.label: fold.pipelines[index] for fold in folds},
        params,
    )
    return result


def tune(
    kind: str, fitter: FoldFitter, folds: list[Fold], advance: Callable[[], object] = lambda: None
) -> TuningResult:
    """Every fold in turn, then the choice. advance() is called after each fit (tuning is the longest
    step)."""
    return tuning_result(kind, [tune_fold(kind, fitter, fold, advance) for fold in folds])


@dataclass
class KeptFits:
    """The chosen setting's tuning fit on each fold, and the rows it was fitted on."""

    kind: str
    rows: dict[str, np.ndarray]  # period label -> the rows the fold's fits were fitted on
    pipelines: dict[str, Pipeline]  # period label -> the chosen setting's fit (with the most trees)
    params: dict[str, float | int]

    def only(self, fold: str) -> KeptFits:
        """The fit of one fold (what that fold's backtest needs, when it runs in another process)."""
        return KeptFits(self.kind, {fold: self.rows[fold]}, {fold: self.pipelines[fold]}, self.params)

    def fit_on(self, fold: str, rows: np.ndarray, params: dict[str, float | int]) -> Pipeline | None:
        """The chosen setting fitted on exactly these rows, if tuning made that fit (None otherwise:
        other rows, as when the fold held more than MAX_TUNING_ROWS, or other settings)."""
        if params != self.params or fold not in self.rows or not np.array_equal(self.rows[fold], rows):
            return None
        trees = None if self.kind == "logistic" else int(params["n_estimators"])
        return first_trees(self.kind, self.pipelines[fold], trees) if trees else self.pipelines[fold]


def timed_fit(kind: str, fitter: FoldFitter, params: dict[str, float | int], rows: np.ndarray):
    started = time.perf_counter()
    pipeline = fitter.fit(kind, params, rows)
    return pipeline, time.perf_counter() - started
