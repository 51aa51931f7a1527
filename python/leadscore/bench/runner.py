"""One benchmark run: every model size, every SQL form, scikit-learn and orbital, on the same rows
of the same warehouse. Timings are medians of repeated runs; nothing is asserted (noisy machines),
everything is reported."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from leadscore.bench.data import (
    ModelSize,
    boundary_rows,
    feature_names,
    fit_model,
    random_rows,
    with_typed_inputs,
)
from leadscore.bench.variants import KEY, TABLE, SqlVariant, orbital_variant, our_variants
from leadscore.progress import console
from leadscore.threads import limited_threads, thread_count

EXACT = 1e-9


@dataclass
class VariantResult:
    name: str
    description: str
    seconds: float | None
    sql_chars: int
    compile_seconds: float
    max_difference: float | None  # on the random rows
    wrong_near_thresholds: int | None  # rows off by more than 1e-9 among the boundary rows
    error: str | None = None
    # Of the random rows off by more than 1e-9, those whose difference is XGBoost's float32 expf
    # alone (bench/xgboost_expf.py: the SQL's margin gives predict_proba through the C library's expf
    # and the SQL's probability through a correctly rounded exp). Counted for XGBoost's chained CASE.
    wrong_rows: int | None = None
    wrong_explained_by_expf: int | None = None


@dataclass
class ModelResult:
    model: ModelSize
    rows: int
    sklearn_seconds: float
    sklearn_with_read_seconds: float
    boundary_rows: int
    variants: list[VariantResult] = field(default_factory=list)

    def variant(self, name: str) -> VariantResult | None:
        return next((v for v in self.variants if v.name == name), None)


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    action()  # warm-up
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _probabilities(connection: duckdb.DuckDBPyConnection, variant: SqlVariant, table: str) -> np.ndarray:
    sql = variant.sql.replace(TABLE, table)
    if variant.name == "orbital":
        return connection.sql(f'select "output_probability.1" as p from ({sql})').fetchnumpy()["p"]
    return connection.sql(f"select probability as p from ({sql}) order by {KEY}").fetchnumpy()["p"]


def run_model(
    connection: duckdb.DuckDBPyConnection, rows: pd.DataFrame, size: ModelSize, repeats: int
) -> ModelResult:
    console.print(f"[bold]{size.label()}[/]: fitting")
    model = fit_model(size)
    X = rows[feature_names()]
    expected = model.predict_proba(X)[:, 1]
    sklearn_seconds = median_seconds(lambda: model.predict_proba(X), repeats)
    sklearn_read = median_seconds(
        lambda: model.predict_proba(connection.sql(f"select * from {TABLE}").df()[feature_names()]), repeats
    )

    edges = boundary_rows(model, rows.head(1000))
    connection.register("edges_frame", edges)
    connection.execute("create or replace table bench_edges as select * from edges_frame order by row_id")
    edges_expected = model.predict_proba(edges[feature_names()])[:, 1]

    result = ModelResult(size, len(rows), sklearn_seconds, sklearn_read, len(edges))
    variants = our_variants(model)
    orbital = orbital_variant(model)
    if orbital is not None:
        variants.append(orbital)
    for variant in variants:
        console.print(f"  {variant.name}")
        if not variant.sql:
            result.variants.append(
                VariantResult(
                    variant.name,
                    variant.description,
                    None,
                    0,
                    variant.compile_seconds,
                    None,
                    None,
                    variant.description,
                )
            )
            continue
        try:
            seconds = median_seconds(
                lambda v=variant: connection.execute(f"create or replace temp table scored as {v.sql}"),
                repeats,
            )
            got = _probabilities(connection, variant, TABLE)
            edge_got = _probabilities(connection, variant, "bench_edges")
            wrong = np.flatnonzero(np.abs(got - expected) > EXACT)
            explained = (
                _explained_by_expf(connection, model, got, expected, wrong)
                if size.family == "xgboost" and variant.name == "chained_case"
                else None
            )
            result.variants.append(
                VariantResult(
                    variant.name,
                    variant.description,
                    seconds,
                    len(variant.sql),
                    variant.compile_seconds,
                    float(np.abs(got - expected).max()),
                    int((np.abs(edge_got - edges_expected) > EXACT).sum()),
                    wrong_rows=len(wrong),
                    wrong_explained_by_expf=explained,
                )
            )
        except duckdb.Error as error:
            result.variants.append(
                VariantResult(
                    variant.name,
                    variant.description,
                    None,
                    len(variant.sql),
                    variant.compile_seconds,
                    None,
                    None,
                    str(error).splitlines()[0][:160],
                )
            )
    return result


def _explained_by_expf(
    connection: duckdb.DuckDBPyConnection,
    model: object,
    got: np.ndarray,
    expected: np.ndarray,
    wrong: np.ndarray,
) -> int:
    """How many of the wrong rows are XGBoost's float32 expf alone, read with the SQL's own margin."""
    from leadscore.bench.xgboost_expf import explained_by_expf
    from leadscore.transpile.query import build_scoring_query

    query = build_scoring_query(model, [KEY], input_names=feature_names())
    margins = connection.sql(f"select raw_score from ({query.sql('duckdb', relation=TABLE)}) order by {KEY}")
    margin = margins.fetchnumpy()["raw_score"].astype(float)
    return sum(explained_by_expf(float(expected[row]), float(got[row]), float(margin[row])) for row in wrong)


def _duckdb_with_rows(frame: pd.DataFrame, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the benchmark rows in key order."""
    connection = duckdb.connect()
    if threads:
        connection.execute(f"set threads = {int(threads)}")
    connection.register("rows_frame", frame)
    connection.execute(f"create table {TABLE} as select * from rows_frame order by {KEY}")
    connection.unregister("rows_frame")
    return connection


