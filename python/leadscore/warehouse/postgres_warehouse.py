"""Postgres, through psycopg2; bulk loads use COPY."""

from __future__ import annotations

import csv
import io

import pandas as pd
import psycopg2

from leadscore.warehouse.profiles import WarehouseTarget
from leadscore.warehouse.sql_names import quoted

NULL_MARKER = "\\N"


class PostgresWarehouse:
    def __init__(self, target: WarehouseTarget) -> None:
        self.target = target
        settings = target.settings
        self.connection = psycopg2.connect(
            host=settings["host"],
            port=int(settings.get("port", 5432)),
            user=settings["user"],
            password=settings.get("password") or settings.get("pass", ""),
            dbname=settings.get("dbname") or settings["database"],
            # What this session runs is the generated SQL (training's parity and reasons checks) and
            # plain reads. PostgreSQL's JIT compiles the former for far longer than it runs it (a
            # 1000-tree CASE: 31 s against 6 s, BENCHMARKS.md; the demo's TreeSHAP reasons on 1,000
            # rows: stopped after 17 minutes and 5 GB, against 9.4 s), so it is off, as the dbt
            # scoring models have it (macros/scoring/scoring_session.sql).
            options="-c jit=off",
        )
        self.connection.autocommit = True

    def query(self, sql: str) -> pd.DataFrame:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            names = [column.name for column in cursor.description]
            return pd.DataFrame.from_records(cursor.fetchall(), columns=names)

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)

    def write_frame(
        self, schema: str, table: str, frame: pd.DataFrame, columns: dict[str, str], append: bool
    ) -> None:
        name = f"{quoted(schema)}.{quoted(table)}"
        with self.connection.cursor() as cursor:
            cursor.execute(f"create schema if not exists {quoted(schema)}")
            if not append:
                definition = ", ".join(f"{quoted(column)} {sql_type}" for column, sql_type in columns.items())
                cursor.execute(f"drop table if exists {name} cascade")
                cursor.execute(f"create table {name} ({definition})")
            buffer = io.StringIO()
            frame[list(columns)].to_csv(
                buffer, index=False, header=False, na_rep=NULL_MARKER, quoting=csv.QUOTE_MINIMAL
            )
            buffer.seek(0)
            column_list = ", ".join(quoted(column) for column in columns)
            cursor.copy_expert(
                f"copy {name} ({column_list}) from stdin with (format csv, null '{NULL_MARKER}')", buffer
            )

    def close(self) -> None:
        self.connection.close()
