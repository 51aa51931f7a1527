"""Statements over a dialect's size budget are split into batches of trees, exactly: the split score
is the unsplit one bit for bit, and dbt runs the split form (batch tables, then the final statement)
with the same results as predict_proba."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.scoring_parity import assert_training_scores_equal_predict_proba
from leadscore.registry.artifacts import load_model_version
from leadscore.transpile import build_scoring_query
from leadscore.transpile.budgets import LIMITS, text_budget
from leadscore.transpile.explain import CONTRIBUTION_PREFIX, build_contribution_query
from leadscore.transpile.split import (
    batch_tree,
    combine,
    leaves,
    split_contribution_query,
    split_scoring_query,
)

KEYS = ["lead_id", "as_of_at"]
BUDGET = 40_000  # below every statement of the LightGBM this test trains (the smallest: 51,798)
TEST_ROWS = "(select * from features.lead_training_set where split = 'test')"


def test_batches_follow_the_balanced_sum():
    """Hand-checked: 5 summands in 4 batches halve as balanced_sum does ([0,1] | [2,3,4] -> ...)."""
    tree = batch_tree([0, 1, 2, 3, 4], 4)
    assert leaves(tree) == [[0], [1], [2], [3, 4]]
    assert tree == (([0], [1]), ([2], [3, 4]))
    import sqlglot.expressions as exp

    combined = combine(tree, [exp.column(f"p{k}") for k in range(4)]).sql()
    assert combined == "((p0 + p1) + (p2 + p3))"


def test_budgets_are_the_documented_limits_with_room_for_two_models(monkeypatch):
    monkeypatch.delenv("LEADSCORE_MAX_STATEMENT_CHARS", raising=False)
    assert text_budget("bigquery") == int(1_024_000 * 0.45)
    assert text_budget("snowflake") == 450_000 and LIMITS["snowflake"].unit == "bytes"
    assert text_budget("trino") == 450_000
    assert text_budget("duckdb") is None and LIMITS["duckdb"].max_depth == 1000
    monkeypatch.setenv("LEADSCORE_MAX_STATEMENT_CHARS", "1000")
    assert text_budget("duckdb") == 1000 and text_budget("bigquery") == 1000


def _scored(connection, sql: str):
    return connection.sql(sql).df().sort_values(KEYS).reset_index(drop=True)


def _run_split(connection, split, prefix: str) -> str:
    names = []
    for index, part in enumerate(split.parts):
        connection.execute(
            f"create or replace temp table {prefix}{index} as {part.sql('duckdb', relation=TEST_ROWS)}"
        )
        names.append(f"{prefix}{index}")
    return split.final.sql("duckdb", parts=names)


def test_split_statements_equal_the_unsplit_one_on_every_test_row(trained_warehouse):
    warehouse, outcome = trained_warehouse
    spec = outcome.run.data.spec
    features = list(spec.features)
    with warehouse.env():
        version = load_model_version(outcome.versions["lightgbm"].model_id)
    estimator = version.load_estimator()
    connection = warehouse.connect(read_only=True).connection
    try:
        whole = _scored(connection, build_scoring_query(estimator, KEYS).sql("duckdb", relation=TEST_ROWS))
        rows = _scored(connection, f"select * from {TEST_ROWS} as t")
        expected = estimator.predict_proba(rows[features])[:, 1]
        assert len(whole) > 500
        for batches in (2, 4, 16):
            split = split_scoring_query(estimator, KEYS, batches)
            assert len(split.parts) == batches
            got = _scored(connection, _run_split(connection, split, f"score_part_{batches}_"))
            assert (got[KEYS] == whole[KEYS]).all().all()
            assert np.array_equal(
                got["probability"].to_numpy(), whole["probability"].to_numpy()
            )  # bit for bit
            assert np.abs(got["probability"].to_numpy() - expected).max() < 1e-9
        means = np.linspace(-1.0, 1.0, len(version.metadata["prepared_features"]))
        unsplit = _scored(
            connection,
            build_contribution_query(estimator, KEYS, features, means).sql("duckdb", relation=TEST_ROWS),
        )
        split = split_contribution_query(estimator, KEYS, features, means, 8)
        explained = _scored(connection, _run_split(connection, split, "reason_part_"))
        columns = ["bias", *[CONTRIBUTION_PREFIX + feature for feature in features]]
        assert np.abs(explained[columns].to_numpy(float) - unsplit[columns].to_numpy(float)).max() < 1e-12
        total = explained[columns].to_numpy(float).sum(axis=1)
        assert np.abs(total - whole["log_odds"].to_numpy()).max() < 1e-9
    finally:
        connection.close()


@pytest.mark.slow
def test_a_model_over_its_budget_is_split_and_dbt_scores_it_exactly(trained_warehouse, tmp_path):
    """Training with a 40,000-character budget (a warehouse configured lower than our defaults):
    the LightGBM statements are split in every dialect, the dbt macros run the batches as tables,
    and the scoring models equal predict_proba on every test row."""
    from leadscore.modeling.walk_forward import WalkForwardSettings

    warehouse, _ = trained_warehouse
    copy = warehouse.copy_to(tmp_path)
    copy = dataclasses.replace(
        copy, environment={**copy.environment, "LEADSCORE_MAX_STATEMENT_CHARS": str(BUDGET)}
    )
    with copy.env():
        # Saabas reasons: one tree's TreeSHAP SQL is over this small a budget, so those would be
        # refused with their reason; the TreeSHAP split is test_shapley.py's.
        outcome = copy.train(settings=WalkForwardSettings(periods=2), reasons="saabas")
        lightgbm = load_model_version(outcome.versions["lightgbm"].model_id)
        sizes = {(s["dialect"], s["kind"]): s for s in lightgbm.metadata["statement_sizes"]}
        for dialect in ("duckdb", "postgres", "bigquery", "snowflake", "trino", "spark", "databricks"):
            for kind in ("score", "contributions"):
                size = sizes[(dialect, kind)]
                assert size["size"] > BUDGET and size["parts"] >= 2 and size["largest_part"] <= BUDGET
                assert lightgbm.split_sql(dialect, kind) is not None
        assert "split: " in (lightgbm.folder / "model_card.md").read_text()
        logistic = load_model_version(outcome.versions["logistic"].model_id)
        assert all(s["parts"] == 1 for s in logistic.metadata["statement_sizes"])
        generated = (copy.project / "generated" / "demo" / "scoring_models.sql").read_text()
        assert "split_statement('" + lightgbm.model_id + "__score'" in generated
    copy.dbt("build", "--selector", "scores")
    assert_training_scores_equal_predict_proba(copy, outcome)
    parts = copy.query(
        "select table_name from information_schema.tables where table_name like 'lead_training_scores%\\_p%' escape '\\'"
    )
    assert len(parts) >= 2
