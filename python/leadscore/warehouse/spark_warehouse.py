"""Apache Spark in local mode, the way dbt-spark's `session` method runs it: the same builder, the
same `server_side_parameters` from the profile, so Python and dbt see one catalog.

The catalog is Hive on embedded Derby, which one JVM at a time may open. dbt runs as a subprocess
with a JVM of its own, so `close()` stops this process's JVM, not only its SparkSession: a
leadscore step that reads the warehouse and then runs dbt must not hold the catalog's lock."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from leadscore.paths import project_dir
from leadscore.warehouse.profiles import WarehouseTarget
from leadscore.warehouse.sql_names import quoted

# The column types the Python steps write (generator, adversarial rows) -> Spark SQL types.
SPARK_TYPES = {
    "double precision": "double",
    "double": "double",
    "varchar": "string",
    "text": "string",
    "bigint": "bigint",
    "integer": "int",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "date": "date",
}


class SparkWarehouse:
    def __init__(self, target: WarehouseTarget) -> None:
        from pyspark.sql import SparkSession

        self.target = target
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # never bind the external interface
        builder = SparkSession.builder.enableHiveSupport()
        for parameter, value in (target.settings.get("server_side_parameters") or {}).items():
            builder = builder.config(parameter, str(value))
        # The JVM starts in the project folder, as dbt's does, so relative catalog paths agree.
        with contextlib.chdir(project_dir()):
            self.session = builder.getOrCreate()
        self.session.sparkContext.setLogLevel("ERROR")
        # What this session runs is the generated scoring SQL and plain reads: whole-stage code
        # generation only fails on the former (64 KB method limit) and falls back (macros/scoring/).
        self.session.conf.set("spark.sql.codegen.wholeStage", "false")
        self._staging = Path(tempfile.mkdtemp(prefix="leadscore_spark_"))

    def query(self, sql: str) -> pd.DataFrame:
        frame = self.session.sql(sql)
        rows = frame.collect()
        return pd.DataFrame.from_records([tuple(row) for row in rows], columns=frame.columns)

    def execute(self, sql: str) -> None:
        self.session.sql(sql).collect()

    def write_frame(
        self, schema: str, table: str, frame: pd.DataFrame, columns: dict[str, str], append: bool
    ) -> None:
        """Through a Parquet file written by DuckDB with the declared types (exact doubles, UTC
        timestamps), read back by Spark with the same casts: no Arrow, no per-row Python."""
        name = f"{quoted(schema, 'spark')}.{quoted(table, 'spark')}"
        parquet = self._staging / f"{schema}.{table}.{len(list(self._staging.iterdir()))}.parquet"
        with duckdb.connect() as local:
            local.register("incoming_frame", frame[list(columns)])
            typed = ", ".join(
                f"cast({quoted(column)} as {sql_type}) as {quoted(column)}"
                for column, sql_type in columns.items()
            )
            local.execute(f"copy (select {typed} from incoming_frame) to '{parquet}' (format parquet)")
        casts = ", ".join(
            f"cast({quoted(column, 'spark')} as {SPARK_TYPES.get(sql_type, sql_type)}) as {quoted(column, 'spark')}"
            for column, sql_type in columns.items()
        )
        source = f"select {casts} from parquet.`{parquet}`"
        self.execute(f"create database if not exists {quoted(schema, 'spark')}")
        if append:
            self.execute(f"insert into {name} {source}")
        else:
            self.execute(f"drop table if exists {name}")
            self.execute(f"create table {name} using parquet as {source}")

    def close(self) -> None:
        """Stops Spark and its JVM, which releases the Derby catalog for the next process."""
        from pyspark import SparkContext

        self.session.stop()
        gateway = SparkContext._gateway
        if gateway is not None:
            gateway.shutdown()
            process = getattr(gateway, "proc", None)
            if process is not None:
                process.stdin.close()
                process.wait(timeout=60)
            SparkContext._gateway = None
            SparkContext._jvm = None
        for leftover in self._staging.iterdir():
            leftover.unlink()
        self._staging.rmdir()
