"""The embedded default."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from leadscore.warehouse.profiles import WarehouseTarget
from leadscore.warehouse.sql_names import quoted


class DuckDBWarehouse:
    def __init__(self, target: WarehouseTarget, read_only: bool = False) -> None:
        self.target = target
        path = Path(target.settings["path"])
        if read_only and not path.exists():
            raise FileNotFoundError(
                f"no DuckDB warehouse at {path}: run `make demo` (or `leadscore generate`) first"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = duckdb.connect(str(path), read_only=read_only)

    def query(self, sql: str) -> pd.DataFrame:
        return self.connection.sql(sql).df()

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def write_frame(
        self, schema: str, table: str, frame: pd.DataFrame, columns: dict[str, str], append: bool
    ) -> None:
        name = f"{quoted(schema)}.{quoted(table)}"
        self.connection.execute(f"create schema if not exists {quoted(schema)}")
        if not append:
            definition = ", ".join(f"{quoted(column)} {sql_type}" for column, sql_type in columns.items())
            self.connection.execute(f"create or replace table {name} ({definition})")
        self.connection.register("incoming_frame", frame[list(columns)])
        self.connection.execute(f"insert into {name} select * from incoming_frame")
        self.connection.unregister("incoming_frame")

    def close(self) -> None:
        self.connection.close()