def run_benchmark(
    rows: int, sizes: list[ModelSize], repeats: int, threads: int | None = None
) -> list[ModelResult]:
    """DuckDB gets the same thread count as the Python libraries (threads.py) unless told otherwise."""
    frame = random_rows(rows)
    connection = _duckdb_with_rows(frame, threads or thread_count())
    with limited_threads(threads):
        return [run_model(connection, frame, size, repeats) for size in sizes]


@dataclass
class PostgresResult:
    model: ModelSize
    rows: int
    sql_seconds: float | None  # the server's default, jit = on (None: stopped at jit_timeout_seconds)
    sql_seconds_jit_off: float  # what the dbt models run with (macros/scoring/scoring_session.sql)
    jit_timeout_seconds: float  # where a jit-on run was stopped
    sklearn_with_read_seconds: float
    max_difference: float
    duckdb_seconds: float


JIT_TIMEOUT_FLOOR_SECONDS = 60.0
JIT_TIMEOUT_FACTOR = 20.0


def run_postgres(rows: int, sizes: list[ModelSize], repeats: int) -> list[PostgresResult]:
    """Our SQL on a throwaway local PostgreSQL (skipped when the server binaries are missing)."""
    import tempfile
    from pathlib import Path

    import psycopg2.errors

    from leadscore.transpile.dialects import dialect
    from leadscore.transpile.query import build_model_query
    from leadscore.warehouse.local_postgres import LocalPostgres, postgres_bin_dir
    from leadscore.warehouse.postgres_warehouse import PostgresWarehouse
    from leadscore.warehouse.profiles import WarehouseTarget

    if postgres_bin_dir() is None:
        return []
    server = LocalPostgres(Path(tempfile.mkdtemp(prefix="leadscore-bench-")) / "postgres").start()
    try:
        server.create_database("bench")
        postgres = PostgresWarehouse(
            WarehouseTarget(
                "bench",
                {
                    "type": "postgres",
                    "host": "127.0.0.1",
                    "port": server.port,
                    "user": server.user,
                    "dbname": "bench",
                },
            )
        )
        frame = random_rows(rows)
        columns = {KEY: "bigint", **{c: "double precision" for c in feature_names()}}
        postgres.write_frame("public", TABLE, frame, columns, append=False)
        postgres.execute(f"analyze {TABLE}")
        duck = _duckdb_with_rows(frame)
        results = []
        for size in sizes:
            console.print(f"[bold]postgres[/]: {size.label()}, {rows:,} rows")
            model = fit_model(size)
            query = build_model_query(with_typed_inputs(model), feature_names(), TABLE, KEY)
            postgres_sql, duck_sql = (
                query.sql(dialect=dialect("postgres")),
                query.sql(dialect=dialect("duckdb")),
            )

            def score(sql=postgres_sql) -> None:
                postgres.execute(f"drop table if exists scored; create table scored as {sql}")

            def read_and_predict(model=model) -> None:
                model.predict_proba(postgres.query(f"select * from {TABLE}")[feature_names()])

            postgres.execute("set jit = off")
            seconds_jit_off = median_seconds(score, repeats)
            # JIT compiles every CASE of a big ensemble before the first row and can take many minutes
            # (the reason the dbt models switch it off): one timed run, stopped at a bound.
            jit_timeout = max(JIT_TIMEOUT_FLOOR_SECONDS, JIT_TIMEOUT_FACTOR * seconds_jit_off)
            postgres.execute(f"set jit = on; set statement_timeout = {int(jit_timeout * 1000)}")
            started = time.perf_counter()
            try:
                score()
                seconds = time.perf_counter() - started
            except psycopg2.errors.QueryCanceled:
                seconds = None
            postgres.execute("set jit = off; set statement_timeout = 0")
            got = postgres.query(f"select probability from scored order by {KEY}")["probability"].to_numpy(
                float
            )
            results.append(
                PostgresResult(
                    size,
                    rows,
                    seconds,
                    seconds_jit_off,
                    jit_timeout,
                    median_seconds(read_and_predict, repeats),
                    float(np.abs(got - model.predict_proba(frame[feature_names()])[:, 1]).max()),
                    median_seconds(
                        lambda duck_sql=duck_sql: duck.execute(
                            f"create or replace temp table scored as {duck_sql}"
                        ),
                        repeats,
                    ),
                )
            )
        postgres.close()
        return results
    finally:
        server.stop()


