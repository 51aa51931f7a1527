"""Does the warehouse compute what scikit-learn computes? Runs a model's generated SQL in the
warehouse and compares it with predict_proba on the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import sqlglot.expressions as exp

from leadscore.transpile.explain import CONTRIBUTION_PREFIX, ContributionQuery
from leadscore.transpile.query import INPUT_PLACEHOLDER, ScoringQuery
from leadscore.transpile.split import runnable_split
from leadscore.transpile.statements import DialectStatement, is_refused
from leadscore.warehouse import Warehouse
from leadscore.warehouse.duckdb_warehouse import reasons_session
from leadscore.warehouse.sql_names import quoted

# Training checks its reasons statements (bias + contributions = log-odds) on at most this many test
# rows, and the model card summarises the reasons over them. The check's cost grows with the rows
# (exact TreeSHAP at a million leads: 289 s for all 424,232 test rows, 35 s for 20,000 of them)
# while what it checks does not: the statement is exact by construction, and every served lead's
# reasons are checked again, all of them, at each dbt build
# (tests/dbt/assert_contributions_sum_to_log_odds.sql). Scores are checked against predict_proba on
# every test row.
MAX_REASONS_CHECK_ROWS = 20_000


def warehouse_parity(
    warehouse: Warehouse,
    query: ScoringQuery,
    estimator: object,
    relation_sql: str,
    rows: pd.DataFrame,
    features: list[str],
    scored: pd.DataFrame | None = None,
) -> dict[str, object]:
    """relation_sql: a table name or parenthesised subquery holding exactly `rows` (keyed by lead_id,
    as_of_at). scored: what the query already returned for it (score_relation), else it is run here."""
    dialect = warehouse.target.sql_dialect
    scored = score_relation(warehouse, query, relation_sql) if scored is None else scored
    merged = rows[["lead_id", "as_of_at", *features]].merge(
        scored, on=["lead_id", "as_of_at"], how="left", validate="one_to_one"
    )
    if merged["probability"].isna().any():
        raise AssertionError(
            f"{int(merged['probability'].isna().sum())} rows got no probability from the SQL"
        )
    expected = estimator.predict_proba(merged[features])[:, 1]
    difference = np.abs(merged["probability"].to_numpy(dtype=float) - expected)
    return {
        "dialect": dialect,
        "rows": len(merged),
        "max_abs_difference": float(difference.max()),
        "mean_abs_difference": float(difference.mean()),
    }


def score_relation(warehouse: Warehouse, query: ScoringQuery, relation_sql: str) -> pd.DataFrame:
    """The scoring query run on the relation, in the warehouse (run once, read by both checks)."""
    return warehouse.query(query.sql(warehouse.target.sql_dialect, relation=relation_sql))


def _temporary(warehouse: Warehouse) -> str:
    """What a session-scoped relation is there: Spark has temporary views, not tables."""
    return "view" if warehouse.target.sql_dialect in ("spark", "databricks") else "table"


@contextmanager
def _batches_built(
    warehouse: Warehouse, fitted: DialectStatement, relation_sql: str, prefix: str
) -> Iterator[str]:
    """A split statement's final statement, runnable while its batches exist as temporary
    relations <prefix>_part_<k> over the relation (dropped after, whatever happens)."""
    temporary = _temporary(warehouse)
    names = [f"{prefix}_part_{index}" for index in range(len(fitted.split[0]))]
    parts, final = runnable_split(fitted.split, relation_sql, names)
    built: list[str] = []
    try:
        for name, part in zip(names, parts, strict=True):
            warehouse.execute(f"drop {temporary} if exists {name}")
            built.append(name)
            warehouse.execute(f"create temporary {temporary} {name} as {part}")
        yield final
    finally:
        for name in built:
            warehouse.execute(f"drop {temporary} if exists {name}")


def run_fitted(warehouse: Warehouse, fitted: DialectStatement, relation_sql: str) -> pd.DataFrame:
    """A fitted statement's result on the relation, run as dbt runs it: the whole statement, or its
    batch statements built as temporary relations and the final statement over them."""
    if fitted.split is None:
        return warehouse.query(fitted.text.replace(INPUT_PLACEHOLDER, relation_sql))
    with _batches_built(warehouse, fitted, relation_sql, "leadscore_check") as final:
        return warehouse.query(final)


def reasons_check_relation(relation_sql: str, dialect: str, rows: int, limit: int | None = None) -> str:
    """The rows the reasons are checked on: the relation (of `rows` rows) itself, or past `limit`
    (default MAX_REASONS_CHECK_ROWS) a fixed sample of `limit` rows: those with the smallest md5 of
    their keys, which neither the ids' order nor time biases, and which the same data always draw."""
    limit = MAX_REASONS_CHECK_ROWS if limit is None else limit
    if rows <= limit:
        return relation_sql

    def text(column: str) -> exp.Expression:
        return exp.cast(exp.column(column, quoted=True), exp.DataType.build("text"))

    separated = exp.DPipe(
        this=exp.DPipe(this=text("lead_id"), expression=exp.Literal.string("|")), expression=text("as_of_at")
    )
    order = ", ".join(
        [exp.MD5(this=separated).sql(dialect), quoted("lead_id", dialect), quoted("as_of_at", dialect)]
    )
    return f"(select * from {relation_sql} as reasons_check_rows order by {order} limit {int(limit)})"


