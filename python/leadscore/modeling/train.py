"""One training run. Per family: hyperparameters chosen on the walk-forward folds; the served procedure
backtested over the last K periods (the estimate that counts); the served model fitted on every
labelled row; for comparison, the same procedure as of the fixed test split's start, and the old
train-split model on the newest period. The legacy rule score is backtested the same way."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline

from leadscore.blending import LogOddsBlend, blend_probabilities
from leadscore.evaluation.importance import feature_importance
from leadscore.evaluation.metrics import TierThreshold, evaluate_score
from leadscore.evaluation.oracle_ceiling import oracle_ceiling
from leadscore.modeling import tuning
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.leakage import LeakageError
from leadscore.modeling.pipelines import DEFAULT_MODEL_KINDS, MODEL_KINDS, calibrated
from leadscore.modeling.selection import FamilyFigures, family_figures, rank_families
from leadscore.modeling.side_by_side import Reporter, train_families
from leadscore.modeling.stage_times import StageTimes
from leadscore.modeling.timeline import Timeline
from leadscore.modeling.training_drift import TrainingDrift, training_drift
from leadscore.modeling.walk_forward import (
    PLAIN_BASELINE,
    WalkForward,
    WalkForwardSettings,
    backtest,
    fit_procedure,
    legacy_predictor,
    make_folds,
    plain_baseline_predictor,
    procedure_predictor,
)
from leadscore.threads import limited_threads
from leadscore.transpile import ScoringQuery, build_scoring_query
from leadscore.warehouse import Warehouse

SCORING_KEYS = ("lead_id", "as_of_at")


@dataclass
class TrainedModel:
    kind: str
    model_id: str
    estimator: CalibratedClassifierCV | LogOddsBlend  # the served model: predict_proba is what the views show
    pipeline: (
        Pipeline | None
    )  # its fitted pipeline (refit on every labelled row in the window); None: a blend
    served_rows: np.ndarray = field(repr=False)  # the rows it was fitted on
    tuning: tuning.TuningResult
    walk_forward: WalkForward
    test_metrics: dict[str, object]  # the procedure as of the test split's start, on the test split
    test_probability: np.ndarray = field(repr=False)
    newest_period: dict[str, object]  # served procedure vs the train-split-only model on the newest period
    train_only_estimator: CalibratedClassifierCV | LogOddsBlend = field(
        repr=False
    )  # train split, Platt on validation
    query: ScoringQuery | None = field(repr=False)  # None: a blend (its SQL is its components')
    components: tuple[str, ...] = ()  # a blend's families, in its SQL's order


@dataclass
class TrainingRun:
    data: TrainingData
    models: dict[str, TrainedModel]
    legacy_metrics: dict[str, object] | None  # None when the data has no baseline score
    legacy_test_probability: np.ndarray | None
    legacy_walk_forward: WalkForward | None
    oracle: dict[str, float] | None
    champion: str
    challenger: str
    tiers: list[TierThreshold]
    settings: WalkForwardSettings
    drift: TrainingDrift
    skipped_periods: list[str]
    selection_free_aucs: list[float | None]  # per period: what choices made on earlier periods only got
    plain_walk_forward: WalkForward | None = None  # the plain LogisticRegression yardstick
    family_figures: dict[str, FamilyFigures] = field(default_factory=dict)  # selection.py
    champion_reason: str = ""

    @property
    def selection_free_auc(self) -> float:
        return float(np.mean([auc for auc in self.selection_free_aucs if auc is not None]))

    def _rows(self, legacy: object, oracle_row: dict | None, describe, plain: object = None) -> pd.DataFrame:
        rows = [describe(m.model_id, m) for m in self.models.values()]
        if plain is not None:
            rows.append(describe(PLAIN_BASELINE, plain))
        if legacy is not None:
            rows.append(describe("legacy_rule_score", legacy))
        if oracle_row:
            rows.append(oracle_row)
        return pd.DataFrame(rows)

    def comparison(self) -> pd.DataFrame:
        """The fixed test split: each procedure as of the test split's start, scored on it."""

        def describe(name, source):
            metrics = source if isinstance(source, dict) else source.test_metrics
            return {
                "score": name,
                "roc_auc": metrics["roc_auc"],
                "pr_auc": metrics["pr_auc"],
                "brier": metrics["brier"],
                "top_decile_conversion": metrics["top_decile"]["conversion_rate"],
                "top_decile_lift": metrics["top_decile"]["lift"],
                "ece": metrics["expected_calibration_error"],
            }

        oracle = self.oracle and {
            "score": "oracle (true propensity)",
            "roc_auc": self.oracle["roc_auc"],
            "pr_auc": self.oracle["pr_auc"],
        }
        return self._rows(self.legacy_metrics, oracle, describe)

    def walk_forward_comparison(self) -> pd.DataFrame:
        """Per score: mean, spread and range of the per-period AUC, and the pooled figures."""

        def describe(name, source):
            walk = source if isinstance(source, WalkForward) else source.walk_forward
            summary = walk.summary()
            return {
                "score": name,
                "auc_mean": summary["auc"]["mean"],
                "auc_std": summary["auc"]["std"],
                "auc_min": summary["auc"]["min"],
                "auc_max": summary["auc"]["max"],
                "pooled_auc": walk.pooled["roc_auc"],
                "pooled_pr_auc": walk.pooled["pr_auc"],
                "pooled_brier": walk.pooled["brier"],
                "pooled_top_decile_lift": walk.pooled["top_decile"]["lift"],
                "pooled_ece": walk.pooled["expected_calibration_error"],
            }

        return self._rows(self.legacy_walk_forward, None, describe, self.plain_walk_forward)

    def period_aucs(self) -> pd.DataFrame:
        """Period x score: the per-period ROC-AUC table."""
        walks = {m.model_id: m.walk_forward for m in self.models.values()}
        if self.plain_walk_forward is not None:
            walks[PLAIN_BASELINE] = self.plain_walk_forward
        if self.legacy_walk_forward is not None:
            walks["legacy_rule_score"] = self.legacy_walk_forward
        first = next(iter(walks.values())).periods
        table = first[["period", "rows", "conversions", "label_rate"]].copy()
        for name, walk in walks.items():
            table[name] = walk.periods["roc_auc"].to_numpy()
        table["selection_free"] = [np.nan if auc is None else auc for auc in self.selection_free_aucs]
        return table