@dataclass
class SparkResult:
    model: ModelSize
    rows: int
    sql_seconds: float  # whole-stage code generation off, as the dbt scoring models run
    sql_seconds_whole_stage: float  # Spark's default (falls back when the fused method passes 64 KB)
    sklearn_with_read_seconds: float  # the rows collected into pandas, then predict_proba
    max_difference: float


def run_spark(rows: int, sizes: list[ModelSize], repeats: int) -> list[SparkResult]:
    """Our SQL on Apache Spark in local mode (the profile's `spark` target, its catalog in a
    throwaway folder) against reading the same rows into Python and calling predict_proba."""
    import os
    import tempfile

    from leadscore.transpile.dialects import dialect
    from leadscore.transpile.query import build_model_query
    from leadscore.warehouse.profiles import load_target
    from leadscore.warehouse.spark_warehouse import SparkWarehouse

    os.environ["LEADSCORE_SPARK_DIR"] = tempfile.mkdtemp(prefix="leadscore-bench-spark-")
    spark = SparkWarehouse(load_target("spark"))
    try:
        frame = random_rows(rows)
        columns = {KEY: "bigint", **{c: "double precision" for c in feature_names()}}
        spark.write_frame("bench", TABLE, frame, columns, append=False)
        results = []
        for size in sizes:
            console.print(f"[bold]spark[/]: {size.label()}, {rows:,} rows")
            model = fit_model(size)
            sql = build_model_query(with_typed_inputs(model), feature_names(), f"bench.{TABLE}", KEY).sql(
                dialect=dialect("spark")
            )

            def score(sql=sql) -> None:
                spark.execute("drop table if exists bench.scored")
                spark.execute(f"create table bench.scored using parquet as {sql}")

            def read_and_predict(model=model) -> None:
                model.predict_proba(spark.query(f"select * from bench.{TABLE}")[feature_names()])

            spark.session.conf.set("spark.sql.codegen.wholeStage", "true")
            whole_stage = median_seconds(score, repeats)
            spark.session.conf.set("spark.sql.codegen.wholeStage", "false")
            seconds = median_seconds(score, repeats)
            got = spark.query(f"select probability from bench.scored order by {KEY}")["probability"].to_numpy(
                float
            )
            results.append(
                SparkResult(
                    size,
                    rows,
                    seconds,
                    whole_stage,
                    median_seconds(read_and_predict, repeats),
                    float(np.abs(got - model.predict_proba(frame[feature_names()])[:, 1]).max()),
                )
            )
        return results
    finally:
        spark.close()
