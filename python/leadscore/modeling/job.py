"""`leadscore train` end to end: read the mart, train and evaluate, check the SQL in the warehouse,
save the versions, promote the champion (and segment models), write the dbt macros and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlglot.expressions as exp

from leadscore.byo.config import LeakageSettings
from leadscore.evaluation.importance import feature_importance
from leadscore.evaluation.metrics import TierThreshold, evaluate_score
from leadscore.evaluation.model_card import render_model_card
from leadscore.evaluation.parity import contribution_sum_check, warehouse_parity
from leadscore.evaluation.report import render_report
from leadscore.modeling.dataset import TrainingData, load_training_data
from leadscore.modeling.feature_spec import FeatureSpec, load_feature_spec
from leadscore.modeling.leakage import LeakageFlag, enforce, find_leakage
from leadscore.modeling.pipelines import DEFAULT_MODEL_KINDS
from leadscore.modeling.segments import MIN_SEGMENT_POSITIVES, SegmentCandidate, fit_segments, segment_data
from leadscore.modeling.train import SCORING_KEYS, TrainingRun, data_fingerprint, model_id, train_models
from leadscore.paths import artifacts_dir
from leadscore.registry.artifacts import ModelVersion, load_model_version, save_model_version
from leadscore.registry.dbt_assets import write_macros
from leadscore.registry.registry import Registry, Segments, promote
from leadscore.transpile import build_scoring_query
from leadscore.transpile.explain import build_contribution_query
from leadscore.transpile.query import DIALECTS
from leadscore.warehouse import Warehouse
from leadscore.warehouse.sql_names import quoted, relation_name

EXACT = 1e-9  # the largest |SQL - Python| difference a published version may show
DESCRIPTIONS = {
    "logistic": "Logistic regression (L2; C chosen on validation) on median-imputed, standardised numeric "
    "features, missing-value indicators and one-hot categories (rare and unseen ones share a column).",
    "gbm": "scikit-learn GradientBoostingClassifier (depth and tree count chosen on validation, "
    "subsample 0.8) on imputed numeric features, missing-value indicators and one-hot categories.",
    "hgb": "scikit-learn HistGradientBoostingClassifier (leaves and tree count chosen on validation) on "
    "numeric features as they are (missing values routed by the trees) and ordinal-coded categories split "
    "natively (rare ones share a code; unseen ones go where missing values go).",
    "lightgbm": "LightGBM (leaves and tree count chosen on validation; row and column subsampling 0.8) on "
    "numeric features as they are (missing values routed by the trees) and ordinal-coded categories split "
    "natively (rare ones share a code; unseen ones go right, as LightGBM sends them).",
}


@dataclass
class TrainingOutcome:
    run: TrainingRun
    versions: dict[str, ModelVersion]
    registry: Registry
    parity: dict[str, dict[str, object]]
    report: Path
    segments: list[SegmentCandidate] = field(default_factory=list)
    leakage_flags: list[LeakageFlag] = field(default_factory=list)


def load_tiers(warehouse: Warehouse) -> list[TierThreshold]:
    try:
        frame = warehouse.query(
            f"select tier, min_probability from {relation_name('scoring', 'lead_tier_thresholds')} order by tier_rank"
        )
    except Exception as error:
        raise RuntimeError(
            "scoring.lead_tier_thresholds is missing: run `dbt build` (or `leadscore build`) before training"
        ) from error
    return [
        TierThreshold(row.tier, float(row.min_probability))
        for row in frame.itertuples()
        if row.min_probability > 0
    ]


def _test_relation(warehouse: Warehouse, relation: tuple[str, str], condition: str = "") -> str:
    dialect = warehouse.target.sql_dialect
    return f"(select * from {relation_name(*relation, dialect)} where split = 'test'{condition})"


class InexactSqlError(RuntimeError):
    """The generated SQL (or its reasons) does not reproduce the fitted model: never published."""


def require_exact(version_id: str, parity: dict) -> None:
    """Refuse to publish a version whose SQL is not predict_proba, or whose reasons do not add up."""
    checks = {
        "probability vs predict_proba": parity["max_abs_difference"],
        "bias + contributions vs log-odds": parity["contribution_sum"]["max_abs_difference"],
    }
    wrong = {name: value for name, value in checks.items() if not value <= EXACT}
    if wrong:
        figures = "; ".join(f"{name}: max |difference| {value:.3g}" for name, value in wrong.items())
        raise InexactSqlError(
            f"{version_id}: the generated SQL does not reproduce the fitted model on the "
            f"{parity['rows']:,} test rows in {parity['dialect']} ({figures}; allowed {EXACT:g}). "
            "The version was not saved. Please report this with the model's family and settings."
        )


def _publish(
    warehouse: Warehouse,
    data: TrainingData,
    version_id: str,
    kind: str,
    estimator,
    pipeline,
    test_relation: str,
    metadata: dict,
    metrics: dict,
    card: callable,
) -> tuple[ModelVersion, dict[str, object]]:
    """Transpile, check the SQL in the warehouse on the test rows, and save the version."""
    spec = data.spec
    reference_means = np.nanmean(
        np.asarray(pipeline.named_steps["prepare"].transform(data.features("train")), dtype=float), axis=0
    )
    query = build_scoring_query(estimator, SCORING_KEYS)
    contributions = build_contribution_query(estimator, SCORING_KEYS, spec.features, reference_means)
    parity = warehouse_parity(
        warehouse, query, estimator, test_relation, data.part("test"), list(spec.features)
    )
    parity["contribution_sum"] = contribution_sum_check(warehouse, query, contributions, test_relation)
    require_exact(version_id, parity)
    importance = feature_importance(pipeline, query.feature_sources)
    metadata = {
        "model_id": version_id,
        "kind": kind,
        "estimator": type(pipeline.named_steps["model"]).__name__,
        **metadata,
        "feature_spec": spec.to_dict(),
        "prepared_features": query.feature_names,
        "calibration": {"method": "platt", "slope": query.calibration[0], "intercept": query.calibration[1]},
        "explanations": {
            "method": "coefficient x (value - training mean)"
            if kind == "logistic"
            else "tree path contributions (Saabas)",
            "bias": contributions.bias,
        },
        "splits": data.splits.to_dict(orient="records"),
        "training_rows": {
            split: int((data.frame[spec.split] == split).sum()) for split in ("train", "validation", "test")
        },
        "data_fingerprint": data_fingerprint(data),
        "sql_parity": parity,
    }
    sql = {
        "score": {dialect: query.sql(dialect) for dialect in DIALECTS},
        "contributions": {dialect: contributions.sql(dialect) for dialect in DIALECTS},
    }
    metrics = {**metrics, "feature_importance": importance.to_dict()}
    return save_model_version(version_id, estimator, sql, metadata, metrics, card(importance, parity)), parity


def run_training(
    warehouse: Warehouse,
    manifest_path: Path,
    report_path: Path | None = None,
    segment_column: str | None = None,
    min_segment_positives: int = MIN_SEGMENT_POSITIVES,
    spec: FeatureSpec | None = None,
    leakage_settings: LeakageSettings | None = None,
    allow_leakage: bool = False,
    kinds: tuple[str, ...] = DEFAULT_MODEL_KINDS,
    cv_folds: int = 0,
) -> TrainingOutcome:
    """spec: the features to use (default: read from dbt's manifest)."""
    spec = spec or load_feature_spec(manifest_path)
    data = load_training_data(warehouse, spec)
    settings = leakage_settings or LeakageSettings()
    leakage_flags = enforce(
        find_leakage(data, settings), settings.allow, allow_leakage, ".".join(spec.training_relation)
    )
    window = data.splits["label_window_days"].dropna()
    window_days = float(window.iloc[0]) if len(window) else 0.0  # a lead table has no window
    tiers = load_tiers(warehouse)
    run = train_models(warehouse, data, tiers, window_days, kinds, cv_folds)
    comparison = run.comparison()

    versions: dict[str, ModelVersion] = {}
    parity: dict[str, dict[str, object]] = {}
    for kind, trained in run.models.items():
        role = "champion" if kind == run.champion else "challenger"
        metadata = {
            "params": trained.tuning.params,
            "leakage_flags": [flag.line() for flag in leakage_flags],
            "tuning_trials": trained.tuning.trials,
            "validation_auc": trained.validation_auc,
            "cross_validation": trained.cross_validation,
            "label": {"column": spec.label, "window_days": window_days},
        }
        metrics = {
            "test": trained.test_metrics,
            "legacy_rule_score_test": run.legacy_metrics,
            "oracle_test": run.oracle,
            "comparison": comparison.to_dict(orient="records"),
        }

        def card(importance, checked, trained=trained, kind=kind, role=role):
            return render_model_card(
                trained.model_id,
                kind,
                role,
                DESCRIPTIONS[kind],
                comparison,
                data.splits,
                trained.test_metrics,
                trained.cross_validation,
                importance,
                checked,
                int(window_days),
            )

        versions[kind], parity[kind] = _publish(
            warehouse,
            data,
            trained.model_id,
            kind,
            trained.estimator,
            trained.pipeline,
            _test_relation(warehouse, spec.training_relation),
            metadata,
            metrics,
            card,
        )

    segments, candidates = None, []
    if segment_column:
        segments, candidates = _train_segments(
            warehouse, data, run, segment_column, tiers, min_segment_positives, versions
        )

    champion, challenger = versions[run.champion], versions[run.challenger]
    registry = promote(
        champion.model_id,
        challenger.model_id,
        reason="trained: best validation AUC is champion",
        segments=segments,
    )
    write_macros(
        registry, {version_id: load_model_version(version_id) for version_id in registry.model_ids()}
    )

    y_test = data.labels("test").to_numpy()
    test = data.part("test")
    names = {kind: run.models[kind].model_id for kind in run.models}
    probabilities = {names[k]: m.test_probability for k, m in run.models.items()}
    rankings = dict(probabilities)
    deciles = {names[k]: pd.DataFrame(m.test_metrics["deciles"]) for k, m in run.models.items()}
    if run.legacy_metrics is not None:
        probabilities["legacy_rule_score"] = run.legacy_test_probability
        rankings["legacy_rule_score"] = test[spec.baseline].to_numpy(dtype=float)
        deciles["legacy_rule_score"] = pd.DataFrame(run.legacy_metrics["deciles"])
    importances = {
        names[k]: feature_importance(m.pipeline, m.query.feature_sources) for k, m in run.models.items()
    }
    report = render_report(
        report_path or artifacts_dir().parent / "reports" / "training_report.html",
        y_test,
        probabilities,
        rankings,
        comparison,
        importances,
        deciles,
        names[run.champion],
    )
    return TrainingOutcome(
        run=run,
        versions=versions,
        registry=registry,
        parity=parity,
        report=report,
        segments=candidates,
        leakage_flags=leakage_flags,
    )


def _train_segments(
    warehouse, data, run, column, tiers, min_positives, versions
) -> tuple[Segments | None, list[SegmentCandidate]]:
    champion = run.models[run.champion]
    candidates, estimators = fit_segments(
        data, column, run.champion, champion.tuning.params, champion.estimator, min_positives
    )
    fingerprint = data_fingerprint(data)
    kept: dict[str, str] = {}
    dialect = warehouse.target.sql_dialect
    for value, estimator in estimators.items():
        segment = segment_data(data, column, value)
        version_id = model_id(
            run.champion, fingerprint, {**champion.tuning.params, "segment": f"{column}={value}"}
        )
        X_test, y_test = segment.features("test"), segment.labels("test").to_numpy()
        segment_probability = estimator.predict_proba(X_test)[:, 1]
        metrics = {
            "test": evaluate_score(y_test, segment_probability, segment_probability, tiers),
            "champion_on_segment_test": evaluate_score(
                y_test, *(2 * [champion.estimator.predict_proba(X_test)[:, 1]]), tiers
            ),
        }
        candidate = next(c for c in candidates if c.value == value)
        metadata = {
            "params": champion.tuning.params,
            "segment": {
                "column": column,
                "value": value,
                "validation_auc": candidate.validation_auc,
                "champion_validation_auc": candidate.champion_validation_auc,
            },
            "label": {"column": data.spec.label},
        }
        pipeline = estimator.calibrated_classifiers_[0].estimator.estimator
        condition = f" and {quoted(column, dialect)} = {exp.Literal.string(value).sql(dialect=dialect)}"

        def card(importance, checked, version_id=version_id, value=value, metrics=metrics):
            auc, base = metrics["test"]["roc_auc"], metrics["champion_on_segment_test"]["roc_auc"]
            return (
                f"# Model card: {version_id}\n\nSegment model for leads with {column} = {value!r}; every other lead is "
                f"scored by the champion {champion.model_id}.\n\nTest AUC on the segment: {auc:.4f} (champion on the same rows: "
                f"{base:.4f}). Chosen because it beat the champion on the segment's validation rows.\n\nSQL parity on the "
                f"segment's test rows: {checked['max_abs_difference']:.2e}.\n"
            )

        versions[f"segment:{value}"], _ = _publish(
            warehouse,
            segment,
            version_id,
            run.champion,
            estimator,
            pipeline,
            _test_relation(warehouse, data.spec.training_relation, condition),
            metadata,
            metrics,
            card,
        )
        kept[value] = version_id
    return (Segments(column=column, models=kept) if kept else None), candidates
