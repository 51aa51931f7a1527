"""`leadscore train` end to end: read the mart, train and evaluate, check the SQL in the warehouse,
save the versions, promote the champion (and segment models), write the dbt macros and the report."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlglot.expressions as exp

from leadscore.blending import LogOddsBlend
from leadscore.byo.config import LeakageSettings
from leadscore.evaluation.importance import feature_importance
from leadscore.evaluation.metrics import TierThreshold, evaluate_score
from leadscore.evaluation.model_card import ModelCardFacts, render_model_card, statement_size_section
from leadscore.evaluation.parity import (
    contribution_sum_check,
    keep_contributions,
    reasons_check_relation,
    run_fitted,
    score_relation,
    warehouse_parity,
)
from leadscore.evaluation.report import ReportInputs, render_report
from leadscore.modeling.dataset import LABELLED_SPLITS, TrainingData, apply_feedback, load_training_data
from leadscore.modeling.feature_spec import FeatureSpec, load_feature_spec
from leadscore.modeling.leakage import LeakageFlag, enforce, find_leakage
from leadscore.modeling.pipelines import DEFAULT_MODEL_KINDS
from leadscore.modeling.reference_scores import ReferenceScores
from leadscore.modeling.segments import MIN_SEGMENT_POSITIVES, SegmentCandidate, fit_segments, segment_data
from leadscore.modeling.selection import SELECTION_RULE as CHAMPION_RULE
from leadscore.modeling.stage_times import StageTimes
from leadscore.modeling.train import (
    SCORING_KEYS,
    TrainedModel,
    TrainingRun,
    data_fingerprint,
    model_id,
    train_models,
)
from leadscore.modeling.tuning import SELECTION_RULE
from leadscore.modeling.walk_forward import WalkForwardSettings
from leadscore.monitoring.baselines import training_baseline
from leadscore.paths import artifacts_dir
from leadscore.progress import console
from leadscore.registry.artifacts import ModelVersion, save_model_version
from leadscore.registry.dbt_assets import most_important, write_macros
from leadscore.registry.registry import Registry, Segments, promote, versions_of
from leadscore.relations import model_label, model_relation
from leadscore.reporting.drift_section import current_drift
from leadscore.threads import limited_threads
from leadscore.transpile import build_scoring_query
from leadscore.transpile.blend import blend_queries, blend_statements
from leadscore.transpile.explain import ShapleyTooLargeError, build_contribution_query
from leadscore.transpile.query import DIALECTS
from leadscore.transpile.statements import (
    COMPARISON_KIND,
    DialectStatement,
    fit_model_statements,
    is_refused,
)
from leadscore.warehouse import Warehouse
from leadscore.warehouse.sql_names import quoted

EXACT = 1e-9  # the largest |SQL - Python| difference a published version may show
# Training's steps after the families, timed apart (StageTimes; reports/training_times.json).
PARITY_STEP = "score parity"
REASONS_STEP = "reasons checked"
SAVING_STEP = "saving"
FIRST_SQL_STEP = "SQL for DuckDB and the warehouse"
LATER_SQL_TASK = "SQL for the other dialects, beside the checks"
DESCRIPTIONS = {
    "logistic": "Logistic regression (L2; C chosen on the walk-forward periods) on median-imputed, standardised numeric "
    "features, missing-value indicators and one-hot categories (rare and unseen ones share a column).",
    "gbm": "scikit-learn GradientBoostingClassifier (depth and tree count chosen on the walk-forward periods, "
    "subsample 0.8) on imputed numeric features, missing-value indicators and one-hot categories.",
    "hgb": "scikit-learn HistGradientBoostingClassifier (leaves and tree count chosen on the walk-forward periods) on "
    "numeric features as they are (missing values routed by the trees) and ordinal-coded categories split "
    "natively (rare ones share a code; unseen ones go where missing values go).",
    "blend": "The logistic model and the best tree family, each as served (its own Platt map), averaged in "
    "log-odds with equal weights: probability = sigmoid((log-odds of one + log-odds of the other) / 2). Nothing "
    "is fitted on top, so the backtest of the blend is the blend of its components' backtests.",
    "lightgbm": "LightGBM (leaves and tree count chosen on the walk-forward periods; row and column subsampling 0.8) on "
    "numeric features as they are (missing values routed by the trees) and ordinal-coded categories split "
    "natively (rare ones share a code; unseen ones go right, as LightGBM sends them).",
    "xgboost": "XGBoost (depth and tree count chosen on the walk-forward periods; row and column subsampling 0.8) on "
    "numeric features as they are (missing values routed by the trees) and ordinal-coded categories split "
    "natively (rare ones share a code; unseen ones go where missing values go). Scored in SQL with XGBoost's "
    "float32 arithmetic, so on warehouses without a 32-bit float type (Snowflake, BigQuery) it is refused.",
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
    times: StageTimes = field(default_factory=StageTimes)  # where the run's time went


def load_tiers(warehouse: Warehouse) -> list[TierThreshold]:
    try:
        frame = warehouse.query(
            f"select tier, min_probability from {model_relation('lead_tier_thresholds', warehouse.target.sql_dialect)} order by tier_rank"
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


def _test_relation(warehouse: Warehouse, model: str, condition: str = "") -> str:
    dialect = warehouse.target.sql_dialect
    return f"(select * from {model_relation(model, dialect)} where split = 'test'{condition})"


class InexactSqlError(RuntimeError):
    """The generated SQL (or its reasons) does not reproduce the fitted model: never published."""


def calibration_findings(estimator) -> list[str]:
    """The served calibration's drift finding, when its Platt map was not applied (pipelines.calibrated);
    a blend's, for each of its components."""
    if isinstance(estimator, LogOddsBlend):
        return [finding for component in estimator.components for finding in calibration_findings(component)]
    fallback = getattr(estimator, "calibration_fallback_", None)
    return [f"calibration not applied: {fallback['reason']}"] if fallback else []


