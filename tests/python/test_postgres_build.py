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