def data_fingerprint(data: TrainingData) -> str:
    """Same rows, labels and splits -> same fingerprint -> same model ids (retraining is idempotent)."""
    frame = data.frame[[*data.spec.keys, data.spec.label, data.spec.split]]
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(json.dumps(data.spec.features).encode())
    return digest.hexdigest()


def model_id(kind: str, fingerprint: str, params: dict[str, object]) -> str:
    digest = hashlib.sha256((fingerprint + json.dumps(params, sort_keys=True)).encode()).hexdigest()[:10]
    return f"{kind}_{digest}"


def _legacy_probability(data: TrainingData) -> tuple[np.ndarray, np.ndarray]:
    """The rule score as it ranks, and Platt-calibrated on validation so it can be compared at tier thresholds."""
    baseline = data.spec.baseline
    validation = data.part("validation")
    platt = LogisticRegression(C=1e6).fit(validation[[baseline]].astype(float), data.labels("validation"))
    test = data.part("test")[[baseline]].astype(float)
    return test[baseline].to_numpy(), platt.predict_proba(test)[:, 1]


def check_model_leakage(
    kind: str, walk: WalkForward, pipeline: Pipeline, query: ScoringQuery, limit: float | None
):
    """A model-level stop: out-of-time AUC this high is almost always a leak that passed the column checks."""
    if limit is None or walk.mean_auc < limit:
        return
    importance = feature_importance(pipeline, query.feature_sources).head(8)
    top = "\n  ".join(f"{name}: {share:.0%} of the model's importance" for name, share in importance.items())
    raise LeakageError(
        f"{kind}: walk-forward ROC-AUC {walk.mean_auc:.3f} (mean over {len(walk.periods)} periods) is at or above "
        f"{limit:g}, which real lead data does not reach without a leak. The features it leans on most:\n  {top}\n"
        "Check each one was known before the lead converted; drop leaks (`exclude` in leadscore.yml, or the "
        "feature mart). If the signal is genuine, raise `leakage.max_model_auc` or train with --allow-leakage."
    )


