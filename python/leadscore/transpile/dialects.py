"""sqlglot dialects with our two overrides.

- Where a literal in scientific notation is read as DOUBLE (DuckDB, Snowflake, BigQuery, Spark,
  Databricks, Trino), our double constants print as 7.899044882267012e-02 instead of
  CAST('0.07899044882267012' AS DOUBLE): same value, a third of the text. Postgres reads such
  literals as NUMERIC, so it keeps the cast.
- NaN tests: Postgres and Snowflake have no IS_NAN function, but both treat NaN as equal to itself,
  so `x = 'NaN'` is the test there.
- CTEs marked materialized print `AS MATERIALIZED` on Postgres only. Postgres otherwise inlines a
  CTE and pastes each of its column expressions into every reference: a tree ensemble's reasons
  then ran out of memory while planning ("invalid memory alloc request size 1073741824"). The other
  dialects have no such keyword (or, in DuckDB, gained nothing from it). `AS NOT MATERIALIZED`
  prints on Postgres and DuckDB only: Spark, Snowflake, BigQuery and Trino reject it as a syntax
  error (found running the Spark SQL live).
"""

from __future__ import annotations

from functools import cache

import sqlglot.expressions as exp
from sqlglot.dialects.dialect import Dialect

DOUBLE_TEXT = "leadscore_double_text"
SCIENTIFIC_LITERAL_IS_DOUBLE = frozenset({"duckdb", "snowflake", "bigquery", "spark", "databricks", "trino"})
NAN_EQUALS_ITSELF = frozenset({"postgres", "snowflake"})
MATERIALIZED_CTES = frozenset({"postgres"})
NOT_MATERIALIZED_CTES = frozenset({"postgres", "duckdb"})


@cache
def dialect(name: str) -> type[Dialect]:
    base = type(Dialect.get_or_raise(name))
    overrides: dict[str, object] = {}
    if name in SCIENTIFIC_LITERAL_IS_DOUBLE:

        def cast_sql(self, expression, safe_prefix=None):
            text = expression.meta.get(DOUBLE_TEXT)
            return text if text is not None else base.Generator.cast_sql(self, expression, safe_prefix)

        overrides["cast_sql"] = cast_sql
    if name in NAN_EQUALS_ITSELF:

        def isnan_sql(self, expression):
            nan = exp.Cast(this=exp.Literal.string("NaN"), to=exp.DataType.build("double"))
            return self.sql(exp.Paren(this=exp.EQ(this=expression.this, expression=nan)))

        overrides["isnan_sql"] = isnan_sql
    if name not in MATERIALIZED_CTES:

        def cte_sql(self, expression):
            materialized = expression.args.get("materialized")
            if not (materialized or (materialized is False and name not in NOT_MATERIALIZED_CTES)):
                return base.Generator.cte_sql(self, expression)
            expression.set("materialized", None)  # for this print only (a copy of a tree block is slow)
            try:
                return base.Generator.cte_sql(self, expression)
            finally:
                expression.set("materialized", materialized)

        overrides["cte_sql"] = cte_sql
    if not overrides:
        return base
    generator = type("Generator", (base.Generator,), overrides)
    return type(f"Leadscore{base.__name__}", (base,), {"Generator": generator})