def require_exact(version_id: str, parity: dict) -> None:
    """Refuse to publish a version whose SQL is not predict_proba, or whose reasons do not add up."""
    checks = {
        "probability vs predict_proba": parity["max_abs_difference"],
        "bias + contributions vs log-odds": parity["contribution_sum"]["max_abs_difference"],
    }
    if "comparison_contribution_sum" in parity:  # the Saabas reasons kept beside Shapley
        checks["bias + Saabas contributions vs log-odds"] = parity["comparison_contribution_sum"][
            "max_abs_difference"
        ]
    wrong = {name: value for name, value in checks.items() if not value <= EXACT}
    if wrong:
        figures = "; ".join(f"{name}: max |difference| {value:.3g}" for name, value in wrong.items())
        raise InexactSqlError(
            f"{version_id}: the generated SQL does not reproduce the fitted model on the "
            f"{parity['rows']:,} test rows in {parity['dialect']} ({figures}; allowed {EXACT:g}). "
            "The version was not saved. Please report this with the model's family and settings."
        )


@dataclass
class Transpiled:
    """A model's SQL before it is checked and saved: the score and contribution queries (printed per
    dialect), every dialect's statements (fitted to the budgets), and what the metadata says of it."""

    query: object  # ScoringQuery, or a blend's BlendQuery
    contributions: object  # ContributionQuery, or a blend's BlendQuery
    statements: dict[str, dict[str, DialectStatement]]
    importance: pd.Series
    described: dict[str, object]  # estimator, prepared_features, calibration, explanations
    # Saabas contributions kept beside served Shapley ones (statements.COMPARISON_KIND), or None.
    comparison: object | None = None
    # The fitted rows' prepared means (linear reasons' anchor), to fit more dialects later.
    reference_means: np.ndarray | None = None


TREE_REASONS = {
    "saabas": "tree path contributions (Saabas)",
    "shapley": "exact path-dependent TreeSHAP (the values of LightGBM's pred_contrib and shap's TreeExplainer)",
}
# What a tree model's reasons are unless told (--reasons, leadscore.yml, or a retrain keeping the served
# models' method): Shapley values, the numbers analysts get from LightGBM and shap. Saabas reasons are
# saved beside them (statements.COMPARISON_KIND) for the dbt var leadscore_tree_reasons: saabas.
DEFAULT_TREE_REASONS = "shapley"
# Except where the warehouse makes TreeSHAP's megabytes of arithmetic far too costly for every scoring
# build: PostgreSQL evaluates it one row at a time through its expression interpreter, Spark takes
# minutes to plan it. There the default is Saabas and training says why (`--reasons shapley` still
# gives TreeSHAP there). Measured on the demo's champion (LightGBM 164 x 15 leaves), 2 cores.
SAABAS_WHERE = {
    "postgres": "PostgreSQL runs the TreeSHAP statement at about 9 ms a lead (9.4 s for 1,000 leads on "
    "one core, JIT off; Saabas 0.2 s), so a build's reasons for 100,000 leads would take 15 minutes",
    "spark": "Spark plans the TreeSHAP statement for minutes (one lead: stopped after 4 minutes and "
    "6.9 GB, local[2]; Saabas 7 to 15 s)",
}


def default_tree_reasons(dialect: str) -> str:
    """The tree reasons a training on this warehouse gives unless told (SAABAS_WHERE)."""
    return "saabas" if dialect in SAABAS_WHERE else DEFAULT_TREE_REASONS


