"""Reasons in the warehouse against Shapley values in Python, on the same rows, in one run.

Per model size: the SQL TreeSHAP statement (transpile/shapley.py) and the Saabas one in DuckDB,
the scoring statement alone (what the reasons cost on top of it), LightGBM's pred_contrib (or
XGBoost's pred_contribs) and shap's TreeExplainer (tree_path_dependent) on a frame already in
memory, plus how far the SQL's values are from the library's and how large the statement is per
dialect (split into batches where a dialect's budget needs it). Nothing is asserted: timings are
reported, as every benchmark here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from leadscore.bench.data import ModelSize, feature_names, fit_model, random_rows
from leadscore.bench.report import machine_line
from leadscore.bench.runner import _duckdb_with_rows, median_seconds
from leadscore.bench.variants import KEY, TABLE
from leadscore.progress import console
from leadscore.threads import limited_threads, thread_count

DIALECTS = ("duckdb", "postgres", "bigquery", "snowflake", "trino", "spark")


@dataclass
class ReasonsResult:
    model: ModelSize
    rows: int
    shapley_sql_seconds: float
    shapley_plan_seconds: float  # the statement on zero rows: parsing, binding, planning
    saabas_sql_seconds: float
    score_sql_seconds: float
    library_seconds: float | None  # pred_contrib / pred_contribs
    shap_seconds: float | None
    shap_rows: int
    max_difference: float  # |SQL Shapley - the library's|, over every row
    sum_difference: float  # |bias + sum - log-odds|
    sql_chars: int
    statements: dict[str, tuple[int, int]] = field(default_factory=dict)  # dialect -> (parts, largest)


def _library_contributions(model: object, frame: pd.DataFrame) -> tuple[np.ndarray, float]:
    """The library's own Shapley values (raw-score units, without the expected value column) and
    its time."""
    started = time.perf_counter()
    if model.__class__.__name__.startswith("LGBM"):
        values = model.booster_.predict(frame, pred_contrib=True, num_threads=thread_count())[:, :-1]
    elif model.__class__.__name__.startswith("XGB"):
        import xgboost

        values = model.get_booster().predict(xgboost.DMatrix(frame), pred_contribs=True)[:, :-1]
    else:
        import shap

        values = np.asarray(
            shap.TreeExplainer(model, feature_perturbation="tree_path_dependent").shap_values(frame)
        )
        values = values[..., 1] if values.ndim == 3 else values
    return np.asarray(values, dtype=float), time.perf_counter() - started


def _shap_seconds(model: object, frame: pd.DataFrame) -> float | None:
    try:
        import shap
    except ImportError:
        return None
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    started = time.perf_counter()
    explainer.shap_values(frame)
    return time.perf_counter() - started


def run_model(
    connection, frame: pd.DataFrame, size: ModelSize, repeats: int, shap_rows: int
) -> ReasonsResult:
    from leadscore.transpile.explain import CONTRIBUTION_PREFIX, build_contribution_query
    from leadscore.transpile.query import build_scoring_query
    from leadscore.transpile.split import runnable_split
    from leadscore.transpile.statements import fit_model_statements
    from leadscore.warehouse.duckdb_warehouse import REASONS_DISABLED_OPTIMIZERS

    console.print(f"reasons: {size.label()}")
    features = feature_names()
    model = fit_model(size)
    shapley = build_contribution_query(model, [KEY], features, method="shapley")
    saabas = build_contribution_query(model, [KEY], features, method="saabas")
    score = build_scoring_query(model, [KEY], input_names=features)
    # As training fits them: split where a dialect's text budget or the planning budget needs it.
    fitted = fit_model_statements(model, [KEY], features, None, score, shapley, DIALECTS)
    served = fitted["contributions"]["duckdb"]

    def run(sql: str):
        return lambda: connection.execute(f"create or replace temp table bench_out as {sql}")

    def run_served(relation: str):
        """The DuckDB TreeSHAP statement as dbt runs it: its batches as tables, then the final one."""
        if served.split is None:
            return run(shapley.sql("duckdb", relation=relation))
        names = [f"bench_part_{index}" for index in range(len(served.split[0]))]
        parts, final = runnable_split(served.split, relation, names)

        def batches_then_final() -> None:
            for name, part in zip(names, parts, strict=True):
                connection.execute(f"create or replace temp table {name} as {part}")
            run(final)()

        return batches_then_final

    empty = f"(select * from {TABLE} limit 0)"
    # The reasons run with the optimizer settings dbt runs them with (reasons_session_settings).
    connection.execute(f"set disabled_optimizers = '{REASONS_DISABLED_OPTIMIZERS}'")
    plan_seconds = median_seconds(run_served(empty), 1)
    shapley_seconds = median_seconds(run_served(TABLE), repeats)
    # The last timed run's table: at a million rows, running the statement again costs minutes.
    got = connection.execute(f"select * from bench_out order by {KEY}").df()
    saabas_seconds = median_seconds(run(saabas.sql("duckdb", relation=TABLE)), repeats)
    connection.execute("reset disabled_optimizers")
    score_sql = score.sql("duckdb", relation=TABLE)
    score_seconds = median_seconds(run(score_sql), repeats)
    scored = connection.execute(f"select * from bench_out order by {KEY}").df()

    inputs = frame[features]
    with limited_threads():
        reference, library_seconds = _library_contributions(model, inputs)
        shap_seconds = _shap_seconds(model, inputs.head(shap_rows))
    scale = shapley.explained.scale
    values = got[[CONTRIBUTION_PREFIX + f for f in features]].to_numpy(float)
    total = got["bias"].to_numpy(float) + values.sum(axis=1)
    return ReasonsResult(
        model=size,
        rows=len(frame),
        shapley_sql_seconds=shapley_seconds,
        shapley_plan_seconds=plan_seconds,
        saabas_sql_seconds=saabas_seconds,
        score_sql_seconds=score_seconds,
        library_seconds=library_seconds,
        shap_seconds=shap_seconds,
        shap_rows=min(shap_rows, len(frame)),
        max_difference=float(np.abs(values - scale * reference).max()),
        sum_difference=float(np.abs(total - scored["log_odds"].to_numpy(float)).max()),
        sql_chars=len(served.text),
        statements={d: (s.size.parts, s.size.largest_part) for d, s in fitted["contributions"].items()},
    )


def run_reasons_benchmark(
    rows: int, sizes: list[ModelSize], repeats: int, shap_rows: int
) -> list[ReasonsResult]:
    """DuckDB gets the same thread count as the Python libraries (threads.py)."""
    frame = random_rows(rows)
    connection = _duckdb_with_rows(frame, thread_count())
    return [run_model(connection, frame, size, repeats, shap_rows) for size in sizes]


def _per_million(seconds: float | None, rows: int) -> str:
    return "-" if seconds is None or rows == 0 else f"{seconds * 1_000_000 / rows:,.0f}"


def render_reasons_section(results: list[ReasonsResult], machine: dict[str, str], command: str) -> str:
    rows = results[0].rows if results else 0
    lines = [
        "## Reasons: TreeSHAP in SQL vs in Python",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `{command}` (one run; medians of repeated timings).",
        machine_line(machine),
        "",
        f"{rows:,} rows x 20 numeric features in DuckDB (the scoring benchmark's rows); each model fitted on",
        "20,000 other rows. DuckDB and the libraries get the same thread count. `SQL TreeSHAP` is the",
        "reasons statement with exact path-dependent Shapley values (transpile/shapley.py), written into a",
        "table, planning included (`of which planning` runs it on zero rows); a statement over the planning",
        "budget (budgets.py, MAX_STATEMENT_TERMS) runs as dbt runs it, its batches built as tables and then",
        "the final statement over them (DuckDB parts > 1 in the second table); the reasons run with the",
        "optimizer passes dbt turns off for them (macros/scoring/scoring_session.sql). `library` is LightGBM's",
        "`pred_contrib` (XGBoost's `pred_contribs`; shap for scikit-learn) on a frame in memory; `shap` is",
        "`shap.TreeExplainer(model, feature_perturbation='tree_path_dependent')` on the first rows shown,",
        "scaled per million rows. Max diff: |SQL - library| over all rows, in raw-score units (shap and",
        "pred_contrib agree with each other). Ratios above 1 mean the SQL is slower. DuckDB parallelises a",
        "scan over row groups of 122,880 rows: on fewer rows it runs the statement on one thread.",
        "",
        "| model | SQL TreeSHAP s | of which planning s | library s | SQL / library | shap s per 1M rows (rows) | SQL s per 1M rows | Saabas SQL s | score SQL s | TreeSHAP / score | max diff | sum diff | SQL chars |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        ratio = result.shapley_sql_seconds / result.library_seconds if result.library_seconds else None
        shap_per_million = _per_million(result.shap_seconds, result.shap_rows)
        lines.append(
            f"| {result.model.label()} | {result.shapley_sql_seconds:.2f} | {result.shapley_plan_seconds:.2f} "
            f"| {result.library_seconds:.2f} | **{ratio:.2f}** | {shap_per_million} ({result.shap_rows:,}) "
            f"| {_per_million(result.shapley_sql_seconds, result.rows)} | {result.saabas_sql_seconds:.2f} "
            f"| {result.score_sql_seconds:.2f} | {result.shapley_sql_seconds / result.score_sql_seconds:.1f} "
            f"| {result.max_difference:.1e} | {result.sum_difference:.1e} | {result.sql_chars:,} |"
        )
    lines += [
        "",
        "Statement sizes of the TreeSHAP reasons per dialect: parts (1 = one statement; n = n batch statements",
        "and a final one) and the largest statement, in the dialect's unit (budgets.py).",
        "",
        "| model | " + " | ".join(DIALECTS) + " |",
        "| --- | " + " | ".join("---:" for _ in DIALECTS) + " |",
    ]
    for result in results:
        cells = [f"{parts} x {largest:,}" for parts, largest in (result.statements[d] for d in DIALECTS)]
        lines.append(f"| {result.model.label()} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
