"""The same project on Apache Spark (local mode, dbt-spark's session method): the same demo data in,
the same scorecard and features out; training reads the mart from Spark, and the generated Spark SQL
equals predict_proba there on every test row and every adversarial row."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from helpers.adversarial import adversarial_frame, column_types, numeric_thresholds
from helpers.scoring_parity import assert_training_scores_equal_predict_proba, saved_estimators
from leadscore.transpile import build_scoring_query
from leadscore.warehouse.sql_names import relation_name

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.timeout(3000)]

TOLERANCE = 1e-9


def _assert_frames_equal(on_spark: pd.DataFrame, on_duckdb: pd.DataFrame) -> None:
    assert list(on_spark.columns) == list(on_duckdb.columns)
    assert len(on_spark) == len(on_duckdb)
    for column in on_duckdb.columns:
        left, right = on_spark[column], on_duckdb[column]
        if pd.api.types.is_numeric_dtype(right) and not pd.api.types.is_bool_dtype(right):
            pd.testing.assert_series_equal(
                pd.to_numeric(left).astype(float),
                right.astype(float),
                check_exact=False,
                rtol=1e-9,
                check_names=False,
            )
        elif pd.api.types.is_datetime64_any_dtype(right):
            assert (pd.to_datetime(left) == right).where(right.notna(), left.isna()).all(), column
        else:
            assert (
                left.astype(object).where(left.notna(), None).tolist()
                == right.astype(object).where(right.notna(), None).tolist()
            ), column


def _check_scorecard_equals_duckdb(spark_warehouse, duckdb_warehouse) -> None:
    sql = (
        "select table_name, column_name, check_name, failing_rows, total_rows, status "
        "from quality.data_quality_scorecard order by 1, 2, 3"
    )
    _assert_frames_equal(spark_warehouse.query(sql), duckdb_warehouse.query(sql))


def _check_training_set_equals_duckdb(spark_warehouse, duckdb_warehouse) -> None:
    sql = "select * from features.lead_training_set order by lead_id, as_of_at"
    on_spark, on_duckdb = spark_warehouse.query(sql), duckdb_warehouse.query(sql)
    assert len(on_duckdb) > 1000
    _assert_frames_equal(on_spark, on_duckdb)


def _train_and_score(spark_warehouse):
    """`leadscore train` against the Spark target, then `dbt build --selector scores` there."""
    from leadscore.modeling.job import run_training
    from leadscore.modeling.walk_forward import WalkForwardSettings

    started = time.perf_counter()
    with spark_warehouse.env():
        warehouse = spark_warehouse.connect()
        try:
            # Two walk-forward periods: Spark is here for the SQL (parity, scoring models), and the
            # modelling is the same code DuckDB's tests run with six.
            outcome = run_training(
                warehouse,
                spark_warehouse.project / "target" / "manifest.json",
                settings=WalkForwardSettings(periods=2),
            )
        finally:
            warehouse.close()
    trained = time.perf_counter()
    spark_warehouse.dbt("build", "--selector", "scores")
    print(
        f"\nSpark: training with parity checks {trained - started:.1f} s, "
        f"dbt build --selector scores {time.perf_counter() - trained:.1f} s"
    )
    return spark_warehouse, outcome


def _check_training_parity_in_spark(outcome) -> None:
    assert set(outcome.parity) == {"logistic", "lightgbm", "blend"}
    for parity in outcome.parity.values():
        assert parity["dialect"] == "spark"
        assert parity["rows"] > 500
        assert parity["max_abs_difference"] < TOLERANCE
        assert parity["contribution_sum"]["max_abs_difference"] < TOLERANCE


def _check_scoring_models_equal_predict_proba(warehouse, outcome) -> None:
    assert_training_scores_equal_predict_proba(warehouse, outcome)
    views = warehouse.query(
        "select count(*) as n, min(probability) as low, max(probability) as high, "
        "count(distinct tier) as tiers from scoring.lead_scores"
    )
    assert views["n"][0] > 1000 and 0 <= views["low"][0] <= views["high"][0] <= 1
    assert views["tiers"][0] >= 3
    feed = warehouse.query(
        "select count(*) as n, count(distinct crm_record_id) as ids from scoring.crm_lead_sync"
    )
    assert feed["n"][0] == feed["ids"][0] > 1000


def _check_adversarial_rows(warehouse, outcome, kind: str) -> None:
    """Every tree threshold hit exactly and one double either side, NULLs, unseen (hostile)
    categories and extreme magnitudes, scored by the generated Spark SQL in Spark."""
    spec = outcome.run.data.spec
    base = warehouse.query(
        "select * from features.lead_training_set where split = 'test' order by lead_id limit 50"
    )
    for column in spec.numeric:
        base[column] = pd.to_numeric(base[column]).astype(float)
    estimators = [model.estimator for model in outcome.run.models.values() if not model.components]
    frame = adversarial_frame(estimators, base, spec)
    assert len(frame) > 1000
    estimator = saved_estimators(warehouse, outcome)[kind]
    query = build_scoring_query(estimator, ["lead_id", "as_of_at"])
    with warehouse.env():
        connection = warehouse.connect()
        try:
            connection.write_frame("adversarial", f"rows_{kind}", frame, column_types(spec), append=False)
            scored = connection.query(
                query.sql("spark", relation=relation_name("adversarial", f"rows_{kind}", "spark"))
            ).sort_values("lead_id")
        finally:
            connection.close()
    expected = estimator.predict_proba(frame[list(spec.features)])[:, 1]
    assert scored["probability"].notna().all()
    difference = np.abs(scored["probability"].astype(float).to_numpy() - expected)
    assert difference.max() < TOLERANCE, frame.iloc[np.flatnonzero(difference > TOLERANCE)[:3]].T.to_string()
    if kind == "lightgbm":
        thresholds = numeric_thresholds(estimator, spec)
        assert sum(frame[feature].isin(values).sum() for feature, values in thresholds.items()) > 100


def _check_xgboost_in_spark(warehouse, outcome) -> None:
    """An XGBoost pipeline as leadscore builds it (native categories, NaN routed by the trees),
    calibrated on its float32 margin and bare (float32 predict_proba), scored by its Spark SQL in
    Spark on the adversarial rows: Spark's FLOAT is the float32 the running sum needs."""
    from helpers.xgboost_float32 import with_libm_expf_rows
    from leadscore.modeling.pipelines import calibrated, xgboost_pipeline

    spec = outcome.run.data.spec
    known = warehouse.query("select * from features.lead_training_set where split <> 'test' order by lead_id")
    for column in spec.numeric:
        known[column] = pd.to_numeric(known[column]).astype(float)
    labels = known["is_converted_in_window"].astype(int).to_numpy()
    half = len(known) // 2
    # 70 trees: over 64, so the float32 running sum takes two CTE steps.
    fitted = xgboost_pipeline(spec, 70, 4, 0.1).fit(known[list(spec.features)].iloc[:half], labels[:half])
    served = calibrated(fitted, known[list(spec.features)].iloc[half:], labels[half:])
    base = warehouse.query(
        "select * from features.lead_training_set where split = 'test' order by lead_id limit 50"
    )
    for column in spec.numeric:
        base[column] = pd.to_numeric(base[column]).astype(float)
    frame = adversarial_frame([fitted], base, spec)
    with warehouse.env():
        connection = warehouse.connect()
        try:
            connection.write_frame("adversarial", "rows_xgboost", frame, column_types(spec), append=False)
            relation = relation_name("adversarial", "rows_xgboost", "spark")
            results = {
                name: connection.query(
                    build_scoring_query(estimator, ["lead_id", "as_of_at"]).sql("spark", relation=relation)
                ).sort_values("lead_id")
                for name, estimator in (("served", served), ("bare", fitted))
            }
        finally:
            connection.close()
    assert "float32_running_step_" in build_scoring_query(served, ["lead_id"]).sql("spark")
    for name, estimator in (("served", served), ("bare", fitted)):
        scored = results[name]
        got = scored["probability"].astype(float).to_numpy()
        expected = estimator.predict_proba(frame[list(spec.features)])[:, 1].astype(float)
        if name == "bare":
            expected = with_libm_expf_rows(expected, got, scored["raw_score"].astype(float).to_numpy())
        assert scored["probability"].notna().all(), name
        assert np.abs(got - expected).max() < TOLERANCE, name