def resolve_tree_reasons(reasons: str | None, dialect: str) -> str:
    """reasons as asked, or the warehouse's default, said when it is not Shapley."""
    if reasons is not None:
        return reasons
    chosen = default_tree_reasons(dialect)
    if chosen != DEFAULT_TREE_REASONS:
        console.print(
            f"Tree reasons: Saabas path contributions, the default on {dialect}: {SAABAS_WHERE[dialect]}. "
            "`leadscore train --reasons shapley` (or leadscore.yml's training: reasons: shapley) serves "
            "exact TreeSHAP values there too."
        )
    return chosen


def transpile_model(
    estimator,
    pipeline,
    reference: pd.DataFrame,
    spec: FeatureSpec,
    kind: str,
    reasons: str = DEFAULT_TREE_REASONS,
    dialects: Sequence[str] = DIALECTS,
) -> Transpiled:
    """reference: the rows the model was fitted on (their means anchor the linear reasons).
    reasons: how a tree model's reasons are computed, "saabas" or "shapley" (transpile/explain.py).
    dialects: the statements fitted now (later_statements fits the others beside the checks)."""
    reference_means = np.nanmean(
        np.asarray(pipeline.named_steps["prepare"].transform(reference), dtype=float), axis=0
    )
    query = build_scoring_query(estimator, SCORING_KEYS)
    try:
        contributions = build_contribution_query(
            estimator, SCORING_KEYS, spec.features, reference_means, reasons
        )
    except ShapleyTooLargeError as too_large:
        console.print(f"[yellow]{kind}: {too_large}. Its reasons are Saabas path contributions.[/yellow]")
        contributions = build_contribution_query(
            estimator, SCORING_KEYS, spec.features, reference_means, method="saabas"
        )
    comparison = None
    if contributions.method == "shapley" and contributions.tree_count:
        comparison = build_contribution_query(
            estimator, SCORING_KEYS, spec.features, reference_means, method="saabas"
        )
    statements = fit_model_statements(
        estimator, SCORING_KEYS, spec.features, reference_means, query, contributions, dialects, comparison
    )
    described = {
        "estimator": type(pipeline.named_steps["model"]).__name__,
        "prepared_features": query.feature_names,
        "calibration": {
            "method": "platt",
            "slope": query.calibration[0],
            "intercept": query.calibration[1],
            "fallback": getattr(estimator, "calibration_fallback_", None),
        },
        "explanations": {
            "method": "coefficient x (value - training mean)"
            if kind == "logistic"
            else TREE_REASONS[contributions.method],
            "bias": contributions.bias,
        },
    }
    return Transpiled(
        query,
        contributions,
        statements,
        feature_importance(pipeline, query.feature_sources),
        described,
        comparison,
        reference_means,
    )


def transpile_blend(blend: LogOddsBlend, parts: list[Transpiled], spec: FeatureSpec) -> Transpiled:
    """A blend's SQL from its components' (transpile/blend.py): nothing is translated twice."""
    weights = blend.weights_
    query, contributions = blend_queries(
        SCORING_KEYS, weights, spec.features, [p.query for p in parts], [p.contributions for p in parts]
    )
    comparison = None
    if any(p.comparison is not None for p in parts):
        _, comparison = blend_queries(
            SCORING_KEYS,
            weights,
            spec.features,
            [p.query for p in parts],
            [p.comparison or p.contributions for p in parts],
        )
    statements = blend_statements(SCORING_KEYS, weights, spec.features, [p.statements for p in parts])
    importance = sum(w * p.importance for w, p in zip(weights, parts, strict=True))
    described = {
        "estimator": "LogOddsBlend(" + ", ".join(p.described["estimator"] for p in parts) + ")",
        "prepared_features": [name for p in parts for name in p.described["prepared_features"]],
        "calibration": {
            "method": "each component's own Platt map; the blend averages their calibrated log-odds",
            "weights": list(weights),
            "components": [p.described["calibration"] for p in parts],
        },
        "explanations": {
            "method": "the weighted mean of the components' contributions ("
            + "; ".join(p.described["explanations"]["method"] for p in parts)
            + ")",
            "bias": contributions.bias,
        },
    }
    return Transpiled(
        query, contributions, statements, importance.sort_values(ascending=False), described, comparison
    )


def _publish(
    warehouse: Warehouse,
    data: TrainingData,
    version_id: str,
    kind: str,
    estimator,
    transpiled: Transpiled,
    reference: pd.DataFrame,
    test_relation: str,
    metadata: dict,
    metrics: dict,
    card: callable,
) -> tuple[ModelVersion, dict[str, object]]:
    """A segment's version: its SQL checked in the warehouse on the test rows (_check_sql), then
    saved (_save_checked). run_training checks its models first and saves them after."""
    times = StageTimes()
    parity = _check_sql(warehouse, data, kind, estimator, transpiled, test_relation, None, (), times)
    return _save_checked(
        data, version_id, kind, estimator, transpiled, reference, metadata, metrics, card, parity, times
    )


