"""Before dbt runs on CRM tables: each raw table exists and has rows, and some opportunity exists, so
a missing or empty extract is one message naming the table instead of a cascade of failing tests."""

from __future__ import annotations

import json
import os

import yaml

from leadscore.byo.checks import DataError
from leadscore.paths import project_dir
from leadscore.warehouse import Warehouse
from leadscore.warehouse.sql_names import relation_name

CRM_TABLES = {
    "accounts": "crm_accounts",
    "leads": "crm_leads",
    "activities": "crm_activities",
    "opportunities": "crm_opportunities",
}
WHY_NEEDED = {
    "accounts": "firmographic features (industry, size, funding)",
    "leads": "the leads to score",
    "activities": "engagement features: without them every lead looks alike and tiers are meaningless",
    "opportunities": "the labels: with no opportunity no lead ever converted, so nothing can be learnt",
}


def crm_table_names() -> tuple[str, dict[str, str]]:
    """The raw schema and table per CRM entity: dbt_project.yml's vars, overridden by LEADSCORE_DBT_VARS."""
    project_vars = yaml.safe_load((project_dir() / "dbt_project.yml").read_text()).get("vars", {})
    project_vars.update(json.loads(os.environ.get("LEADSCORE_DBT_VARS") or "{}"))
    tables = {**CRM_TABLES, **(project_vars.get("crm_tables") or {})}
    return str(project_vars.get("raw_schema") or "raw"), tables


def check_crm_tables(warehouse: Warehouse) -> dict[str, int]:
    """Row counts per entity; raises DataError naming the table when one is missing or empty."""
    schema, tables = crm_table_names()
    dialect = warehouse.target.sql_dialect
    counts: dict[str, int] = {}
    for entity, table in tables.items():
        if entity not in CRM_TABLES:
            continue
        relation = relation_name(schema, table, dialect)
        try:
            counts[entity] = int(warehouse.query(f"select count(*) as n from {relation}")["n"].iloc[0])
        except Exception as error:
            raise DataError(
                f"{schema}.{table} (the CRM's {entity}) cannot be read: {str(error).splitlines()[0]}. "
                f"Load it there, or name your table with the dbt var crm_tables: {{{entity}: <your table>}} "
                f"(and raw_schema for the schema). It holds {WHY_NEEDED[entity]}."
            ) from error
        if counts[entity] == 0:
            raise DataError(
                f"{schema}.{table} (the CRM's {entity}) is empty: 0 rows. It holds {WHY_NEEDED[entity]}. "
                "Check the extract that loads it, then run again."
            )
    return counts
