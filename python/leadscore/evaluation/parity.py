"""Does the warehouse compute what scikit-learn computes? Runs a model's generated SQL in the
warehouse and compares it with predict_proba on the same rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.transpile.explain import CONTRIBUTION_PREFIX, ContributionQuery
from leadscore.transpile.query import ScoringQuery
from leadscore.warehouse import Warehouse


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


def contribution_sum_check(
    warehouse: Warehouse,
    query: ScoringQuery,
    contributions: ContributionQuery,
    relation_sql: str,
    scored: pd.DataFrame | None = None,
    rows: pd.DataFrame | None = None,
) -> dict[str, object]:
    """bias + sum(contributions) against the calibrated log-odds, on every row of the relation, in the
    warehouse. scored: the scoring query's result on the relation, if already run. Also what the
    model card shows of the reasons: each feature's mean |contribution| over these rows (the global
    importance the served reasons imply) and a worked example, the highest-scored row, with its
    feature values when `rows` (the relation's rows) is given."""
    dialect = warehouse.target.sql_dialect
    scored = score_relation(warehouse, query, relation_sql) if scored is None else scored
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