def _newest_period_comparison(
    timeline: Timeline, walk: WalkForward, train_only: CalibratedClassifierCV, fold
) -> dict:
    features = list(timeline.data.spec.features)
    y = timeline.labels[fold.scored]
    served = walk.probability[-len(fold.scored) :]
    with limited_threads():
        old = train_only.predict_proba(timeline.data.frame.iloc[fold.scored][features])[:, 1]
    figures = {}
    for name, probability in (("served_procedure", served), ("train_split_only", old)):
        figures[name] = {
            "roc_auc": float(roc_auc_score(y, probability)),
            "brier": float(brier_score_loss(y, probability)),
            "mean_probability": float(np.mean(probability)),
        }
    return {"period": fold.period.label, "rows": len(y), "label_rate": float(y.mean()), **figures}


def train_models(
    warehouse: Warehouse,
    data: TrainingData,
    tiers: list[TierThreshold],
    window_days: float,
    kinds: tuple[str, ...] = DEFAULT_MODEL_KINDS,
    settings: WalkForwardSettings | None = None,
    max_model_auc: float | None = None,
    times: StageTimes | None = None,
) -> TrainingRun:
    """max_model_auc: stop when a family's walk-forward AUC reaches it (None: never). times: where
    the steps' durations go (stage_times.py)."""
    times = times or StageTimes()
    settings = settings or WalkForwardSettings()
    unknown = [kind for kind in kinds if kind not in MODEL_KINDS]
    if unknown or len(kinds) < 2:
        raise ValueError(f"model families must be two or more of {MODEL_KINDS}; got {list(kinds)}")
    job = FamilyJob(data, settings, tiers, data_fingerprint(data))
    timeline, folds, skipped, test_rows = job.timeline, job.folds, job.skipped, job.test_rows
    y_test = timeline.labels[test_rows]
    fingerprint = job.fingerprint

    def checked(kind: str, trained: TrainedModel) -> None:
        trained.query = build_scoring_query(trained.estimator, SCORING_KEYS)
        check_model_leakage(kind, trained.walk_forward, trained.pipeline, trained.query, max_model_auc)

    with times.step("families"):
        models, extras = train_families(
            job, kinds, finished=checked, extras={PLAIN_BASELINE: plain_baseline_walk}, times=times
        )
    with times.step("blend, legacy score, oracle, drift"):
        legacy_metrics, legacy_probability, legacy_walk = None, None, None
        if data.spec.baseline:
            legacy_score, legacy_probability = _legacy_probability(data)
            legacy_metrics = evaluate_score(y_test, legacy_score, legacy_probability, tiers)
            legacy_walk = backtest(
                "legacy_rule_score", timeline, folds, legacy_predictor(timeline, data.spec.baseline)
            )
        figures = {
            kind: family_figures(kind, [float(auc) for auc in model.walk_forward.periods["roc_auc"]])
            for kind, model in models.items()
        }
        blend = blend_model(timeline, folds, models, figures, fingerprint, y_test, tiers)
        if blend is not None:
            models[BLEND] = blend
            figures[BLEND] = family_figures(
                BLEND, [float(auc) for auc in blend.walk_forward.periods["roc_auc"]]
            )
        order, why = rank_families(list(figures.values()))
        run = TrainingRun(
            data=data,
            models=models,
            legacy_metrics=legacy_metrics,
            legacy_test_probability=legacy_probability,
            legacy_walk_forward=legacy_walk,
            oracle=oracle_ceiling(
                warehouse,
                data.frame.iloc[test_rows][["lead_id", "as_of_at", data.spec.label]],
                data.spec.label,
                window_days,
            ),
            champion=order[0],
            challenger=order[1],
            family_figures=figures,
            champion_reason=why,
            tiers=tiers,
            settings=settings,
            drift=training_drift(timeline, settings.periods),
            skipped_periods=skipped,
            selection_free_aucs=tuning.selection_free_aucs(
                [m.tuning for m in models.values() if not m.components]
            ),
            plain_walk_forward=extras[PLAIN_BASELINE],
        )
    return run


