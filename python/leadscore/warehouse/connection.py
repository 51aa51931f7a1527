"""One small interface over the warehouses Python needs to touch."""

from __future__ import annotations

from typing import Protocol

import pandas as pd

from leadscore.warehouse.profiles import WarehouseTarget, load_target


class WarehouseBusyError(RuntimeError):
    """The embedded warehouse file is locked by another process (DuckDB allows one writer)."""


class Warehouse(Protocol):
    target: WarehouseTarget

    def query(self, sql: str) -> pd.DataFrame: ...

    def execute(self, sql: str) -> None: ...

    def write_frame(
        self, schema: str, table: str, frame: pd.DataFrame, columns: dict[str, str], append: bool
    ) -> None:
        """Create (or append to) schema.table with the given column types and load the frame's rows."""

    def close(self) -> None: ...


# The pip extra that brings each adapter's driver.
DRIVER_EXTRAS = {
    "duckdb": ("duckdb", "duckdb"),
    "postgres": ("psycopg2", "postgres"),
    "spark": ("pyspark", "spark"),
}


def connect(target: str | WarehouseTarget | None = None, read_only: bool = False) -> Warehouse:
    resolved = target if isinstance(target, WarehouseTarget) else load_target(target)
    if resolved.adapter in DRIVER_EXTRAS:
        import importlib.util

        module, extra = DRIVER_EXTRAS[resolved.adapter]
        if importlib.util.find_spec(module) is None:
            from leadscore.paths import ProjectError

            raise ProjectError(
                f"target {resolved.name!r} uses {resolved.adapter}, whose Python driver ({module}) is not "
                f"installed: pip install 'leadscore[{extra}]'"
            )
    if resolved.adapter == "duckdb":
        from leadscore.warehouse.duckdb_warehouse import DuckDBWarehouse

        return DuckDBWarehouse(resolved, read_only=read_only, busy_error=WarehouseBusyError)
    if resolved.adapter == "postgres":
        from leadscore.warehouse.postgres_warehouse import PostgresWarehouse

        return PostgresWarehouse(resolved)
    if resolved.adapter == "spark" and resolved.settings.get("method") == "session":
        from leadscore.warehouse.spark_warehouse import SparkWarehouse

        return SparkWarehouse(resolved)
    raise NotImplementedError(
        f"target {resolved.name!r} uses the {resolved.adapter} adapter; leadscore's Python steps (demo data, "
        "training) read DuckDB, Postgres and Spark (session method) directly. For other warehouses export the training mart to a "
        "DuckDB file or use `leadscore train --training-set-file`."
    )
