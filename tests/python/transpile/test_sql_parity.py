"""The generated SQL computes predict_proba, within 1e-9, on every row: the whole test split of the
demo warehouse (through dbt's scoring model) and adversarial rows (through each dialect we run)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import sqlglot

from helpers.adversarial import EVIL_CATEGORIES, adversarial_frame, column_types, numeric_thresholds
from helpers.scoring_parity import assert_training_scores_equal_predict_proba, saved_estimators
from leadscore.registry.artifacts import load_model_version
from leadscore.transpile import build_scoring_query
from leadscore.transpile.query import DIALECTS, INPUT_PLACEHOLDER
from leadscore.warehouse.sql_names import relation_name

TOLERANCE = 1e-9


def _estimators(trained_warehouse):
    return saved_estimators(*trained_warehouse)


def test_dbt_scoring_model_equals_predict_proba_on_every_test_row(trained_warehouse):
    assert_training_scores_equal_predict_proba(*trained_warehouse)


def _adversarial(trained_warehouse):
    warehouse, outcome = trained_warehouse
    spec = outcome.run.data.spec
    base = warehouse.query("select * from features.lead_training_set where split = 'test' limit 50")
    estimators = [model.estimator for model in outcome.run.models.values() if not model.components]
    return adversarial_frame(estimators, base, spec), spec


def _score(warehouse_connection, trained_warehouse, kind: str, relation: str) -> pd.DataFrame:
    """The saved version's own SQL for the warehouse's dialect: what is served, a blend included."""
    warehouse, outcome = trained_warehouse
    with warehouse.env():
        version = load_model_version(outcome.versions[kind].model_id)
    sql = version.sql(warehouse_connection.target.sql_dialect).split("\n", 1)[1]
    return warehouse_connection.query(sql.replace(INPUT_PLACEHOLDER, relation))


@pytest.mark.parametrize("kind", ["logistic", "lightgbm", "blend"])
def test_adversarial_rows_on_duckdb(trained_warehouse, kind):
    warehouse, _ = trained_warehouse
    frame, spec = _adversarial(trained_warehouse)
    assert len(frame) > 1000
    connection = warehouse.connect(read_only=False)
    try:
        connection.write_frame("adversarial", "rows", frame, column_types(spec), append=False)
        estimator = _estimators(trained_warehouse)[kind]
        scored = _score(
            connection, trained_warehouse, kind, relation_name("adversarial", "rows")
        ).sort_values("lead_id")
        expected = estimator.predict_proba(frame[list(spec.features)])[:, 1]
        assert scored["probability"].notna().all()
        difference = np.abs(scored["probability"].to_numpy() - expected)
        assert difference.max() < TOLERANCE, frame.iloc[
            np.flatnonzero(difference > TOLERANCE)[:3]
        ].T.to_string()
        if kind == "lightgbm":
            # The rows sit exactly on the trees' thresholds: a translation that compared with `<`
            # instead of `<=` would go wrong there, so the test can fail.
            thresholds = numeric_thresholds(estimator, spec)
            on_threshold = sum(frame[feature].isin(values).sum() for feature, values in thresholds.items())
            assert on_threshold > 100
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.parametrize("kind", ["logistic", "lightgbm", "blend"])
def test_adversarial_rows_on_postgres(trained_warehouse, postgres_warehouse, kind):
    frame, spec = _adversarial(trained_warehouse)
    estimator = _estimators(trained_warehouse)[kind]
    connection = postgres_warehouse.connect()
    try:
        connection.write_frame("adversarial", f"rows_{kind}", frame, column_types(spec), append=False)
        scored = _score(
            connection, trained_warehouse, kind, relation_name("adversarial", f"rows_{kind}", "postgres")
        ).sort_values("lead_id")
    finally:
        connection.close()
    expected = estimator.predict_proba(frame[list(spec.features)])[:, 1]
    assert np.abs(scored["probability"].astype(float).to_numpy() - expected).max() < TOLERANCE


def test_every_dialect_generates_parseable_sql_with_escaped_categories(trained_warehouse):
    """Categories from data that look like SQL or Jinja become plain string literals in every dialect."""
    from leadscore.modeling.pipelines import calibrated, logistic_pipeline

    warehouse, outcome = trained_warehouse
    spec = outcome.run.data.spec
    base = warehouse.query("select * from features.lead_training_set where split = 'train' limit 1200")
    base["industry"] = [EVIL_CATEGORIES[i % len(EVIL_CATEGORIES)] for i in range(len(base))]
    y = base["is_converted_in_window"].astype(int).to_numpy(copy=True)
    y[:2], y[2:4] = 1, 0
    pipeline = logistic_pipeline(spec, C=1.0).fit(base[list(spec.features)], y)
    encoder = (
        pipeline.named_steps["prepare"]
        .named_steps["columns"]
        .named_transformers_["categorical"]
        .named_steps["one_hot"]
    )
    assert set(EVIL_CATEGORIES) - {""} <= set(encoder.categories_[list(spec.categorical).index("industry")])
    query = build_scoring_query(calibrated(pipeline, base[list(spec.features)], y), ["lead_id", "as_of_at"])
    for dialect in DIALECTS:
        parsed = sqlglot.parse_one(query.sql(dialect, relation="adversarial_rows"), read=dialect)
        literals = {literal.this for literal in parsed.find_all(sqlglot.exp.Literal) if literal.is_string}
        assert set(EVIL_CATEGORIES) - {""} <= literals, dialect
        assert not list(parsed.find_all(sqlglot.exp.Drop)), dialect


def test_a_blend_champion_is_served_by_dbt_exactly_with_reasons(trained_warehouse, tmp_path):
    """The blend promoted to champion: dbt's scoring models run its SQL (its components' statements
    joined), lead_training_scores equals its predict_proba on every test row, and every open lead
    gets a score and reasons from it."""
    from leadscore.registry.registry import promote

    warehouse, outcome = trained_warehouse
    copy = warehouse.copy_to(tmp_path)
    blend, lightgbm = outcome.versions["blend"].model_id, outcome.versions["lightgbm"].model_id
    with copy.env():
        registry = promote(blend, lightgbm, reason="test: the blend serves")
    assert registry.champion == blend
    copy.dbt("build", "--selector", "scores")
    merged = assert_training_scores_equal_predict_proba(copy, dataclasses.replace(outcome, registry=registry))
    assert len(merged) > 500
    served = copy.query(
        "select model_version, count(*) as leads, count(probability) as scored from scoring.lead_scores "
        "where is_open group by 1"
    )
    assert served["model_version"].tolist() == [blend] and (served["leads"] == served["scored"]).all()
    reasons = copy.query("select count(distinct lead_id) as leads from scoring.lead_score_reasons")
    assert int(reasons["leads"].iloc[0]) > 0


def test_an_xgboost_champion_without_challenger_is_served_by_dbt_exactly(trained_warehouse, tmp_path):
    """`leadscore train --families logistic,xgboost`, then the XGBoost version promoted with no
    challenger: dbt serves it (its float32 running sum in CTE steps) equal to predict_proba on every
    test row, every open lead gets a score, a tier and reasons that add up (the build's own test,
    to 1e-9), and no lead is lost for want of a challenger."""
    from leadscore.modeling.walk_forward import WalkForwardSettings
    from leadscore.registry.registry import promote

    warehouse, _ = trained_warehouse
    copy = warehouse.copy_to(tmp_path)
    with copy.env():
        outcome = copy.train(kinds=("logistic", "xgboost"), settings=WalkForwardSettings(periods=2))
        xgboost_id = outcome.versions["xgboost"].model_id
        assert outcome.parity["xgboost"]["max_abs_difference"] < TOLERANCE
        assert outcome.parity["xgboost"]["contribution_sum"]["max_abs_difference"] < TOLERANCE
        version = load_model_version(xgboost_id)
        assert "float32_running_step_" in version.sql("duckdb")  # more than 64 trees: stepped
        for dialect in ("snowflake", "bigquery"):
            assert "has no 32-bit float type" in version.sql(dialect)
        registry = promote(xgboost_id, None, reason="test: xgboost serves alone")
    assert registry.champion == xgboost_id and registry.challenger is None
    copy.dbt("build", "--selector", "scores")
    merged = assert_training_scores_equal_predict_proba(copy, dataclasses.replace(outcome, registry=registry))
    assert len(merged) > 500
    served = copy.query(
        "select model_version, count(*) as leads, count(probability) as scored, count(tier) as tiered, "
        "count(challenger_model_version) as with_challenger from scoring.lead_scores where is_open group by 1"
    )
    assert served["model_version"].tolist() == [xgboost_id]
    assert (served["leads"] == served["scored"]).all() and (served["leads"] == served["tiered"]).all()
    assert int(served["leads"].iloc[0]) > 100 and int(served["with_challenger"].iloc[0]) == 0
    reasons = copy.query("select count(distinct lead_id) as leads from scoring.lead_score_reasons")
    assert int(reasons["leads"].iloc[0]) > 0
