"""The same project on Postgres: same demo data in, same scorecard and features out."""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_postgres_scorecard_equals_duckdb(postgres_warehouse, duckdb_warehouse):
    sql = "select table_name, column_name, check_name, failing_rows, total_rows, status from quality.data_quality_scorecard order by 1, 2, 3"
    pd.testing.assert_frame_equal(
        postgres_warehouse.query(sql), duckdb_warehouse.query(sql), check_dtype=False
    )


def test_postgres_training_set_equals_duckdb(postgres_warehouse, duckdb_warehouse):
    sql = "select * from features.lead_training_set order by lead_id, as_of_at"
    on_postgres = postgres_warehouse.query(sql)
    on_duckdb = duckdb_warehouse.query(sql)
    assert len(on_postgres) == len(on_duckdb) > 1000
    for column in on_duckdb.columns:
        left, right = on_postgres[column], on_duckdb[column]
        if pd.api.types.is_numeric_dtype(right) and not pd.api.types.is_bool_dtype(right):
            pd.testing.assert_series_equal(
                left.astype(float), right.astype(float), check_exact=False, rtol=1e-9, check_names=False
            )
        else:
            assert (
                left.astype(object).where(left.notna(), None).tolist()
                == right.astype(object).where(right.notna(), None).tolist()
            ), column


def test_training_reads_and_checks_its_sql_in_postgres(postgres_warehouse):
    """`leadscore train` against the Postgres target: reads the mart there, and the generated
    Postgres SQL equals predict_proba on every test row there."""
    from leadscore.modeling.job import run_training

    with postgres_warehouse.env():
        warehouse = postgres_warehouse.connect()
        try:
            outcome = run_training(warehouse, postgres_warehouse.project / "target" / "manifest.json")
        finally:
            warehouse.close()
    for parity in outcome.parity.values():
        assert parity["dialect"] == "postgres"
        assert parity["rows"] > 500
        assert parity["max_abs_difference"] < 1e-9
        assert parity["contribution_sum"]["max_abs_difference"] < 1e-9
    postgres_warehouse.dbt("build", "--selector", "scores")
    scores = postgres_warehouse.query(
        "select count(*) as n, min(probability) as low, max(probability) as high from scoring.lead_scores"
    )
    assert scores["n"][0] > 1000 and 0 <= scores["low"][0] <= scores["high"][0] <= 1


def test_the_reasons_check_sample_is_the_same_rows_in_postgres_and_duckdb(
    postgres_warehouse, duckdb_warehouse
):
    """Past parity.MAX_REASONS_CHECK_ROWS test rows training checks reasons on a fixed sample (the
    smallest md5 of each row's keys): the same rows on either warehouse, and the ones Python's md5
    picks."""
    import hashlib

    from leadscore.evaluation.parity import reasons_check_relation

    relation = "(select * from features.lead_training_set where split = 'test')"
    picked = {}
    for name, built in (("postgres", postgres_warehouse), ("duckdb", duckdb_warehouse)):
        total = int(built.query(f"select count(*) as n from {relation} as t")["n"][0])
        sample = reasons_check_relation(relation, name, total, limit=50)
        assert sample != relation
        rows = built.query(f"select lead_id, as_of_at from {sample} as s")
        picked[name] = sorted(zip(rows["lead_id"].astype(str), pd.to_datetime(rows["as_of_at"]), strict=True))
        assert len(picked[name]) == 50 < total
    assert picked["postgres"] == picked["duckdb"]
    every = duckdb_warehouse.query(f"select lead_id, as_of_at from {relation} as t")
    digests = sorted(
        (hashlib.md5(f"{lead}|{pd.Timestamp(at)}".encode()).hexdigest(), str(lead), pd.Timestamp(at))
        for lead, at in zip(every["lead_id"], every["as_of_at"], strict=True)
    )
    assert sorted((lead, at) for _, lead, at in digests[:50]) == picked["duckdb"]
