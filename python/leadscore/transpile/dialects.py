"""sqlglot dialects with our two overrides.

- Where a literal in scientific notation is read as DOUBLE (DuckDB, Snowflake, BigQuery, Spark,
  Databricks, Trino), our double constants print as 7.899044882267012e-02 instead of
  CAST('0.07899044882267012' AS DOUBLE): same value, a third of the text. Postgres reads such
  literals as NUMERIC, so it keeps the cast.
- NaN tests: Postgres and Snowflake have no IS_NAN function, but both treat NaN as equal to itself,
  so `x = 'NaN'` is the test there.
- Underflow: Postgres raises "value out of range: underflow" when a product or quotient of non-zero
  doubles rounds to zero, failing the statement for every row (numpy returns 0.0). On Postgres a
  product with a constant c (or a quotient by one) is guarded: CASE WHEN |x| < T THEN 0 ELSE x * c
  END, with T chosen so that below it |x * c| < 1e-300 (a difference no score can show) and at or
  above it the product cannot round to zero.
- Booleans: Postgres has no cast from boolean to double. A raw input column read as a number (a
  pipeline without our coercer, so its type is not known when the SQL is written) goes through its
  text there: 'true' -> 1, 'false' -> 0, anything else cast from its text, which is exact (Postgres
  prints doubles in their shortest round-trip form, and casts numeric to double through text itself).
- 32-bit floats: XGBoost's running sum rounds to float32 after every tree (`CAST(... AS REAL)`;
  FLOAT in Spark and Databricks). Snowflake and BigQuery have only 64-bit floats: printing such a
  cast there raises NoFloat32TypeError instead of silently computing in 64 bits.
- CTEs marked materialized print `AS MATERIALIZED` on Postgres only. Postgres otherwise inlines a
  CTE and pastes each of its column expressions into every reference: a tree ensemble's reasons
  then ran out of memory while planning ("invalid memory alloc request size 1073741824"). The other
  dialects have no such keyword (or, in DuckDB, gained nothing from it). `AS NOT MATERIALIZED`
  prints on Postgres and DuckDB only: Spark, Snowflake, BigQuery and Trino reject it as a syntax
  error (found running the Spark SQL live).
- A CTE marked COMPUTED_ONCE (the scored step, whose raw score the next step reads in several
  places) prints `AS MATERIALIZED` on Postgres, which otherwise pastes the whole tree sum into each
  place. Other dialects print it as its `materialized` flag says (DuckDB: NOT MATERIALIZED, as
  measured fastest there).
"""

from __future__ import annotations

import math
from functools import cache

import sqlglot.expressions as exp
from sqlglot.dialects.dialect import Dialect

DOUBLE_TEXT = "leadscore_double_text"
SCIENTIFIC_LITERAL_IS_DOUBLE = frozenset({"duckdb", "snowflake", "bigquery", "spark", "databricks", "trino"})
NAN_EQUALS_ITSELF = frozenset({"postgres", "snowflake"})
MATERIALIZED_CTES = frozenset({"postgres"})
UNDERFLOW_RAISES = frozenset({"postgres"})
GUARDED = "leadscore_underflow_guarded"
RAW_TO_DOUBLE = (
    "leadscore_raw_to_double"  # a cast of an input column of unknown type (preprocessing.as_number)
)
NO_BOOLEAN_TO_DOUBLE = frozenset({"postgres"})
NEGLIGIBLE = 1e-300
NOT_MATERIALIZED_CTES = frozenset({"postgres", "duckdb"})
COMPUTED_ONCE = "leadscore_computed_once"  # Postgres: AS MATERIALIZED, whatever the flag says
FLOAT32_CAST = "leadscore_float32_cast"  # a rounding to float32 that must not be done in 64 bits
NO_FLOAT32 = frozenset({"snowflake", "bigquery"})  # FLOAT is 64-bit there, and there is no REAL


class NoFloat32TypeError(TypeError):
    """The SQL needs 32-bit float arithmetic (XGBoost's running sum) and the dialect has none."""


def _double_constant(node: exp.Expression | None) -> float | None:
    """The value of a double constant as literals.double() writes it (CAST('<repr>' AS DOUBLE))."""
    if isinstance(node, exp.Paren):
        node = node.this
    if (
        isinstance(node, exp.Cast)
        and isinstance(node.this, exp.Literal)
        and node.this.is_string
        and node.to.is_type(exp.DataType.Type.DOUBLE)
    ):
        try:
            return float(node.this.this)
        except ValueError:
            return None
    return None


_DOUBLE_TYPE = exp.DataType.build("double")


def _double_literal(value: float) -> exp.Expression:
    return exp.Cast(this=exp.Literal.string(repr(float(value))), to=_DOUBLE_TYPE.copy())


_GUARD_SLOTS = ("leadscore_guard_operand_", "leadscore_guard_bound_", "leadscore_guard_product_")


