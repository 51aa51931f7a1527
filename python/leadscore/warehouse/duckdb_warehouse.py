"""The embedded default."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from leadscore.paths import ProjectError
from leadscore.warehouse.profiles import WarehouseTarget
from leadscore.warehouse.sql_names import quoted

# Optimizer passes off while DuckDB runs a reasons statement, as dbt runs int_lead_score_contributions
# (macros/scoring/scoring_session.sql, duckdb__reasons_session_settings, says why and what it saved).
REASONS_DISABLED_OPTIMIZERS = "expression_rewriter,statistics_propagation,unused_columns"


class DuckDBWarehouse:
    def __init__(
        self, target: WarehouseTarget, read_only: bool = False, busy_error: type[Exception] = RuntimeError
    ) -> None:
        self.target = target
        path = Path(target.settings["path"])
        if read_only and not path.exists():
            raise FileNotFoundError(
                f"no DuckDB warehouse at {path}: run `make demo` (or `leadscore generate`) first"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            holder = re.search(r"PID (\d+)", str(error))
            raise busy_error(
                f"another process{f' (PID {holder.group(1)})' if holder else ''} holds the DuckDB warehouse "
                f"{path}: a `leadscore` or `dbt` command is still running (dbt build, leadscore train, sync "
                "or a BI tool with the file open). Wait for it to finish, or close it, and run this again; "
                "nothing was changed."
            ) from None
        self._apply_profile_settings(path)

    def _apply_profile_settings(self, path: Path) -> None:
        """The profile's `settings:` (memory_limit, threads, ...), as dbt-duckdb applies them to dbt's
        connections: training and the parity checks then run under the same memory cap as the
        dbt build (LEADSCORE_DUCKDB_MEMORY_LIMIT in the shipped profile), not DuckDB's 80% of RAM.
        A setting DuckDB does not have until an extension is loaded (s3_region with httpfs) is left
        to dbt, which loads the profile's extensions: these connections read local tables only,
        and setting it here would make DuckDB try to download the extension."""
        known = {row[0] for row in self.connection.execute("select name from duckdb_settings()").fetchall()}
        for name, value in (self.target.settings.get("settings") or {}).items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(name)):
                self.connection.close()
                raise ProjectError(
                    f"profiles.yml: target {self.target.name!r} has a DuckDB setting named {name!r}, "
                    "which is not a setting name; remove it from `settings:`"
                )
            if name not in known:
                continue
            literal = "'" + str(value).replace("'", "''") + "'"
            try:
                self.connection.execute(f"set {name} = {literal}")
            except duckdb.Error as error:
                self.connection.close()
                raise ProjectError(
                    f"profiles.yml: target {self.target.name!r} sets DuckDB's {name} to {str(value)!r}, "
                    f"which DuckDB refuses for {path}: {str(error).splitlines()[0]}. Fix the value under "
                    "`settings:` (the shipped profile reads memory_limit from LEADSCORE_DUCKDB_MEMORY_LIMIT, "
                    "e.g. 4GB)"
                ) from None

    def query(self, sql: str) -> pd.DataFrame:
        # execute, not sql(): the relational API binds the statement to learn its columns and then
        # plans it again to run it. A TreeSHAP reasons statement takes DuckDB seconds to plan
        # (measured on the demo's LightGBM: 45.6 s through sql().df(), 32.1 s through execute().df()).
        return self.connection.execute(sql).df()

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


@contextmanager
def reasons_session(warehouse: object) -> Iterator[None]:
    """Run a reasons statement with the settings dbt runs it with; the setting is reset after,
    whatever happens. A no-op off DuckDB: leadscore's PostgreSQL and Spark sessions already run with
    the scoring settings (JIT off, whole-stage codegen off) from their connection on."""
    if not isinstance(warehouse, DuckDBWarehouse):
        yield
        return
    warehouse.execute(f"set disabled_optimizers = '{REASONS_DISABLED_OPTIMIZERS}'")
    try:
        yield
    finally:
        warehouse.execute("reset disabled_optimizers")