def _check_sql(
    warehouse: Warehouse,
    data: TrainingData,
    kind: str,
    estimator,
    transpiled: Transpiled,
    test_relation: str,
    kept: dict[str, str] | None,
    components: Sequence[str],
    times: StageTimes,
) -> dict[str, object]:
    """The score against predict_proba and the reasons against the log-odds, in the warehouse, on
    the test rows. kept: each model's reasons on the test rows, as temporary tables (kind -> table),
    when given: this model's are added, and a blend of `components` reads theirs instead of running
    their statements again (parity.keep_contributions). times: the score parity and the reasons'
    checks are timed apart (each step summed over the models), so a benchmark sees which grows."""
    spec, query = data.spec, transpiled.query
    with times.step(PARITY_STEP):
        # The fitted text, as dbt runs it, not the query printed again: the other dialects are being
        # printed from the same expressions on later_statements' thread meanwhile.
        fitted_score = transpiled.statements["score"].get(warehouse.target.sql_dialect)
        if fitted_score is not None and not is_refused(fitted_score.text):
            scored = run_fitted(warehouse, fitted_score, test_relation)
        else:
            scored = score_relation(warehouse, query, test_relation)
        parity = warehouse_parity(
            warehouse, query, estimator, test_relation, data.part("test"), list(spec.features), scored
        )
    with times.step(REASONS_STEP):
        parity.update(
            _check_reasons(warehouse, data, kind, transpiled, test_relation, scored, kept, components)
        )
    return parity


def _save_checked(
    data: TrainingData,
    version_id: str,
    kind: str,
    estimator,
    transpiled: Transpiled,
    reference: pd.DataFrame,
    metadata: dict,
    metrics: dict,
    card: callable,
    parity: dict[str, object],
    times: StageTimes,
    known_reference_probability: Callable[[], np.ndarray] | None = None,
    later: Future | None = None,
) -> tuple[ModelVersion, dict[str, object]]:
    """Refuse a version whose SQL is not exact (require_exact), else save it with its card and
    monitoring baseline. reference: the rows the model was fitted on (the monitoring baseline's
    rows). known_reference_probability: gives predict_proba(reference)[:, 1] without predicting
    again (ReferenceScores). later: the other dialects' statements, fitted beside the checks
    (later_statements); waited for here."""
    spec = data.spec
    with times.step(SAVING_STEP):
        with_later_statements(transpiled, later)
        require_exact(version_id, parity)
        importance = transpiled.importance
        metadata = {
            "model_id": version_id,
            "kind": kind,
            "estimator": transpiled.described["estimator"],
            **metadata,
            "feature_spec": spec.to_dict(),
            "prepared_features": transpiled.described["prepared_features"],
            "calibration": transpiled.described["calibration"],
            "explanations": transpiled.described["explanations"],
            "splits": data.splits.to_dict(orient="records"),
            "training_rows": {
                split: int((data.frame[spec.split] == split).sum()) for split in LABELLED_SPLITS
            },
            "data_fingerprint": data_fingerprint(data),
            "sql_parity": parity,
        }
        fitted = transpiled.statements
        sql = {
            kind: {dialect: s.text for dialect, s in by_dialect.items()}
            for kind, by_dialect in fitted.items()
        }
        split_sql = {
            kind: {dialect: s.split for dialect, s in by_dialect.items() if s.split is not None}
            for kind, by_dialect in fitted.items()
        }
        metadata["statement_sizes"] = [
            s.size.to_dict() for by_dialect in fitted.values() for s in by_dialect.values()
        ]
        metrics = {**metrics, "feature_importance": importance.to_dict()}
        if known_reference_probability is None:
            with limited_threads():
                reference_probability = estimator.predict_proba(reference)[:, 1]
        else:
            reference_probability = known_reference_probability()
        baseline = training_baseline(
            reference, {f: spec.kind_of(f) for f in spec.features}, reference_probability
        )
        card_text = card(importance, parity) + statement_size_section(metadata["statement_sizes"])
        return save_model_version(
            version_id, estimator, sql, metadata, metrics, card_text, baseline=baseline, split_sql=split_sql
        ), parity