def _check_shapley_reasons_in_spark(warehouse, outcome) -> None:
    """TreeSHAP reasons in Spark SQL: a LightGBM pipeline as leadscore builds it (native categories,
    missing values routed by the trees), calibrated, 30 trees so the statement runs in two blocks;
    on the adversarial rows Spark's values equal LightGBM's pred_contrib (summed per source column,
    times the calibration's slope) and add up to Spark's log-odds."""
    from leadscore.modeling.pipelines import calibrated, fit_params, lightgbm_pipeline
    from leadscore.transpile.explain import CONTRIBUTION_PREFIX, build_contribution_query, explain

    spec = outcome.run.data.spec
    known = warehouse.query("select * from features.lead_training_set where split <> 'test' order by lead_id")
    for column in spec.numeric:
        known[column] = pd.to_numeric(known[column]).astype(float)
    labels = known["is_converted_in_window"].astype(int).to_numpy()
    half = len(known) // 2
    features = list(spec.features)
    fitted = lightgbm_pipeline(spec, 30, 15, 0.1).fit(
        known[features].iloc[:half], labels[:half], **fit_params("lightgbm", spec, None)
    )
    served = calibrated(fitted, known[features].iloc[half:], labels[half:])
    base = warehouse.query(
        "select * from features.lead_training_set where split = 'test' order by lead_id limit 50"
    )
    for column in spec.numeric:
        base[column] = pd.to_numeric(base[column]).astype(float)
    frame = adversarial_frame([fitted], base, spec)
    keys = ["lead_id", "as_of_at"]
    reasons = build_contribution_query(served, keys, features, method="shapley")
    assert "shapley_sums_1" in reasons.sql("spark")
    with warehouse.env():
        connection = warehouse.connect()
        try:
            connection.write_frame("adversarial", "rows_shapley", frame, column_types(spec), append=False)
            relation = relation_name("adversarial", "rows_shapley", "spark")
            got = connection.query(reasons.sql("spark", relation=relation)).sort_values("lead_id")
            scored = connection.query(build_scoring_query(served, keys).sql("spark", relation=relation))
        finally:
            connection.close()
    scored = scored.sort_values("lead_id")
    frame = frame.sort_values("lead_id")
    assert frame["lead_id"].is_unique and len(got) == len(frame)
    matrix = fitted.named_steps["prepare"].transform(frame[features])
    library = fitted.named_steps["model"].booster_.predict(matrix, pred_contrib=True)[:, :-1]
    details = explain(served, keys, method="shapley")
    sources = [column.source for column in details.translation.inputs]
    for feature in features:
        inputs = [i for i, source in enumerate(sources) if source == feature]
        expected = details.scale * library[:, inputs].sum(axis=1)
        difference = np.abs(got[CONTRIBUTION_PREFIX + feature].astype(float).to_numpy() - expected)
        assert difference.max() < TOLERANCE, feature
    values = got[["bias", *[CONTRIBUTION_PREFIX + f for f in features]]].astype(float).to_numpy()
    assert np.abs(values.sum(axis=1) - scored["log_odds"].astype(float).to_numpy()).max() < TOLERANCE


def test_the_demo_end_to_end_on_spark(spark_warehouse, duckdb_warehouse):
    """One test, so one worker builds the Spark warehouse and trains on it (pytest-xdist's
    grouping marks did not keep separate tests together)."""
    _check_scorecard_equals_duckdb(spark_warehouse, duckdb_warehouse)
    _check_training_set_equals_duckdb(spark_warehouse, duckdb_warehouse)
    warehouse, outcome = _train_and_score(spark_warehouse)
    _check_training_parity_in_spark(outcome)
    _check_scoring_models_equal_predict_proba(warehouse, outcome)
    for kind in ("logistic", "lightgbm"):
        _check_adversarial_rows(warehouse, outcome, kind)
    _check_xgboost_in_spark(warehouse, outcome)
    _check_shapley_reasons_in_spark(warehouse, outcome)
