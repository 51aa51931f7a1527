"""`leadscore train` end to end: read the mart, train and evaluate, check the SQL in the warehouse,
save the versions, promote the champion, write the dbt macros and the report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from leadscore.evaluation.importance import feature_importance
from leadscore.evaluation.metrics import TierThreshold
from leadscore.evaluation.model_card import render_model_card
from leadscore.evaluation.parity import warehouse_parity
from leadscore.evaluation.report import render_report
from leadscore.modeling.dataset import load_training_data
from leadscore.modeling.feature_spec import load_feature_spec
from leadscore.modeling.train import TrainingRun, data_fingerprint, train_models
from leadscore.paths import project_dir
from leadscore.registry.artifacts import ModelVersion, save_model_version
from leadscore.registry.dbt_assets import write_macros
from leadscore.registry.registry import Registry, promote
from leadscore.transpile.query import DIALECTS
from leadscore.warehouse import Warehouse
from leadscore.warehouse.sql_names import relation_name

DESCRIPTIONS = {
    "logistic": "Logistic regression (L2; C chosen on validation) on standardised numeric features, "
    "missing-value indicators and one-hot categories.",
    "gbm": "scikit-learn GradientBoostingClassifier (depth and tree count chosen on validation, "
    "subsample 0.8) on imputed numeric features, missing-value indicators and one-hot categories.",
}


@dataclass
class TrainingOutcome:
    run: TrainingRun
    versions: dict[str, ModelVersion]
    registry: Registry
    parity: dict[str, dict[str, object]]
    report: Path


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


def run_training(
    warehouse: Warehouse, manifest_path: Path, report_path: Path | None = None
) -> TrainingOutcome:
    spec = load_feature_spec(manifest_path)
    data = load_training_data(warehouse, spec)
    window_days = float(data.splits["label_window_days"].iloc[0])
    run = train_models(warehouse, data, load_tiers(warehouse), window_days)

    test = data.part("test")
    test_relation = f"(select * from {relation_name('features', 'lead_training_set', warehouse.target.sql_dialect)} where split = 'test')"
    comparison = run.comparison()
    versions: dict[str, ModelVersion] = {}
    parity: dict[str, dict[str, object]] = {}
    for kind, trained in run.models.items():
        parity[kind] = warehouse_parity(
            warehouse, trained.query, trained.estimator, test_relation, test, list(spec.features)
        )
        importance = feature_importance(trained.pipeline, spec.features)
        role = "champion" if kind == run.champion else "challenger"
        metadata = {
            "model_id": trained.model_id,
            "kind": kind,
            "estimator": type(trained.pipeline.named_steps["model"]).__name__,
            "params": trained.tuning.params,
            "tuning_trials": trained.tuning.trials,
            "validation_auc": trained.validation_auc,
            "cross_validation": trained.cross_validation,
            "feature_spec": spec.to_dict(),
            "prepared_features": trained.query.feature_names,
            "calibration": {
                "method": "platt",
                "slope": trained.query.calibration[0],
                "intercept": trained.query.calibration[1],
            },
            "label": {"column": spec.label, "window_days": window_days},
            "splits": data.splits.to_dict(orient="records"),
            "training_rows": {
                split: int((data.frame[spec.split] == split).sum())
                for split in ("train", "validation", "test")
            },
            "data_fingerprint": data_fingerprint(data),
            "sql_parity": parity[kind],
        }
        metrics = {
            "test": trained.test_metrics,
            "legacy_rule_score_test": run.legacy_metrics,
            "oracle_test": run.oracle,
            "comparison": comparison.to_dict(orient="records"),
            "feature_importance": importance.to_dict(),
        }
        card = render_model_card(
            trained.model_id,
            kind,
            role,
            DESCRIPTIONS[kind],
            comparison,
            data.splits,
            trained.test_metrics,
            trained.cross_validation,
            importance,
            parity[kind],
            int(window_days),
        )
        sql = {dialect: trained.query.sql(dialect) for dialect in DIALECTS}
        versions[kind] = save_model_version(trained.model_id, trained.estimator, sql, metadata, metrics, card)

    champion, challenger = versions[run.champion], versions[run.challenger]
    registry = promote(
        champion.model_id, challenger.model_id, reason="trained: best validation AUC is champion"
    )
    write_macros(registry, {champion.model_id: champion, challenger.model_id: challenger})

    y_test = data.labels("test").to_numpy()
    names = {kind: run.models[kind].model_id for kind in run.models}
    probabilities = {names[k]: m.test_probability for k, m in run.models.items()} | {
        "legacy_rule_score": run.legacy_test_probability
    }
    rankings = dict(probabilities) | {"legacy_rule_score": test[spec.baseline].to_numpy(dtype=float)}
    deciles = {names[k]: _deciles(m.test_metrics) for k, m in run.models.items()} | {
        "legacy_rule_score": _deciles(run.legacy_metrics)
    }
    importances = {names[k]: feature_importance(m.pipeline, spec.features) for k, m in run.models.items()}
    report = render_report(
        report_path or project_dir() / "reports" / "training_report.html",
        y_test,
        probabilities,
        rankings,
        comparison,
        importances,
        deciles,
        names[run.champion],
    )
    return TrainingOutcome(run=run, versions=versions, registry=registry, parity=parity, report=report)


def _deciles(metrics: dict) -> pd.DataFrame:
    return pd.DataFrame(metrics["deciles"])