def keep_contributions(
    warehouse: Warehouse,
    contributions: ContributionQuery,
    relation_sql: str,
    name: str,
    fitted: DialectStatement | None = None,
) -> str | None:
    """Run the reasons statement on the relation once, into temporary table `name` (replaced if
    there), with the settings dbt runs it with, in batches when it was split; returns the name (None
    on Spark, which keeps no temporary tables). A blend's check then reads its components' results
    from their tables (BlendQuery.sql_over) instead of planning their statements again: a TreeSHAP
    statement takes DuckDB tens of seconds to plan."""
    if _temporary(warehouse) != "table":
        return None
    warehouse.execute(f"drop table if exists {name}")
    with reasons_session(warehouse):
        if fitted is not None and fitted.split is not None:
            with _batches_built(warehouse, fitted, relation_sql, name) as final:
                warehouse.execute(f"create temporary table {name} as {final}")
        else:
            body = _whole_statement(contributions, fitted, warehouse.target.sql_dialect, relation_sql)
            warehouse.execute(f"create temporary table {name} as {body}")
    return name


def _whole_statement(
    contributions: ContributionQuery, fitted: DialectStatement | None, dialect: str, relation_sql: str
) -> str:
    """The unsplit statement on the relation: the fitted text when there is one (the same bytes:
    printing a TreeSHAP statement again took seconds), else printed now."""
    if fitted is not None and not is_refused(fitted.text):
        return fitted.text.replace(INPUT_PLACEHOLDER, relation_sql)
    return contributions.sql(dialect, relation=relation_sql)


def contribution_sum_check(
    warehouse: Warehouse,
    query: ScoringQuery,
    contributions: ContributionQuery,
    relation_sql: str,
    scored: pd.DataFrame | None = None,
    rows: pd.DataFrame | None = None,
    fitted: DialectStatement | None = None,
    statement_sql: str | None = None,
) -> dict[str, object]:
    """bias + sum(contributions) against the calibrated log-odds, on every row of the relation, in the
    warehouse. scored: the scoring query's result on the relation, if already run. fitted: the
    contributions statement fitted to the warehouse's dialect (statements.py), run as served (its
    saved text, in batches when it was split). statement_sql: what to run instead (a blend over its components'
    kept results, keep_contributions). Also what the model card shows of the reasons: each feature's mean
    |contribution| over these rows (the global importance the served reasons imply) and a worked
    example, the highest-scored row, with its feature values when `rows` (the relation's rows) is
    given."""
    dialect = warehouse.target.sql_dialect
    scored = score_relation(warehouse, query, relation_sql) if scored is None else scored
    with reasons_session(warehouse):
        if statement_sql is not None:
            explained = warehouse.query(statement_sql)
        elif fitted is not None and not is_refused(fitted.text):
            explained = run_fitted(warehouse, fitted, relation_sql)
        else:
            explained = warehouse.query(contributions.sql(dialect, relation=relation_sql))
    merged = scored.merge(explained, on=["lead_id", "as_of_at"], validate="one_to_one")
    columns = [CONTRIBUTION_PREFIX + feature for feature in contributions.features]
    values = merged[columns].astype(float)
    total = merged["bias"].astype(float) + values.sum(axis=1)
    difference = np.abs(total.to_numpy() - merged["log_odds"].astype(float).to_numpy())
    mean_abs = values.abs().mean().rename(lambda column: column.removeprefix(CONTRIBUTION_PREFIX))
    return {
        "dialect": dialect,
        "rows": len(merged),
        "max_abs_difference": float(difference.max()),
        "mean_abs_contribution": {k: float(v) for k, v in mean_abs.sort_values(ascending=False).items()},
        "example": _worked_example(merged, contributions.features, rows),
    }


def _readable(value: object) -> str:
    """A feature value as a person reads it: 11.75 rather than 11.750347222222222, 101,070,000."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return str(value)
    number = float(value)
    if number.is_integer() or abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:.3g}"


def _worked_example(merged: pd.DataFrame, features: list[str], rows: pd.DataFrame | None) -> dict | None:
    """The highest-scored row: its bias, log-odds, probability and every non-zero contribution
    (largest first), with the feature's value."""
    usable = merged.dropna(subset=["log_odds"])
    if usable.empty:
        return None
    best = usable.sort_values(["log_odds", "lead_id"], ascending=[False, True], kind="stable").iloc[0]
    known = None
    if rows is not None:
        match = rows[(rows["lead_id"] == best["lead_id"]) & (rows["as_of_at"] == best["as_of_at"])]
        known = match.iloc[0] if len(match) else None
    contributions = []
    for feature in features:
        value = float(best[CONTRIBUTION_PREFIX + feature])
        if value != 0.0:
            shown = None if known is None or pd.isna(known[feature]) else _readable(known[feature])
            contributions.append({"feature": feature, "value": shown, "contribution": value})
    contributions.sort(key=lambda item: -abs(item["contribution"]))
    return {
        "lead_id": str(best["lead_id"]),
        "as_of_at": str(best["as_of_at"]),
        "bias": float(best["bias"]),
        "log_odds": float(best["log_odds"]),
        "probability": float(best["probability"]),
        "contributions": contributions,
    }
