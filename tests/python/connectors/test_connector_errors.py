"""Bad input in the connector shapes: one clear message naming the table, the column and what to do,
or a count in quality.connector_data_checks; never a silent drop. On Fivetran's Salesforce seeds."""

from __future__ import annotations

import json

import pytest

from conftest import Environment
from helpers.connector_builds import ModeBuild, load_fivetran_seeds, prepare

pytestmark = pytest.mark.slow


@pytest.fixture
def salesforce(tmp_path) -> ModeBuild:
    build = prepare(
        tmp_path, {"leadscore_input_mode": "salesforce", "leadscore_value_per_conversion_usd": 1000}
    )
    load_fivetran_seeds(build, "salesforce")
    return build


def _problems(outcome) -> str:
    return "\n".join(outcome.problems)


def test_a_missing_required_table_is_named_with_the_optional_ones(salesforce):
    from leadscore.byo.checks import DataError
    from leadscore.crm_preflight import check_crm_tables
    from leadscore.warehouse import connect

    salesforce.execute("drop table salesforce.account")
    with Environment(salesforce.environment()):
        warehouse = connect("duckdb", read_only=True)
        try:
            with pytest.raises(DataError) as refused:
                check_crm_tables(warehouse)
        finally:
            warehouse.close()
    message = str(refused.value)
    assert "salesforce.account" in message and "Required: lead, account, opportunity" in message
    assert "optional (read when present): contact" in message and "leadscore_connector_tables" in message

    # Plain dbt says the same before any SQL runs on the table.
    outcome = salesforce.dbt("run", "--select", "base_salesforce__account", check=False)
    assert "does not exist" in _problems(
        outcome
    ) and "Required tables: lead, account, opportunity" in _problems(outcome)


def test_a_missing_optional_table_is_an_empty_one(salesforce):
    salesforce.execute("drop table salesforce.task")
    salesforce.dbt("run", "--select", "+stg_salesforce__activities")
    activities = salesforce.query(
        "select source_table, count(*) as n from staging.stg_salesforce__activities group by 1"
    )
    assert dict(zip(activities["source_table"], activities["n"], strict=True)) == {"event": 10}


def test_a_renamed_column_is_named_and_mapped_by_a_var(salesforce):
    salesforce.execute("alter table salesforce.lead rename column created_date to created_on")
    outcome = salesforce.dbt("run", "--select", "base_salesforce__lead", check=False)
    problems = _problems(outcome)
    assert "has no column for: created_date (tried created_date)" in problems
    assert "leadscore_connector_columns" in problems

    salesforce.dbt_vars["leadscore_connector_columns"] = {
        "salesforce": {"lead": {"created_date": "created_on"}}
    }
    salesforce.dbt("run", "--select", "base_salesforce__lead")
    assert (
        salesforce.query("select created_date from staging.base_salesforce__lead")["created_date"]
        .notna()
        .all()
    )


def test_camel_case_columns_read_as_snake_case(salesforce):
    """Airbyte and Stitch land Salesforce's API names (Id, IsDeleted, ConvertedContactId)."""
    salesforce.dbt("run", "--select", "+stg_salesforce__leads")
    snake = salesforce.query("select * from staging.stg_salesforce__leads order by lead_id")
    for old, new in {
        "id": "Id",
        "is_deleted": "IsDeleted",
        "created_date": "CreatedDate",
        "converted_contact_id": "ConvertedContactId",
        "master_record_id": "MasterRecordId",
    }.items():
        salesforce.execute(f'alter table salesforce.lead rename column {old} to "{new}"')
    salesforce.dbt("run", "--select", "+stg_salesforce__leads")
    camel = salesforce.query("select * from staging.stg_salesforce__leads order by lead_id")
    assert camel.equals(snake) and len(camel) == 5


def test_connector_dirt_is_counted_with_what_to_do(salesforce):
    lead = "00Q1G00000nDnM5UAK"
    salesforce.execute(
        f"""
        insert into salesforce.lead by name select * from salesforce.lead where id = '{lead}';
        insert into salesforce.lead by name
            select * replace ('00Q000000000002AAA' as id) from salesforce.lead where id = '{lead}' limit 1;
        update salesforce.task set created_date = 'yesterday afternoon' where id = (select min(id) from salesforce.task);
        """
    )
    salesforce.dbt("run", "--select", "+connector_data_checks")
    checks = salesforce.query("select * from quality.connector_data_checks where failing_rows > 0")
    found = {
        (row.table_name, row.column_name, row.check_name): row.failing_rows for row in checks.itertuples()
    }
    assert found[("lead", "id", "duplicate")] == 1
    # Three live rows (the lead, its copy, and another lead) name one converted contact.
    assert found[("lead", "converted_contact_id", "converted_twice")] == 3
    assert found[("task", "occurred_at", "unreadable")] == 1
    assert all(checks["what_to_do"].str.len() > 20)
    # The row is still there, flagged; its time comes from CompletedDateTime, the first name tried.
    tasks = salesforce.query(
        "select count(*) as n, count(occurred_at) as dated, "
        "sum(case when dq_occurred_at__unreadable then 1 else 0 end) as unreadable from staging.base_salesforce__task"
    )
    assert tuple(tasks.iloc[0]) == (10, 10, 1)


def test_vars_that_would_paste_sql_are_refused(salesforce):
    salesforce.dbt_vars.update(
        {
            "leadscore_salesforce_schema": 'sales"; drop table x; --',
            "leadscore_salesforce_conversion": "whenever",
        }
    )
    outcome = salesforce.dbt("run", "--select", "base_salesforce__lead", check=False)
    problems = _problems(outcome)
    assert "var leadscore_salesforce_schema" in problems and "not a plain schema or table name" in problems
    assert "var leadscore_salesforce_conversion" in problems and json.dumps("whenever") in problems
