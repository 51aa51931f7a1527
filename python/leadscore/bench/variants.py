"""The SQL forms we measured for a tree ensemble. `boundary` is what the product generates; the
others are the ideas weighed against it (and orbital, another project's translator)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlglot.expressions as exp
from m2cgen import ast
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline

from leadscore.bench.data import feature_names
from leadscore.transpile.assemblers import assemble_raw_score
from leadscore.transpile.dialects import dialect
from leadscore.transpile.interpreter import SqlInterpreter, balanced_sum
from leadscore.transpile.literals import double
from leadscore.transpile.query import build_model_query, probability_select

# conditions_once and column_per_tree took minutes beyond this (1000 trees, depth 5); skip them there.
MAX_NODES_FOR_WIDE_FORMS = 10_000

TABLE = "bench_rows"
KEY = "row_id"


@dataclass
class SqlVariant:
    name: str
    description: str
    sql: str
    compile_seconds: float
    exact: bool  # claimed exact near thresholds


def _timed(build: Callable[[], str]) -> tuple[str, float]:
    started = time.perf_counter()
    sql = build()
    return sql, time.perf_counter() - started


def _conditions_once(model: GradientBoostingClassifier, table: str, sql_dialect: str) -> str:
    """Each distinct (feature, boundary) comparison computed once in a CTE, then the trees test booleans."""
    raw = assemble_raw_score(model)
    columns = [exp.column(c, quoted=True) for c in feature_names()]
    comparer = SqlInterpreter(columns, True)
    names: dict[str, str] = {}
    conditions: list[exp.Expression] = []

    def rewrite(node: ast.Expr) -> exp.Expression:
        if isinstance(node, ast.IfExpr):
            test = comparer(node.test)
            key = test.sql()
            if key not in names:
                names[key] = f"c{len(names)}"
                conditions.append(test.as_(names[key]))
            return exp.Case(
                ifs=[exp.If(this=exp.column(names[key]), true=rewrite(node.body))],
                default=rewrite(node.orelse),
            )
        return double(node.value)

    terms = [double(raw.constant), *(rewrite(term) for term in raw.terms)]
    inner = exp.select(exp.column(KEY, quoted=True), *conditions).from_(exp.to_table(table))
    scored = exp.select(exp.column(KEY, quoted=True), balanced_sum(terms).as_("raw_score")).from_(
        "conditions"
    )
    return probability_select(scored, KEY, ("conditions", inner)).sql(dialect=dialect(sql_dialect))


def _column_per_tree(model: GradientBoostingClassifier, table: str, sql_dialect: str) -> str:
    """Each tree in its own column, summed in an outer SELECT."""
    raw = assemble_raw_score(model)
    interpreter = SqlInterpreter([exp.column(c, quoted=True) for c in feature_names()], True)
    trees = [interpreter(term).as_(f"t{i}") for i, term in enumerate(raw.terms)]
    inner = exp.select(exp.column(KEY, quoted=True), *trees).from_(exp.to_table(table))
    total = balanced_sum([double(raw.constant), *(exp.column(f"t{i}") for i in range(len(raw.terms)))])
    scored = exp.select(exp.column(KEY, quoted=True), total.as_("raw_score")).from_("trees")
    return probability_select(scored, KEY, ("trees", inner)).sql(dialect=dialect(sql_dialect))


def _leaf_index(model: GradientBoostingClassifier, table: str, sql_dialect: str) -> str:
    """Each tree's nested CASE returns a leaf number, which picks the value from a constant list."""
    raw = assemble_raw_score(model)
    comparer = SqlInterpreter([exp.column(c, quoted=True) for c in feature_names()], True)

    def leaf_number(node: ast.Expr, values: list[float]) -> exp.Expression:
        if isinstance(node, ast.IfExpr):
            return exp.Case(
                ifs=[exp.If(this=comparer(node.test), true=leaf_number(node.body, values))],
                default=leaf_number(node.orelse, values),
            )
        values.append(node.value)
        return exp.Literal.number(len(values))  # 1-based (offset=1 below), so DuckDB needs no "+ 1"

    terms: list[exp.Expression] = [double(raw.constant)]
    for tree in raw.terms:
        values: list[float] = []
        number = leaf_number(tree, values)
        terms.append(
            exp.Bracket(
                this=exp.Array(expressions=[double(v) for v in values]), expressions=[number], offset=1
            )
        )
    scored = exp.select(exp.column(KEY, quoted=True), balanced_sum(terms).as_("raw_score")).from_(
        exp.to_table(table)
    )
    return probability_select(scored, KEY).sql(dialect=dialect(sql_dialect))


def our_variants(
    model: GradientBoostingClassifier, table: str = TABLE, sql_dialect: str = "duckdb"
) -> list[SqlVariant]:
    def plain(mode: str) -> Callable[[], str]:
        return lambda: build_model_query(model, feature_names(), table, KEY, float32_mode=mode).sql(
            dialect=dialect(sql_dialect)
        )

    specs = [
        (
            "boundary",
            "leadscore: nested CASE, thresholds rewritten to exact float32 boundaries, balanced sum",
            plain("boundary"),
            True,
        ),
        ("float32_cast", "nested CASE comparing CAST(x AS REAL) with the thresholds", plain("cast"), True),
        ("naive", "nested CASE comparing the raw double (wrong near thresholds)", plain("naive"), False),
        (
            "conditions_once",
            "each distinct comparison once in a CTE, trees test booleans",
            lambda: _conditions_once(model, table, sql_dialect),
            True,
        ),
        (
            "column_per_tree",
            "one column per tree, summed outside",
            lambda: _column_per_tree(model, table, sql_dialect),
            True,
        ),
        (
            "leaf_index",
            "nested CASE returns a leaf number that indexes a constant list of leaf values",
            lambda: _leaf_index(model, table, sql_dialect),
            True,
        ),
    ]
    nodes = sum(int((tree.tree_.children_left != -1).sum()) for tree in model.estimators_[:, 0])
    variants = []
    for name, description, build, exact in specs:
        if name in ("conditions_once", "column_per_tree") and nodes > MAX_NODES_FOR_WIDE_FORMS:
            variants.append(
                SqlVariant(
                    name, f"not run: {nodes:,} split nodes (minutes per repeat beyond 10,000)", "", 0.0, exact
                )
            )
            continue
        sql, seconds = _timed(build)
        variants.append(SqlVariant(name, description, sql, seconds, exact))
    return variants


def orbital_variant(model: GradientBoostingClassifier, table: str = TABLE) -> SqlVariant | None:
    """orbital's SQL for the same fitted model. It returns no key: rows come back in table order."""
    try:
        import orbital
        import orbital.types
    except ImportError:
        return None
    features = {c: orbital.types.DoubleColumnType() for c in feature_names()}

    def build() -> str:
        return orbital.export_sql(
            table, orbital.parse_pipeline(Pipeline([("gbm", model)]), features=features), dialect="duckdb"
        )

    try:
        sql, seconds = _timed(build)
    except Exception as error:  # orbital may not translate every size
        return SqlVariant(
            "orbital", f"orbital failed: {type(error).__name__}: {str(error)[:150]}", "", 0.0, False
        )
    return SqlVariant(
        "orbital", "orbital 0.6 (ONNX -> ibis -> sqlglot) on the same fitted model", sql, seconds, False
    )