def _check_reasons(
    warehouse: Warehouse,
    data: TrainingData,
    kind: str,
    transpiled: Transpiled,
    test_relation: str,
    scored: pd.DataFrame,
    kept: dict[str, str] | None,
    components: Sequence[str],
) -> dict[str, object]:
    """The reasons statements run in the warehouse on the test rows (a fixed sample of them past
    parity.MAX_REASONS_CHECK_ROWS), each checked to add up to the log-odds (the served method's, and
    the comparison Saabas one when kept beside it)."""
    query, contributions = transpiled.query, transpiled.contributions
    dialect = warehouse.target.sql_dialect
    fitted = transpiled.statements["contributions"].get(dialect)
    test_rows = len(data.part("test"))
    checked_relation = reasons_check_relation(test_relation, dialect, test_rows)
    statement_sql = None
    if kept is not None:
        tables = [kept.get(component) for component in components]
        if components and all(tables):
            statement_sql = contributions.sql_over(dialect, tables)
        elif not components:
            name = "leadscore_reasons_" + re.sub(r"\W", "_", kind)
            table = keep_contributions(warehouse, contributions, checked_relation, name, fitted)
            if table is not None:
                kept[kind] = table
                statement_sql = f"select * from {table}"
    checked = {
        "contribution_sum": contribution_sum_check(
            warehouse,
            query,
            contributions,
            checked_relation,
            scored,
            data.part("test"),
            fitted,
            statement_sql,
        )
    }
    if transpiled.comparison is not None:
        checked["comparison_contribution_sum"] = contribution_sum_check(
            warehouse,
            query,
            transpiled.comparison,
            checked_relation,
            scored,
            data.part("test"),
            transpiled.statements[COMPARISON_KIND].get(dialect),
        )
    if checked_relation != test_relation:
        for check in checked.values():
            check["sampled_from"] = test_rows
    return checked


def _transpile_all(
    run: TrainingRun, reasons: str = DEFAULT_TREE_REASONS, dialects: Sequence[str] = DIALECTS
) -> dict[str, Transpiled]:
    """Every family's SQL for `dialects` (a blend after its components, whose SQL it reuses)."""
    spec, transpiled = run.data.spec, {}
    for kind, trained in run.models.items():
        if trained.components:
            transpiled[kind] = transpile_blend(
                trained.estimator, [transpiled[k] for k in trained.components], spec
            )
        else:
            reference = run.data.frame.iloc[trained.served_rows][list(spec.features)]
            transpiled[kind] = transpile_model(
                trained.estimator, trained.pipeline, reference, spec, kind, reasons, dialects
            )
    return transpiled


def checked_first(warehouse_dialect: str) -> tuple[str, ...]:
    """The dialects fitted before the checks: DuckDB's (a version's id hashes its DuckDB SQL) and the
    warehouse's (the checks run it). The others are fitted beside the checks (later_statements)."""
    return tuple(d for d in DIALECTS if d in ("duckdb", warehouse_dialect))


def later_statements(
    run: TrainingRun, transpiled: dict[str, Transpiled], dialects: Sequence[str], times: StageTimes
) -> dict[str, Future]:
    """Each model's statements for the other `dialects`, fitted on one thread while the main one
    checks the SQL in the warehouse: DuckDB and the Postgres driver release the GIL while a statement
    is planned and run (tens of seconds for TreeSHAP reasons), and printing SQL is Python work.
    run_training checks every model before it saves any, so this work overlaps the warehouse's, not
    the saving's (Python work too, which would share the interpreter with it). In the order the
    models are saved. The same statements, byte for byte, as fitting every dialect at once (nothing
    is shared between dialects but the printed blocks, which are cached either way)."""
    if not dialects:
        return {}
    spec = run.data.spec
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadscore-sql")
    done: dict[str, Future] = {}

    def fit(kind: str) -> dict[str, dict[str, DialectStatement]]:
        began = time.perf_counter()
        trained, model = run.models[kind], transpiled[kind]
        if trained.components:  # the components' futures ran first on this one thread
            fitted = blend_statements(
                SCORING_KEYS,
                trained.estimator.weights_,
                spec.features,
                [done[component].result() for component in trained.components],
            )
        else:
            fitted = fit_model_statements(
                trained.estimator,
                SCORING_KEYS,
                spec.features,
                model.reference_means,
                model.query,
                model.contributions,
                dialects,
                model.comparison,
            )
        times.add_task(LATER_SQL_TASK, time.perf_counter() - began)
        return fitted

    for kind in run.models:
        done[kind] = pool.submit(fit, kind)
    pool.shutdown(wait=False)  # the thread ends when its queue is done; cancel_statements stops it early
    return done


def cancel_statements(later: dict[str, Future]) -> None:
    """Drop the fits not started (training failed before saving every model)."""
    for future in later.values():
        future.cancel()


def with_later_statements(transpiled: Transpiled, later: Future | None) -> None:
    """Add the statements fitted beside the checks, every kind's dialects in DIALECTS order (the
    metadata lists statement sizes in that order)."""
    if later is None:
        return
    fitted = later.result()
    transpiled.statements = {
        kind: {
            dialect: {**by_dialect, **fitted.get(kind, {})}[dialect]
            for dialect in DIALECTS
            if dialect in by_dialect or dialect in fitted.get(kind, {})
        }
        for kind, by_dialect in transpiled.statements.items()
    }


