"""The SQL forms we measured for a tree ensemble. `nested_case` is what the product generates; the
others are the ideas weighed against it (and orbital, another project's translator). Every form
goes through the same query builder (transpile/query.py, its `form` hook), so every one pays the
same for reading inputs, NaN handling and the sigmoid."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlglot.expressions as exp
from sklearn.pipeline import Pipeline

from leadscore.bench.data import feature_names
from leadscore.transpile.dialects import dialect
from leadscore.transpile.literals import double
from leadscore.transpile.query import Translation, build_model_query, summed_trees
from leadscore.transpile.trees import split_test, tree_sql

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


def _conditions_once(translation: Translation, float32_mode: str):
    """Each distinct split condition computed once in a CTE; the trees test booleans."""
    inputs = translation.tree_inputs
    names: dict[str, str] = {}
    conditions: list[exp.Expression] = []

    def build(tree, node: int) -> exp.Expression:
        split = tree.splits[node]
        if split is None:
            return double(tree.values[node])
        test = split_test(split, inputs, float32_mode)
        key = test.sql()
        if key not in names:
            names[key] = f"c{len(names)}"
            conditions.append(test.as_(names[key]))
        return exp.Case(
            ifs=[exp.If(this=exp.column(names[key]), true=build(tree, tree.left[node]))],
            default=build(tree, tree.right[node]),
        )

    trees = [build(tree, 0) for tree in translation.raw.trees]
    inner = exp.select(exp.Star(), *conditions).from_("prepared")
    return summed_trees(translation, trees, [("conditions", inner)], "conditions")


def _column_per_tree(translation: Translation, float32_mode: str):
    """Each tree in its own column, summed in the next step."""
    inputs = translation.tree_inputs
    columns = [
        tree_sql(tree, inputs, float32_mode=float32_mode).as_(f"t{i}")
        for i, tree in enumerate(translation.raw.trees)
    ]
    inner = exp.select(exp.Star(), *columns).from_("prepared")
    terms = [exp.column(f"t{i}") for i in range(len(columns))]
    return summed_trees(translation, terms, [("trees", inner)], "trees")


def _leaf_index(translation: Translation, float32_mode: str):
    """Each tree's nested CASE returns a leaf number, which picks the value from a constant list."""
    inputs = translation.tree_inputs
    terms = []
    for tree in translation.raw.trees:
        leaves = [node for node, split in enumerate(tree.splits) if split is None]
        number = {node: i + 1 for i, node in enumerate(leaves)}  # 1-based: DuckDB lists need no "+ 1"
        chooser = tree_sql(
            tree,
            inputs,
            leaf=lambda node, number=number: exp.Literal.number(number[node]),
            float32_mode=float32_mode,
        )
        values = exp.Array(expressions=[double(tree.values[node]) for node in leaves])
        terms.append(exp.Bracket(this=values, expressions=[chooser], offset=1))
    return summed_trees(translation, terms, [], "prepared")


def _nested_case(translation: Translation, float32_mode: str):
    """One CASE per split, nested as the tree is drawn (the form before chaining)."""
    inputs = translation.tree_inputs
    terms = [tree_sql(tree, inputs, float32_mode=float32_mode, nested=True) for tree in translation.raw.trees]
    return summed_trees(translation, terms, [], "prepared")


FORMS = {
    "nested_case": (_nested_case, "one nested CASE per split, as the tree is drawn"),
    "conditions_once": (_conditions_once, "each distinct condition once in a CTE, trees test booleans"),
    "column_per_tree": (_column_per_tree, "one column per tree, summed in the next step"),
    "leaf_index": (
        _leaf_index,
        "nested CASE returns a leaf number that indexes a constant list of leaf values",
    ),
}


def split_node_count(model: object) -> int:
    from leadscore.transpile.assemblers import assemble_raw_score

    return sum(len(tree.split_nodes()) for tree in assemble_raw_score(model).trees)


def our_variants(model: object, table: str = TABLE, sql_dialect: str = "duckdb") -> list[SqlVariant]:
    float32 = type(model).__module__.startswith("sklearn.ensemble._gb") or "Forest" in type(model).__name__

    def query(mode: str = "boundary", form=None) -> Callable[[], str]:
        kwargs = {"form": form} if form is not None else {}
        return lambda: build_model_query(model, feature_names(), table, KEY, float32_mode=mode, **kwargs).sql(
            dialect=dialect(sql_dialect)
        )

    specs = [
        (
            "chained_case",
            "leadscore: CASE chained along each tree's heavier side, exact thresholds, balanced sum",
            query(),
            True,
        ),
    ]
    if float32:
        specs += [
            (
                "float32_cast",
                "nested CASE comparing CAST(x AS REAL) with the thresholds",
                query("cast"),
                True,
            ),
            ("naive", "nested CASE comparing the raw double (wrong near thresholds)", query("naive"), False),
        ]
    specs += [(name, description, query(form=form), True) for name, (form, description) in FORMS.items()]
    nodes = split_node_count(model)
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


def orbital_variant(model: object, table: str = TABLE) -> SqlVariant | None:
    """orbital's SQL for the same fitted model. It returns no key: rows come back in table order."""
    try:
        import orbital
        import orbital.types
    except ImportError:
        return None
    features = {c: orbital.types.DoubleColumnType() for c in feature_names()}

    def build() -> str:
        return orbital.export_sql(
            table, orbital.parse_pipeline(Pipeline([("model", model)]), features=features), dialect="duckdb"
        )

    try:
        sql, seconds = _timed(build)
    except Exception as error:  # orbital may not translate every model or size
        return SqlVariant(
            "orbital", f"orbital failed: {type(error).__name__}: {str(error)[:150]}", "", 0.0, False
        )
    return SqlVariant(
        "orbital", "orbital 0.6 (ONNX -> ibis -> sqlglot) on the same fitted model", sql, seconds, False
    )
