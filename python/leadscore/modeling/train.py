"""One training run: tune and fit both model families, calibrate on validation, compare them with
the legacy rule score (and, on demo data, the oracle ceiling) on the same test rows, transpile."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from leadscore.evaluation.metrics import TierThreshold, evaluate_score
from leadscore.evaluation.oracle_ceiling import oracle_ceiling
from leadscore.modeling import tuning
from leadscore.modeling.dataset import TrainingData
from leadscore.modeling.pipelines import DEFAULT_MODEL_KINDS, MODEL_KINDS, calibrated
from leadscore.progress import console
from leadscore.threads import limited_threads
from leadscore.transpile import ScoringQuery, build_scoring_query
from leadscore.warehouse import Warehouse

SCORING_KEYS = ("lead_id", "as_of_at")


@dataclass
class TrainedModel:
    kind: str
    model_id: str
    estimator: CalibratedClassifierCV  # predict_proba is what the score views show
    pipeline: Pipeline
    tuning: tuning.TuningResult
    cross_validation: dict[str, object]
    test_metrics: dict[str, object]
    validation_auc: float
    query: ScoringQuery
    test_probability: np.ndarray = field(repr=False)


@dataclass
class TrainingRun:
    data: TrainingData
    models: dict[str, TrainedModel]
    legacy_metrics: dict[str, object] | None  # None when the data has no baseline score
    legacy_test_probability: np.ndarray | None
    oracle: dict[str, float] | None
    champion: str
    challenger: str
    tiers: list[TierThreshold]

    def comparison(self) -> pd.DataFrame:
        rows = []
        for name, metrics in [
            *((m.model_id, m.test_metrics) for m in self.models.values()),
            *([("legacy_rule_score", self.legacy_metrics)] if self.legacy_metrics else []),
        ]:
            rows.append(
                {
                    "score": name,
                    "roc_auc": metrics["roc_auc"],
                    "pr_auc": metrics["pr_auc"],
                    "brier": metrics["brier"],
                    "top_decile_conversion": metrics["top_decile"]["conversion_rate"],
                    "top_decile_lift": metrics["top_decile"]["lift"],
                    "ece": metrics["expected_calibration_error"],
                }
            )
        if self.oracle:
            rows.append(
                {
                    "score": "oracle (true propensity)",
                    "roc_auc": self.oracle["roc_auc"],
                    "pr_auc": self.oracle["pr_auc"],
                }
            )
        return pd.DataFrame(rows)


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


def train_models(
    warehouse: Warehouse,
    data: TrainingData,
    tiers: list[TierThreshold],
    window_days: float,
    kinds: tuple[str, ...] = DEFAULT_MODEL_KINDS,
    cv_folds: int = 0,
) -> TrainingRun:
    """cv_folds > 0 adds lead-grouped k-fold CV on train to the metadata (off by default: it costs k
    more fits per family, and under drift it overstates performance; the chronological test split
    is the estimate that counts)."""
    unknown = [kind for kind in kinds if kind not in MODEL_KINDS]
    if unknown or len(kinds) < 2:
        raise ValueError(f"model families must be two or more of {MODEL_KINDS}; got {list(kinds)}")
    fingerprint = data_fingerprint(data)
    X_val, y_val = data.features("validation"), data.labels("validation")
    X_test, y_test = data.features("test"), data.labels("test").to_numpy()
    models: dict[str, TrainedModel] = {}
    for kind in kinds:
        console.print(f"[bold]{kind}[/]: tuning on validation")
        tuned = tuning.tune(kind, data)
        if tuned.pipeline is not None:  # the tuning fit with the chosen settings is the model
            pipeline = tuned.pipeline
        else:
            pipeline, tuned.fit_seconds = tuning.timed_fit(kind, data, tuned.params)
        with limited_threads():
            estimator = calibrated(pipeline, X_val, y_val)
            probability = estimator.predict_proba(X_test)[:, 1]
        cv: dict[str, object] = {"folds": 0, "note": "not run (leadscore train --cv-folds N runs it)"}
        if cv_folds:
            console.print(f"[bold]{kind}[/]: {cv_folds}-fold cross-validation on train")
            cv = tuning.cross_validated_auc(kind, data, tuned.params, cv_folds)
        models[kind] = TrainedModel(
            kind=kind,
            model_id=model_id(kind, fingerprint, tuned.params),
            estimator=estimator,
            pipeline=pipeline,
            tuning=tuned,
            cross_validation=cv,
            test_metrics=evaluate_score(y_test, probability, probability, tiers),
            validation_auc=tuned.validation_auc,
            query=build_scoring_query(estimator, SCORING_KEYS),
            test_probability=probability,
        )
    legacy_metrics, legacy_probability = None, None
    if data.spec.baseline:
        legacy_score, legacy_probability = _legacy_probability(data)
        legacy_metrics = evaluate_score(y_test, legacy_score, legacy_probability, tiers)
    test_rows = data.part("test")[["lead_id", "as_of_at", data.spec.label]]
    ranked = sorted(
        models.values(), key=lambda m: m.validation_auc, reverse=True
    )  # chosen on validation, not test
    return TrainingRun(
        data=data,
        models=models,
        legacy_metrics=legacy_metrics,
        legacy_test_probability=legacy_probability,
        oracle=oracle_ceiling(warehouse, test_rows, data.spec.label, window_days),
        champion=ranked[0].kind,
        challenger=ranked[1].kind,
        tiers=tiers,
    )
