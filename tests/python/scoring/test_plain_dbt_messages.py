"""Users run dbt directly. A plain `dbt build` on bad CRM data names the cause as `leadscore build`
does: a renamed column is reported as such before any unit test or model runs, and the data-quality
gate says which check failed on which table and column, with the count, in dbt's own output and in
the test's failing rows."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import clone_warehouse, execute
from leadscore.dbt_invocation import dbt_executable


def _plain_dbt_build(built, *arguments: str) -> subprocess.CompletedProcess:
    from leadscore.paths import dbt_environment

    with built.env():
        environment = dbt_environment()
    return subprocess.run(
        [dbt_executable(), "build", "--no-use-colors", *arguments],
        cwd=built.project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def broken(trained_warehouse, tmp_path_factory):
    return clone_warehouse(trained_warehouse[0], tmp_path_factory.mktemp("plain_dbt"))


def test_a_renamed_crm_column_is_named_before_unit_tests_run(broken):
    execute(broken, "alter table raw.crm_leads rename column created_at to createddate")
    (broken.project / "target" / "run_results.json").unlink(missing_ok=True)
    try:
        result = _plain_dbt_build(broken)
    finally:
        execute(broken, "alter table raw.crm_leads rename column createddate to created_at")
    output = " ".join(result.stdout.split())
    assert result.returncode != 0
    assert "raw.crm_leads has no column created_at: renamed or dropped in the extract" in output
    assert (
        "Its columns: lead_id, crm_record_id, account_id, email, job_title, lead_source, createddate"
        in output
    )
    assert "leadscore_crm_columns: {leads: {created_at: <your column>" in output
    assert "fixture" not in output.lower() and "error in unit_test" not in output.lower()
    results = broken.project / "target" / "run_results.json"
    ran = json.loads(results.read_text())["results"] if results.exists() else []
    assert [r for r in ran if r["status"] != "skipped"] == []  # nothing ran


def test_the_data_quality_gate_names_the_check_table_column_and_count(broken):
    execute(
        broken,
        "create table raw.activities_saved as select * from raw.crm_activities",
        "delete from raw.crm_activities",
    )
    try:
        result = _plain_dbt_build(broken, "--exclude", "resource_type:unit_test")
    finally:
        execute(
            broken,
            "insert into raw.crm_activities select * from raw.activities_saved",
            "drop table raw.activities_saved",
        )
    output = " ".join(result.stdout.split())
    assert result.returncode != 0
    assert "leadscore data quality error: activities is empty: the extract loaded no rows" in output
    assert "Failure in test data_quality_no_error_level_checks" in output
    with broken.env():
        connection = broken.connect()
        try:
            rows = connection.query(
                "select table_name, column_name, check_name, failing_rows, error_above_pct from "
                "quality.data_quality_scorecard where status = 'error' order by 1, 2, 3"
            )
        finally:
            connection.close()
    # Every error row of the scorecard is named in dbt's output, with its count and threshold.
    assert len(rows) >= 1
    for row in rows.itertuples():
        if row.check_name == "empty":
            assert f"leadscore data quality error: {row.table_name} is empty" in output
        else:
            assert (
                f"leadscore data quality error: {row.table_name}.{row.column_name} {row.check_name}: "
                f"{row.failing_rows} of " in output
            ), row
