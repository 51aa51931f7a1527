"""sqlglot dialects with one override: where a literal in scientific notation is read as DOUBLE
(DuckDB, Snowflake, BigQuery, Spark, Databricks, Trino), our double constants print as
7.899044882267012e-02 instead of CAST('0.07899044882267012' AS DOUBLE): same value, a third of
the text. Postgres reads such literals as NUMERIC, so it keeps the cast."""

from __future__ import annotations

from functools import cache

from sqlglot.dialects.dialect import Dialect

DOUBLE_TEXT = "leadscore_double_text"
SCIENTIFIC_LITERAL_IS_DOUBLE = frozenset({"duckdb", "snowflake", "bigquery", "spark", "databricks", "trino"})


@cache
def dialect(name: str) -> type[Dialect]:
    base = type(Dialect.get_or_raise(name))
    if name not in SCIENTIFIC_LITERAL_IS_DOUBLE:
        return base

    class Generator(base.Generator):  # type: ignore[name-defined]
        def cast_sql(self, expression, safe_prefix=None):
            text = expression.meta.get(DOUBLE_TEXT)
            return text if text is not None else super().cast_sql(expression, safe_prefix)

    return type(f"Leadscore{base.__name__}", (base,), {"Generator": Generator})
