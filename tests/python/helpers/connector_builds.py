"""Build the project in one input mode on data written by a test: a project copy, a DuckDB file, vars."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from conftest import Environment, copy_project

FIVETRAN_SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "fivetran"


@dataclass
class ModeBuild:
    project: Path
    database: Path
    dbt_vars: dict[str, object]

    def environment(self) -> dict[str, str]:
        return {
            "LEADSCORE_TARGET": "duckdb",
            "LEADSCORE_DUCKDB_PATH": str(self.database),
            "LEADSCORE_PROJECT_DIR": str(self.project),
            "DBT_PROFILES_DIR": str(self.project / "profiles"),
            "LEADSCORE_DBT_VARS": json.dumps(self.dbt_vars),
        }

    def dbt(self, *arguments: str, check: bool = True):
        from leadscore.dbt_invocation import run_dbt

        with Environment(self.environment()):
            return run_dbt(list(arguments), f"dbt {arguments[0]}", target="duckdb", check=check)

    def query(self, sql: str) -> pd.DataFrame:
        connection = duckdb.connect(str(self.database), read_only=True)
        try:
            return connection.execute(sql).df()
        finally:
            connection.close()

    def execute(self, sql: str) -> None:
        connection = duckdb.connect(str(self.database))
        try:
            connection.execute(sql)
        finally:
            connection.close()

    def run_results(self) -> dict[str, str]:
        """Node name -> status of the last dbt invocation."""
        results = json.loads((self.project / "target" / "run_results.json").read_text())["results"]
        # unique_id: <resource>.<package>.<name>[.<hash> for tests]
        return {result["unique_id"].split(".")[2]: result["status"] for result in results}


def prepare(folder: Path, dbt_vars: dict[str, object]) -> ModeBuild:
    folder.mkdir(parents=True, exist_ok=True)
    return ModeBuild(
        project=copy_project(folder / "project"), database=folder / "warehouse.duckdb", dbt_vars=dbt_vars
    )


def build_demo_shape(
    folder: Path,
    shape: str,
    leads: int,
    seed: int,
    mutate: Callable[[ModeBuild], None] | None = None,
) -> ModeBuild:
    """The demo CRM written in one shape (native, salesforce, hubspot), built with that shape's vars."""
    from leadscore.demo_data.generator import GeneratorConfig
    from leadscore.demo_data.load import load_demo_data
    from leadscore.demo_data.shapes import SHAPE_VARS
    from leadscore.warehouse import connect

    build = prepare(folder, dict(SHAPE_VARS[shape]))
    with Environment(build.environment()):
        warehouse = connect("duckdb")
        try:
            load_demo_data(warehouse, GeneratorConfig(leads=leads, seed=seed), shape=shape)
        finally:
            warehouse.close()
    if mutate:
        mutate(build)
    build.dbt("build")
    return build


def load_fivetran_seeds(build: ModeBuild, connector: str) -> dict[str, int]:
    """Fivetran's integration-test seeds as a CSV extract lands them (every column text); rows per table."""
    counts = {}
    connection = duckdb.connect(str(build.database))
    try:
        connection.execute(f"create schema if not exists {connector}")
        for path in sorted((FIVETRAN_SEEDS / connector).glob("*.csv")):
            connection.execute(
                f"create or replace table {connector}.{path.stem} as "
                f"select * from read_csv('{path}', all_varchar = true, header = true)"
            )
            counts[path.stem] = connection.execute(
                f"select count(*) from {connector}.{path.stem}"
            ).fetchone()[0]
    finally:
        connection.close()
    return counts