class FamilyJob:
    """What every family's training reads: the data, the walk-forward folds and the fixed test split.
    Picklable (a family may train in another process: side_by_side.py); the folds are rebuilt there."""

    def __init__(self, data: TrainingData, settings: WalkForwardSettings, tiers: list, fingerprint: str):
        self.data, self.settings, self.tiers, self.fingerprint = data, settings, tiers, fingerprint
        self._prepare()

    def _prepare(self) -> None:
        data, settings = self.data, self.settings
        self.timeline = Timeline(data, settings.periods)
        self.folds, self.skipped = make_folds(self.timeline, settings.periods)
        self.fitter = tuning.FoldFitter(self.timeline, settings.window_months, settings.half_life_months)
        split = data.frame[data.spec.split]
        self.test_rows = np.flatnonzero((split == "test").to_numpy())
        self.fixed_known = np.intersect1d(
            self.timeline.known_when(self.test_rows),
            np.flatnonzero(split.isin(["train", "validation"]).to_numpy()),
        )
        self.test_starts_at = self.timeline.time.iloc[self.test_rows].min()

    def __getstate__(self) -> dict:
        return {key: getattr(self, key) for key in ("data", "settings", "tiers", "fingerprint")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._prepare()


def tune_fold(job: FamilyJob, kind: str, fold: int, report: Reporter) -> tuning.FoldTuning:
    """One fold of one family's tuning (a task of side_by_side.py)."""
    return tuning.tune_fold(kind, job.fitter, job.folds[fold], lambda: report.step(f"{kind}: tuning"))


# A tuned family's remaining work, as independent tasks (side_by_side.py runs them anywhere): the
# served procedure backtested on each fold with the chosen setting (reusing tuning's fit of that
# fold), the served fit on every labelled row, the same procedure as of the test split's start, and
# the train-split-only model. finish_family puts their results together.


def backtest_fold(
    job: FamilyJob, kind: str, params: dict, fold: int, kept: tuning.KeptFits | None, report: Reporter
) -> np.ndarray:
    """The served procedure as of one fold's cutoff: its calibrated probability on the fold's period."""
    _, probability = procedure_predictor(kind, params, job.fitter, kept)(job.folds[fold])
    return probability


def served_fit(job: FamilyJob, kind: str, params: dict, report: Reporter):
    """(the served estimator, the rows it was fitted on): the procedure on every labelled row."""
    return fit_procedure(kind, params, job.fitter, job.timeline.all_rows(), job.timeline.end())


def fixed_split_probability(job: FamilyJob, kind: str, params: dict, report: Reporter) -> np.ndarray:
    """The procedure as of the test split's start, scored on the test split (the comparison table)."""
    fixed, _ = fit_procedure(kind, params, job.fitter, job.fixed_known, job.test_starts_at)
    with limited_threads():
        return fixed.predict_proba(job.data.frame.iloc[job.test_rows][list(job.data.spec.features)])[:, 1]


def train_only_fit(job: FamilyJob, kind: str, params: dict, report: Reporter) -> CalibratedClassifierCV:
    """Fitted on the train split, Platt on validation: the old way, compared on the newest period."""
    data = job.data
    return calibrated(tuning.fit(kind, data, params), data.features("validation"), data.labels("validation"))


def finish_tasks(job: FamilyJob, kind: str, tuned: tuning.TuningResult) -> dict[str, tuple]:
    """name -> (function, args) of a tuned family's remaining tasks, the longest first (the served
    and fixed-split procedures fit twice on the most rows; later folds know more rows). Each fold's
    backtest carries only that fold's kept fit (tasks may cross to another process)."""
    params, kept = tuned.params, tuned.kept_fits
    tasks: dict[str, tuple] = {
        "served": (served_fit, (kind, params)),
        "fixed": (fixed_split_probability, (kind, params)),
    }
    for fold in reversed(range(len(job.folds))):
        label = job.folds[fold].period.label
        tasks[f"backtest {fold}"] = (backtest_fold, (kind, params, fold, kept and kept.only(label)))
    tasks["train_only"] = (train_only_fit, (kind, params))
    return tasks


def finish_family(
    job: FamilyJob, kind: str, tuned: tuning.TuningResult, results: dict[str, object]
) -> TrainedModel:
    """The family's model and figures from its finish tasks' results (finish_tasks' names).
    Its SQL query is built by the caller (query=None here: it need not cross a process boundary)."""
    timeline, folds = job.timeline, job.folds
    tuned.release_fits()
    probabilities = [results[f"backtest {fold}"] for fold in range(len(folds))]
    by_period = dict(zip((fold.period.label for fold in folds), probabilities, strict=True))
    walk = backtest(kind, timeline, folds, lambda fold: (by_period[fold.period.label],) * 2)
    estimator, served_rows = results["served"]
    probability, train_only = results["fixed"], results["train_only"]
    return TrainedModel(
        kind=kind,
        model_id=model_id(kind, job.fingerprint, {**tuned.params, **_settings_key(job.settings)}),
        estimator=estimator,
        pipeline=estimator.estimator.estimator,
        served_rows=served_rows,
        tuning=tuned,
        walk_forward=walk,
        test_metrics=evaluate_score(timeline.labels[job.test_rows], probability, probability, job.tiers),
        test_probability=probability,
        newest_period=_newest_period_comparison(timeline, walk, train_only, folds[-1]),
        train_only_estimator=train_only,
        query=None,
    )


def plain_baseline_walk(job: FamilyJob, report: Reporter) -> WalkForward:
    """The plain LogisticRegression yardstick, backtested (a task of side_by_side.py)."""
    return backtest(PLAIN_BASELINE, job.timeline, job.folds, plain_baseline_predictor(job.timeline))


BLEND = "blend"
BLEND_WEIGHTS = (0.5, 0.5)


def blend_model(
    timeline: Timeline,
    folds: list,
    models: dict[str, TrainedModel],
    figures: dict[str, FamilyFigures],
    fingerprint: str,
    y_test: np.ndarray,
    tiers: list[TierThreshold],
) -> TrainedModel | None:
    """The logistic model and the best tree family (recency-weighted) averaged in log-odds
    (blending.py), as a candidate of its own. Every figure is the components' own, combined: the
    backtest blends their backtests period by period, so the blend is judged exactly as served."""
    trees = [f for kind, f in figures.items() if kind != "logistic"]
    if "logistic" not in models or not trees:
        return None
    tree = max(trees, key=lambda f: (f.weighted_auc, f.kind)).kind
    parts = [models["logistic"], models[tree]]
    starts = np.cumsum([0, *[len(fold.scored) for fold in folds]])

    def predict(fold) -> tuple[np.ndarray, np.ndarray]:
        k = next(index for index, candidate in enumerate(folds) if candidate is fold)
        period = [p.walk_forward.probability[starts[k] : starts[k + 1]] for p in parts]
        probability = blend_probabilities(period, BLEND_WEIGHTS)
        return probability, probability

    walk = backtest(BLEND, timeline, folds, predict)
    estimator = LogOddsBlend([p.estimator for p in parts], BLEND_WEIGHTS)
    train_only = LogOddsBlend([p.train_only_estimator for p in parts], BLEND_WEIGHTS)
    probability = blend_probabilities([p.test_probability for p in parts], BLEND_WEIGHTS)
    params = {"components": [p.model_id for p in parts], "weights": list(BLEND_WEIGHTS)}
    return TrainedModel(
        kind=BLEND,
        model_id=model_id(BLEND, fingerprint, params),
        estimator=estimator,
        pipeline=None,
        served_rows=parts[0].served_rows,
        tuning=tuning.TuningResult(kind=BLEND, params=params, walk_forward_auc=walk.mean_auc),
        walk_forward=walk,
        test_metrics=evaluate_score(y_test, probability, probability, tiers),
        test_probability=probability,
        newest_period=_newest_period_comparison(timeline, walk, train_only, folds[-1]),
        train_only_estimator=train_only,
        query=None,
        components=tuple(p.kind for p in parts),
    )


def _settings_key(settings: WalkForwardSettings) -> dict[str, object]:
    """Options that change the served fit are part of the version id (defaults leave it as it was)."""
    key: dict[str, object] = {}
    if settings.window_months:
        key["window_months"] = settings.window_months
    if settings.half_life_months:
        key["half_life_months"] = settings.half_life_months
    return key
