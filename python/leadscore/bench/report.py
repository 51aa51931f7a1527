"""BENCHMARKS.md from one run's results."""

from __future__ import annotations

from datetime import UTC, datetime

from leadscore.bench.machine import machine_line
from leadscore.bench.runner import ModelResult, PostgresResult, SparkResult


def _s(value: float | None) -> str:
    return "failed" if value is None else f"{value:.2f}"


def _ratio(numerator: float | None, denominator: float | None) -> str:
    return "n/a" if numerator is None or not denominator else f"{numerator / denominator:.2f}"


def _count(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def _diff(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0e}"


def render_scoring_section(results: list[ModelResult], machine: dict[str, str], command: str) -> str:
    rows = results[0].rows if results else 0
    lines = [
        "## In-warehouse scoring vs scikit-learn / LightGBM and orbital",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `{command}` (one run; medians of repeated timings).",
        machine_line(machine),
        "",
        f"{rows:,} rows x 20 numeric features in DuckDB; each model fitted on 20,000 other rows. Python and",
        "DuckDB get the same thread count (`LEADSCORE_THREADS`, default: the machine's cores).",
        "`leadscore` = the SQL the product generates (CASE chained along each tree's heavier side, exact",
        "thresholds, NULL-as-lowest/highest copies of nullable inputs, balanced sum), written into a table.",
        "Python = `predict_proba` on a DataFrame already in memory; `+ read` adds reading the rows out of",
        "DuckDB first (what a Python scoring job pays, before writing the scores back). Ratios below 1 mean",
        "the SQL is faster. Max diff is |SQL - predict_proba| over all rows; `near thresholds` counts wrong",
        "rows (off by more than 1e-9) among rows placed on every split's threshold (its float32 boundary for",
        "scikit-learn's float32 trees) and one double either side.",
        "",
        "| model | trees | leaves / depth | Python s | + read s | leadscore s | ratio vs Python | ratio vs Python + read | orbital s | orbital / leadscore | SQL chars leadscore / orbital | compile s leadscore / orbital | max diff leadscore / orbital | wrong near thresholds leadscore / orbital (of n) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        ours, orbital = result.variant("chained_case"), result.variant("orbital")
        orbital_seconds = orbital.seconds if orbital else None
        model = result.model
        lines.append(
            f"| {model.family} | {model.trees} | {model.size} {model.size_name} | {result.sklearn_seconds:.2f} | {result.sklearn_with_read_seconds:.2f} | {_s(ours.seconds)} "
            f"| **{_ratio(ours.seconds, result.sklearn_seconds)}** | {_ratio(ours.seconds, result.sklearn_with_read_seconds)} "
            f"| {_s(orbital_seconds)} | {_ratio(orbital_seconds, ours.seconds)} "
            f"| {ours.sql_chars:,} / {orbital.sql_chars if orbital else 0:,} | {ours.compile_seconds:.2f} / {orbital.compile_seconds if orbital else 0:.2f} "
            f"| {_diff(ours.max_difference)} / {_diff(orbital.max_difference if orbital else None)} "
            f"| {ours.wrong_near_thresholds} / {_count(orbital.wrong_near_thresholds if orbital else None)} (of {result.boundary_rows:,}) |"
        )
    lines += [
        "",
        "### The SQL forms we weighed (same run, DuckDB seconds; wrong near thresholds in brackets)",
        "",
    ]
    names = list(dict.fromkeys(v.name for r in results for v in r.variants))
    lines.append("| model | trees | leaves / depth | " + " | ".join(names) + " |")
    lines.append("| --- | ---: | ---: | " + " | ".join("---:" for _ in names) + " |")
    for result in results:
        cells = []
        for name in names:
            variant = result.variant(name)
            if variant is None:
                cells.append("n/a")
            elif variant.seconds is not None:
                cells.append(f"{variant.seconds:.2f} [{variant.wrong_near_thresholds}]")
            else:
                cells.append("not run" if variant.sql_chars == 0 else "failed")
        model = result.model
        lines.append(f"| {model.family} | {model.trees} | {model.size} | " + " | ".join(cells) + " |")
    lines += [""]
    described: set[str] = set()
    for result in results:
        for variant in result.variants:
            if variant.name not in described and not variant.description.startswith(
                ("not run", "orbital failed")
            ):
                described.add(variant.name)
                lines.append(f"- `{variant.name}`: {variant.description}.")
    for result in results:
        ours = result.variant("chained_case")
        if ours is not None and ours.wrong_rows and ours.wrong_explained_by_expf is not None:
            wrong, explained = ours.wrong_rows, ours.wrong_explained_by_expf
            lines.append(
                f"- {result.model.label()}: {wrong:,} of {result.rows:,} rows off by more than 1e-9, "
                f"{explained:,} of them XGBoost's float32 `expf` alone (its predict_proba takes the C "
                "library's expf, the SQL a correctly rounded exp; the SQL's margin gives both results bit for "
                "bit: bench/xgboost_expf.py)."
            )
    failures = [(r, v) for r in results for v in r.variants if v.error]
    for result, variant in failures:
        lines.append(f"- {variant.name} at {result.model.label()}: {variant.error}")
    return "\n".join(lines) + "\n"


TYPED_INPUTS_NOTE = (
    "The SQL is the product's: the model behind the coercer that declares its inputs numbers, as the"
    " trained pipelines do (`bench/data.py` with_typed_inputs); Python calls the bare model."
)


def render_postgres_section(results: list[PostgresResult], machine: dict[str, str], command: str) -> str:
    lines = [
        "## PostgreSQL: the same generated SQL, Postgres dialect",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `{command}` on a throwaway local PostgreSQL server",
        "(default settings). PostgreSQL's JIT compiles the large CASE expressions of a tree ensemble;",
        "the dbt scoring models switch it off for their transaction (`macros/scoring/scoring_session.sql`).",
        "`jit off` is the median of the timed runs; `jit on` is one run, stopped at 20x the jit-off time",
        "(at least 60 s) and shown as `> bound` when it got there. `Python / SQL` compares jit off with",
        "Python reading the rows from Postgres and calling predict_proba (above 1: the SQL is faster).",
        TYPED_INPUTS_NOTE,
        machine_line(machine),
        "",
        "| model | trees | leaves / depth | rows | Postgres SQL s, jit off | jit on | Python + read from Postgres s"
        " | Python / SQL | DuckDB SQL s (same rows) | max diff |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for item in results:
        jit_on = (
            f"{item.sql_seconds:.2f}" if item.sql_seconds is not None else f"> {item.jit_timeout_seconds:.0f}"
        )
        lines.append(
            f"| {item.model.family} | {item.model.trees} | {item.model.size} | {item.rows:,}"
            f" | {item.sql_seconds_jit_off:.2f} | {jit_on} | {item.sklearn_with_read_seconds:.2f}"
            f" | {item.sklearn_with_read_seconds / item.sql_seconds_jit_off:.1f}x"
            f" | {item.duckdb_seconds:.2f} | {item.max_difference:.0e} |"
        )
    return "\n".join(lines) + "\n"


def render_spark_section(results: list[SparkResult], machine: dict[str, str], command: str) -> str:
    lines = [
        "## Apache Spark (local mode): the same generated SQL, Spark dialect",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `{command}` through the profile's `spark` target (local[2],",
        "2 GB driver). The dbt scoring models run with whole-stage code generation off",
        "(`macros/scoring/scoring_session.sql`): a tree ensemble's fused method passes the JVM's 64 KB limit,",
        "Spark logs the compile failure and falls back. Python reads the rows into pandas (no Arrow) first.",
        TYPED_INPUTS_NOTE,
        machine_line(machine),
        "",
        "| model | trees | leaves / depth | rows | Spark SQL s, codegen off | whole-stage on | Python + read from Spark s"
        " | Python / SQL | max diff |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for item in results:
        lines.append(
            f"| {item.model.family} | {item.model.trees} | {item.model.size} | {item.rows:,} | {item.sql_seconds:.2f}"
            f" | {item.sql_seconds_whole_stage:.2f} | {item.sklearn_with_read_seconds:.2f}"
            f" | {item.sklearn_with_read_seconds / item.sql_seconds:.1f}x | {item.max_difference:.0e} |"
        )
    return "\n".join(lines) + "\n"