def content_model_id(kind: str, transpiled: Transpiled) -> str:
    """A version's id is a hash of what it serves: its DuckDB score and contributions SQL hold every
    fitted number (shortest round-trip repr), so one id is one model on every machine, and a refit
    whose coefficients moved by 1e-11 (another BLAS) is a new version, never the same id with other
    bytes. Retraining on the same data on the same machine gives the same ids."""
    digest = hashlib.sha256()
    for statement in ("score", "contributions"):
        digest.update(transpiled.statements[statement]["duckdb"].text.encode())
    return f"{kind}_{digest.hexdigest()[:10]}"


def _name_by_content(run: TrainingRun, transpiled: dict[str, Transpiled]) -> None:
    """Give every fitted model its content id (a blend's components listed by theirs)."""
    renamed = {
        trained.model_id: content_model_id(kind, transpiled[kind]) for kind, trained in run.models.items()
    }
    for kind, trained in run.models.items():
        params = trained.tuning.params
        if trained.components:
            params = {
                **params,
                "components": [renamed.get(name, name) for name in params.get("components", [])],
            }
        run.models[kind] = dataclasses.replace(
            trained,
            model_id=renamed[trained.model_id],
            tuning=dataclasses.replace(trained.tuning, params=params),
        )


def champion_current_drift(
    warehouse: Warehouse,
    run: TrainingRun,
    champion_id: str,
    versions: dict[str, ModelVersion],
    reference_scores: ReferenceScores | None = None,
) -> pd.DataFrame | None:
    """The current open leads against the serving champion's training rows, on the figures
    monitoring watches; None when the champion is not from this run (a retrain that kept it: the
    monitoring report shows its drift)."""
    kind = next((k for k, m in run.models.items() if m.model_id == champion_id), None)
    if kind is None:
        return None
    spec, trained = run.data.spec, run.models[kind]
    features = list(spec.features)
    dialect = warehouse.target.sql_dialect
    columns = ", ".join(quoted(feature, dialect) for feature in features)
    current = warehouse.query(
        f"select {columns} from {model_relation(spec.features_model, dialect)} where is_open"
    )
    reference = run.data.frame.iloc[trained.served_rows][features]
    importance = versions[kind].metrics.get("feature_importance", {})
    watched = most_important(importance)
    reference_probability = (reference_scores or ReferenceScores(run)).probability(kind, reference)
    with limited_threads():
        current_probability = trained.estimator.predict_proba(current)[:, 1] if len(current) else np.array([])
    kinds = {feature: spec.kind_of(feature) for feature in features}
    return current_drift(reference, reference_probability, current, current_probability, kinds, watched)


def family_table(run: TrainingRun) -> pd.DataFrame:
    """Per family, what the champion rule reads: recency-weighted and plain mean walk-forward AUC,
    the trend per period, and each period's AUC (oldest first)."""
    rows = []
    for kind, figures in run.family_figures.items():
        rows.append(
            {
                "family": kind,
                "model": run.models[kind].model_id,
                "weighted_auc": figures.weighted_auc,
                "mean_auc": figures.mean_auc,
                "trend_per_period": figures.trend_per_period,
                "period_aucs": " ".join(f"{auc:.3f}" for auc in figures.period_aucs),
                "serves": "champion" if kind == run.champion else "",
            }
        )
    return pd.DataFrame(rows).sort_values("weighted_auc", ascending=False, kind="stable")


def time_span(time: pd.Series, spec: FeatureSpec) -> str:
    """The first and last time of some rows as people read them: dates, not seconds since 1970."""
    if spec.time_display == "epoch_seconds":
        dates = pd.to_datetime(time.astype(float), unit="s")
        return f"order_by dates {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}"
    if pd.api.types.is_datetime64_any_dtype(time):
        return f"{spec.time_column} {time.min():%Y-%m-%d} to {time.max():%Y-%m-%d}"
    return f"{spec.time_column} {time.min():,.10g} to {time.max():,.10g}"