@cache
def _guard_template(generator: type) -> tuple[str, ...]:
    """(CASE WHEN ABS(<operand>) < <bound> THEN 0 ELSE <product> END) as the generator prints it
    without `pretty`, cut at the three slots. The guard fills them with printed text: building the
    CASE around a copy of the operand deep-copied every subtree once per enclosing product, and the
    copies dominated printing a TreeSHAP statement for Postgres."""
    operand, bound, product = (exp.column(slot) for slot in _GUARD_SLOTS)
    small = exp.LT(this=exp.Abs(this=operand), expression=bound)
    case = exp.Case(ifs=[exp.If(this=small, true=_double_literal(0.0))], default=product)
    text = generator().sql(exp.Paren(this=case))
    pieces = []
    for slot in _GUARD_SLOTS:
        before, text = text.split(slot)
        pieces.append(before)
    return (*pieces, text)


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
    if name in NO_BOOLEAN_TO_DOUBLE:

        def raw_cast_sql(self, expression, safe_prefix=None):
            if not expression.meta.get(RAW_TO_DOUBLE):
                return base.Generator.cast_sql(self, expression, safe_prefix)
            spelled = exp.Cast(this=expression.this.copy(), to=exp.DataType.build("text"))
            number = exp.Cast(this=spelled.copy(), to=exp.DataType.build("double"))
            case = exp.Case(
                this=spelled,
                ifs=[
                    exp.If(this=exp.Literal.string("true"), true=_double_literal(1.0)),
                    exp.If(this=exp.Literal.string("false"), true=_double_literal(0.0)),
                ],
                default=number,
            )
            return self.sql(exp.Paren(this=case))

        overrides["cast_sql"] = raw_cast_sql
    if name in UNDERFLOW_RAISES:

        def guarded(self, expression, operator: str, sides: tuple[str, ...], plain):
            """x * c (or x / c) with the underflow guard; `plain` prints it unguarded."""
            if expression.meta.get(GUARDED):
                return plain(self, expression)
            for side in sides:
                constant = _double_constant(expression.args.get(side))
                if constant is None or constant == 0.0 or not math.isfinite(constant):
                    continue
                other = expression.this if side == "expression" else expression.expression
                bound = NEGLIGIBLE / abs(constant) if operator == "*" else NEGLIGIBLE * abs(constant)
                if not 5e-324 < bound < float("inf"):
                    break
                if self.pretty:  # indentation follows the nesting: print the CASE itself (small statements)
                    unguarded = expression.copy()
                    unguarded.meta[GUARDED] = True
                    small = exp.LT(this=exp.Abs(this=other.copy()), expression=_double_literal(bound))
                    case = exp.Case(ifs=[exp.If(this=small, true=_double_literal(0.0))], default=unguarded)
                    return self.sql(exp.Paren(this=case))
                before_operand, before_bound, before_product, after = _guard_template(type(self))
                return "".join(
                    (
                        before_operand,
                        self.sql(other),
                        before_bound,
                        self.sql(_double_literal(bound)),
                        before_product,
                        plain(self, expression),
                        after,
                    )
                )
            return plain(self, expression)

        overrides["mul_sql"] = lambda self, expression: guarded(
            self, expression, "*", ("expression", "this"), lambda gen, e: gen.binary(e, "*")
        )
        overrides["div_sql"] = lambda self, expression: guarded(
            self, expression, "/", ("expression",), base.Generator.div_sql
        )

    def printed_materialized(expression: exp.Expression) -> bool | None:
        """The CTE's materialized flag as this dialect prints it (the module docstring)."""
        materialized = expression.args.get("materialized")
        if name in MATERIALIZED_CTES:
            return True if expression.meta.get(COMPUTED_ONCE) else materialized
        if materialized or (materialized is False and name not in NOT_MATERIALIZED_CTES):
            return None  # no such keyword here
        return materialized

    def cte_sql(self, expression):
        materialized = expression.args.get("materialized")
        printed = printed_materialized(expression)
        if printed is materialized:
            return base.Generator.cte_sql(self, expression)
        expression.set("materialized", printed)  # for this print only (a copy of a tree block is slow)
        try:
            return base.Generator.cte_sql(self, expression)
        finally:
            expression.set("materialized", materialized)

    overrides["cte_sql"] = cte_sql
    if name in NO_FLOAT32:
        inner_cast = overrides.get("cast_sql")

        def float32_cast_sql(self, expression, safe_prefix=None):
            if expression.meta.get(FLOAT32_CAST):
                raise NoFloat32TypeError(
                    f"{name} has no 32-bit float type, and XGBoost adds its trees in 32-bit floats: its "
                    f"scores cannot be reproduced exactly there. Serve a LightGBM or logistic model on {name}."
                )
            if inner_cast is not None:
                return inner_cast(self, expression, safe_prefix)
            return base.Generator.cast_sql(self, expression, safe_prefix)

        overrides["cast_sql"] = float32_cast_sql
    if not overrides:
        return base
    generator = type("Generator", (base.Generator,), overrides)
    return type(f"Leadscore{base.__name__}", (base,), {"Generator": generator})
