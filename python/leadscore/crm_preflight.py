"""Before dbt runs on CRM tables: each raw table exists and has rows, and some opportunity exists, so
a missing or empty extract is one message naming the table instead of a cascade of failing tests."""

from __future__ import annotations

import json
import os

import yaml

from leadscore.byo.checks import DataError
from leadscore.paths import PACKAGE_NAME, dbt_project, is_integration_project, project_dir
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


# The connector tables without which a mode cannot score anyone (macros/connectors/*_tables.sql
# marks the same ones required; the rest are read when present).
CONNECTOR_REQUIRED = {
    "salesforce": {
        "lead": "the leads to score",
        "account": "firmographic features",
        "opportunity": "the labels: conversions are opportunities reaching a person",
    },
    "hubspot": {"contact": "the contacts to score"},
}
CONNECTOR_OPTIONAL = {
    "salesforce": "contact, opportunity_contact_role, task, event, campaign_member, campaign",
    "hubspot": (
        "company, contact_company, deal, deal_contact, deal_pipeline_stage, engagement, engagement_contact, "
        "engagement_email/call/meeting/note/task, contact_form_submission, email_event, contact_merge_audit"
    ),
}


def project_vars() -> dict:
    """The vars leadscore's models see, in dbt's order: the package's defaults, then the project's
    global vars, then the project's vars scoped to the package (`vars: {lead_scoring: {...}}`), then
    LEADSCORE_DBT_VARS (what `leadscore` passes to dbt with --vars)."""
    project = dbt_project()
    merged = dict(package_default_vars())
    project_level = project.get("vars") or {}
    merged.update(
        {
            name: value
            for name, value in project_level.items()
            if not isinstance(value, dict) or name != PACKAGE_NAME
        }
    )
    merged.update(project_level.get(PACKAGE_NAME) or {})
    merged.update(json.loads(os.environ.get("LEADSCORE_DBT_VARS") or "{}"))
    return merged


def package_default_vars() -> dict:
    """The package's own var defaults: its dbt_project.yml as `dbt deps` installed it in a host
    project (dbt_packages/<name>/, or the `local:` folder it links), or this repository's."""
    if is_integration_project():
        return dbt_project().get("vars") or {}
    for installed in sorted(
        (project_dir() / str(dbt_project().get("packages-install-path") or "dbt_packages")).glob(
            "*/dbt_project.yml"
        )
    ):
        package = yaml.safe_load(installed.read_text()) or {}
        if package.get("name") == PACKAGE_NAME:
            return package.get("vars") or {}
    return {}


def crm_table_names() -> tuple[str, dict[str, str]]:
    """The raw schema and table per CRM entity."""
    configured = project_vars()
    tables = {**CRM_TABLES, **(configured.get("leadscore_crm_tables") or {})}
    return str(configured.get("leadscore_raw_schema") or "raw"), tables


def check_connector_tables(warehouse: Warehouse, connector: str, configured: dict) -> dict[str, int]:
    """Row counts of a connector's required tables; raises DataError naming a missing or empty one."""
    schema = str(configured.get(f"leadscore_{connector}_schema") or connector)
    renamed = (configured.get("leadscore_connector_tables") or {}).get(connector) or {}
    counts: dict[str, int] = {}
    for table, why in CONNECTOR_REQUIRED[connector].items():
        identifier = renamed.get(table, table)
        relation = relation_name(schema, identifier, warehouse.target.sql_dialect)
        try:
            counts[table] = int(warehouse.query(f"select count(*) as n from {relation}")["n"].iloc[0])
        except Exception as error:
            raise DataError(
                f"{schema}.{identifier} (the {connector} connector's {table} table) cannot be read: "
                f"{str(error).splitlines()[0]}. It holds {why}. Sync it in your connector, point var "
                f"leadscore_{connector}_schema at the connector's schema, or rename it with var "
                f"leadscore_connector_tables: {{{connector}: {{{table}: <your table>}}}}. Required: "
                f"{', '.join(CONNECTOR_REQUIRED[connector])}; optional (read when present): "
                f"{CONNECTOR_OPTIONAL[connector]}."
            ) from error
        if counts[table] == 0:
            raise DataError(
                f"{schema}.{identifier} (the {connector} connector's {table} table) is empty: 0 rows. "
                f"It holds {why}. Check the connector's sync, then run again."
            )
    return counts


def check_crm_tables(warehouse: Warehouse) -> dict[str, int]:
    """Row counts per entity; raises DataError naming the table when one is missing or empty."""
    configured = project_vars()
    mode = configured.get("leadscore_input_mode") or "crm"
    if mode in CONNECTOR_REQUIRED:
        return check_connector_tables(warehouse, mode, configured)
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
                f"Load it there, or name your table with the dbt var leadscore_crm_tables: {{{entity}: <your table>}} "
                f"(and leadscore_raw_schema for the schema). It holds {WHY_NEEDED[entity]}."
            ) from error
        if counts[entity] == 0:
            raise DataError(
                f"{schema}.{table} (the CRM's {entity}) is empty: 0 rows. It holds {WHY_NEEDED[entity]}. "
                "Check the extract that loads it, then run again."
            )
    return counts