def _served_description(run: TrainingRun, trained: TrainedModel) -> dict[str, object]:
    frame = run.data.frame.iloc[trained.served_rows]
    time = frame[run.data.spec.time_column]
    span = time_span(time, run.data.spec)
    return {
        "fitted_on": f"{len(frame):,} labelled rows ({span}), {run.settings.describe()}",
        "trained_through": str(time.max()),
        "rows": len(frame),
        "calibration": (
            f"each of {' and '.join(trained.components)} calibrated as served on its own; their calibrated "
            "log-odds averaged with equal weights"
            if trained.components
            else "Platt scaling learnt on the newest block of those rows with the model fitted on the "
            "rest; the model then refit on all of them under the same map"
        ),
        "estimated_by": f"walk-forward backtest of this procedure over {len(trained.walk_forward.periods)} periods "
        f"(mean ROC-AUC {trained.walk_forward.mean_auc:.4f})",
        "settings": asdict(run.settings),
    }


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
    settings: WalkForwardSettings | None = None,
    decide: Callable[[TrainingRun, dict[str, ModelVersion], Segments | None], Registry] | None = None,
    feedback: str = "exclude",
    reasons: str | None = None,
) -> TrainingOutcome:
    """spec: the features to use (default: read from dbt's manifest). decide: who becomes champion
    (default: the best walk-forward family; `leadscore retrain` passes its comparison with the
    current champion). reasons: how tree models are explained, "shapley" or "saabas" (None: the
    warehouse's default, default_tree_reasons)."""
    reasons = resolve_tree_reasons(reasons, warehouse.target.sql_dialect)
    spec = spec or load_feature_spec(manifest_path)
    data, feedback_summary = apply_feedback(load_training_data(warehouse, spec), feedback)
    if feedback_summary["mislabeled_rows"]:
        console.print(
            f"Sales flagged {feedback_summary['mislabeled_leads']:,} lead(s) as mislabeled "
            f"({feedback_summary['mislabeled_rows']:,} training rows): {feedback} (leadscore train --feedback)"
        )
    leakage = leakage_settings or LeakageSettings()
    leakage_flags = enforce(
        find_leakage(data, leakage), leakage.allow, allow_leakage, model_label(spec.training_model)
    )
    window = data.splits["label_window_days"].dropna()
    window_days = float(window.iloc[0]) if len(window) else 0.0  # a lead table has no window
    tiers = load_tiers(warehouse)
    times = StageTimes()
    run = train_models(
        warehouse,
        data,
        tiers,
        window_days,
        kinds,
        settings,
        max_model_auc=None if allow_leakage else leakage.max_model_auc,
        times=times,
    )
    first = checked_first(warehouse.target.sql_dialect)
    with times.step(FIRST_SQL_STEP):
        transpiled = _transpile_all(run, reasons, first)
    _name_by_content(run, transpiled)
    later = later_statements(run, transpiled, [d for d in DIALECTS if d not in first], times)
    try:
        comparison = run.comparison()
        walk_comparison = run.walk_forward_comparison()
        period_aucs = run.period_aucs()

        served_models = {kind: _served_description(run, trained) for kind, trained in run.models.items()}
        versions: dict[str, ModelVersion] = {}
        parity: dict[str, dict[str, object]] = {}
        kept_reasons: dict[str, str] = {}  # each model's reasons on the test rows, read by a blend's check
        reference_scores = ReferenceScores(run)
        saves: dict[str, tuple[dict, dict, Callable]] = {}
        for kind, trained in run.models.items():
            role = "champion" if kind == run.champion else "challenger"
            served = served_models[kind]
            metadata = {
                "params": trained.tuning.params,
                "selection_rule": SELECTION_RULE,
                "champion_rule": CHAMPION_RULE,
                "champion_reason": run.champion_reason,
                "family_figures": {name: figures.to_dict() for name, figures in run.family_figures.items()},
                "leakage_flags": [flag.line() for flag in leakage_flags],
                "tuning_trials": trained.tuning.trials,
                "walk_forward_auc": trained.walk_forward.mean_auc,
                "selection_free_walk_forward_auc": run.selection_free_auc,
                "served_model": served,
                "label": {"column": spec.label, "window_days": window_days},
                "training_drift": run.drift.summary(),
                "skipped_periods": run.skipped_periods,
                "feedback": feedback_summary,
            }
            metrics = {
                "walk_forward": trained.walk_forward.summary(),
                "legacy_rule_score_walk_forward": run.legacy_walk_forward.summary()
                if run.legacy_walk_forward
                else None,
                "newest_period_vs_train_split_only": trained.newest_period,
                "test": trained.test_metrics,
                "legacy_rule_score_test": run.legacy_metrics,
                "oracle_test": run.oracle,
                "comparison": comparison.to_dict(orient="records"),
                "walk_forward_comparison": walk_comparison.to_dict(orient="records"),
            }

            def card(importance, checked, trained=trained, kind=kind, role=role, served=served):
                return render_model_card(
                    ModelCardFacts(
                        model_id=trained.model_id,
                        kind=kind,
                        role=role,
                        description=DESCRIPTIONS[kind],
                        served=served["fitted_on"],
                        selection_rule=SELECTION_RULE,
                        selection_free_auc=run.selection_free_auc,
                        walk_forward=walk_comparison,
                        period_aucs=period_aucs,
                        newest_period=trained.newest_period,
                        comparison=comparison,
                        splits=data.splits,
                        metrics=trained.test_metrics,
                        drift_warnings=run.drift.warnings() + calibration_findings(trained.estimator),
                        importance=importance,
                        parity=checked,
                        window_days=int(window_days),
                        explanations=transpiled[kind].described["explanations"]["method"],
                    )
                )

            # Every model's SQL is checked before any is saved: the checks are mostly the
            # warehouse's time, during which later_statements' thread prints the other dialects
            # (saving is Python work, which would share the interpreter with that thread).
            parity[kind] = _check_sql(
                warehouse,
                data,
                kind,
                trained.estimator,
                transpiled[kind],
                _test_relation(warehouse, spec.training_model),
                kept_reasons,
                trained.components,
                times,
            )
            saves[kind] = (metadata, metrics, card)
        for kind in saves:  # none is saved unless every one is exact
            require_exact(run.models[kind].model_id, parity[kind])
        for future in later.values():  # and every dialect's statements were fitted (else it raises)
            future.result()
        for kind, (metadata, metrics, card) in saves.items():
            trained = run.models[kind]
            reference = reference_scores.rows(kind)
            versions[kind], _ = _save_checked(
                data,
                trained.model_id,
                kind,
                trained.estimator,
                transpiled[kind],
                reference,
                metadata,
                metrics,
                card,
                parity[kind],
                times,
                functools.partial(reference_scores.probability, kind, reference),
                later.get(kind),
            )
    except BaseException:  # nothing is saved half: the other dialects' fits are dropped
        cancel_statements(later)
        raise
    for table in kept_reasons.values():
        warehouse.execute(f"drop table if exists {table}")

    segments, candidates = None, []
    if segment_column:
        segments, candidates = _train_segments(
            warehouse, data, run, segment_column, tiers, min_segment_positives, versions, reasons
        )

    champion, challenger = versions[run.champion], versions[run.challenger]
    if decide is None:
        registry = promote(
            champion.model_id,
            challenger.model_id,
            reason=f"trained: {run.champion_reason}",
            segments=segments,
        )
    else:
        registry = decide(run, versions, segments)
    write_macros(registry, versions_of(registry))  # also when the registry did not change

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
    importances = {names[k]: transpiled[k].importance for k in run.models}
    with times.step("report"):
        report = render_report(
            report_path or artifacts_dir().parent / "reports" / "training_report.html",
            ReportInputs(
                y_test=y_test,
                probabilities=probabilities,
                rankings=rankings,
                comparison=comparison,
                walk_forward=walk_comparison,
                period_aucs=period_aucs,
                label_rates=run.drift.label_rates,
                drift_warnings=run.drift.warnings()
                + calibration_findings(run.models[run.champion].estimator),
                importances=importances,
                deciles=deciles,
                champion=names[run.champion],
                served=served_models[run.champion]["fitted_on"],
                champion_rule=CHAMPION_RULE,
                champion_reason=run.champion_reason,
                family_figures=family_table(run),
                tiers=tiers,
                current_drift=champion_current_drift(
                    warehouse, run, registry.champion, versions, reference_scores
                ),
                has_oracle=run.oracle is not None,
                reasons=parity[run.champion].get("contribution_sum"),
                reasons_method=transpiled[run.champion].described["explanations"]["method"],
            ),
        )
    times.write(report.with_name("training_times.json"))
    return TrainingOutcome(
        run=run,
        versions=versions,
        registry=registry,
        parity=parity,
        report=report,
        segments=candidates,
        leakage_flags=leakage_flags,
        times=times,
    )


def _train_segments(
    warehouse, data, run, column, tiers, min_positives, versions, reasons: str = DEFAULT_TREE_REASONS
) -> tuple[Segments | None, list[SegmentCandidate]]:
    champion = run.models[run.champion]
    # A blend champion's segments are fitted in its tree family, and must beat the blend on the segment.
    family = champion.components[-1] if champion.components else run.champion
    params = run.models[family].tuning.params
    candidates, estimators = fit_segments(
        data, column, family, params, champion.train_only_estimator, min_positives
    )
    fingerprint = data_fingerprint(data)
    kept: dict[str, str] = {}
    dialect = warehouse.target.sql_dialect
    for value, estimator in estimators.items():
        segment = segment_data(data, column, value)
        version_id = model_id(family, fingerprint, {**params, "segment": f"{column}={value}"})
        X_test, y_test = segment.features("test"), segment.labels("test").to_numpy()
        segment_probability = estimator.predict_proba(X_test)[:, 1]
        metrics = {
            "test": evaluate_score(y_test, segment_probability, segment_probability, tiers),
            "champion_on_segment_test": evaluate_score(
                y_test, *(2 * [champion.train_only_estimator.predict_proba(X_test)[:, 1]]), tiers
            ),
        }
        candidate = next(c for c in candidates if c.value == value)
        metadata = {
            "params": params,
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

        reference = segment.features("train")
        versions[f"segment:{value}"], _ = _publish(
            warehouse,
            segment,
            version_id,
            family,
            estimator,
            transpile_model(estimator, pipeline, reference, segment.spec, family, reasons),
            reference,
            _test_relation(warehouse, data.spec.training_model, condition),
            metadata,
            metrics,
            card,
        )
        kept[value] = version_id
    return (Segments(column=column, models=kept) if kept else None), candidates
