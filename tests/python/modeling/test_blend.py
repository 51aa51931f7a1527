"""The blend: logistic and the best tree averaged in log-odds. Its backtest is its components'
backtests blended; its SQL (whole and split at the components) equals predict_proba on every row,
adversarial rows included; its reasons add up to its log-odds."""

from __future__ import annotations

import hashlib

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit

from helpers.drifting import NoWarehouse, drifting_data
from leadscore.blending import LogOddsBlend, calibrated_log_odds
from leadscore.modeling.job import transpile_blend, transpile_model
from leadscore.modeling.train import BLEND, train_models
from leadscore.modeling.walk_forward import WalkForwardSettings
from leadscore.transpile.explain import CONTRIBUTION_PREFIX
from leadscore.transpile.query import INPUT_PLACEHOLDER

KEYS = ["lead_id", "as_of_at"]


@pytest.fixture(scope="module")
def blend_run():
    data = drifting_data()
    run = train_models(
        NoWarehouse(), data, [], 30.0, ("logistic", "lightgbm"), WalkForwardSettings(periods=3)
    )
    return data, run


def _adversarial_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values, an unseen category, a category that is SQL, extreme numbers."""
    rows = frame.head(6).copy()
    rows["lead_id"] = np.arange(10**6, 10**6 + len(rows))
    rows.loc[rows.index[0], "x1"] = np.nan
    rows.loc[rows.index[1], "channel"] = None
    rows.loc[rows.index[2], "channel"] = "x'); drop table leads; --"
    rows.loc[rows.index[3], "x2"] = 1e300
    rows.loc[rows.index[4], "x1"] = -1e300
    rows.loc[rows.index[5], ["x1", "x2"]] = [0.0, -0.0]
    return rows


def _transpiled(run, data, monkeypatch=None, budget: int | None = None):
    if budget is not None:
        monkeypatch.setenv("LEADSCORE_MAX_STATEMENT_CHARS", str(budget))
    features = list(data.spec.features)
    parts = {}
    blend = run.models[BLEND]
    for kind in blend.components:
        trained = run.models[kind]
        reference = data.frame.iloc[trained.served_rows][features]
        parts[kind] = transpile_model(trained.estimator, trained.pipeline, reference, data.spec, kind)
    return blend, transpile_blend(blend.estimator, [parts[k] for k in blend.components], data.spec)


def test_the_blend_is_logistic_and_the_best_tree_and_its_backtest_blends_theirs(blend_run):
    _, run = blend_run
    blend = run.models[BLEND]
    assert blend.components == ("logistic", "lightgbm")
    assert BLEND in run.family_figures and run.family_figures[BLEND].period_aucs
    logistic, lightgbm = (run.models[k].walk_forward.probability for k in blend.components)
    clip = (1e-15, 1 - 1e-15)
    expected = expit(0.5 * logit(np.clip(logistic, *clip)) + 0.5 * logit(np.clip(lightgbm, *clip)))
    np.testing.assert_allclose(blend.walk_forward.probability, expected, rtol=0, atol=1e-15)
    assert BLEND in run.champion_reason
    table = run.walk_forward_comparison()
    assert blend.model_id in set(table["score"])


def test_the_blend_predicts_the_mean_of_its_components_log_odds(blend_run):
    data, run = blend_run
    blend = run.models[BLEND].estimator
    assert isinstance(blend, LogOddsBlend)
    X = data.frame[list(data.spec.features)].head(500)
    one, two = (calibrated_log_odds(c, X) for c in blend.components)
    np.testing.assert_allclose(blend.decision_function(X), 0.5 * one + 0.5 * two, rtol=0, atol=1e-12)
    for component, log_odds in zip(blend.components, (one, two), strict=True):
        np.testing.assert_allclose(component.predict_proba(X)[:, 1], expit(log_odds), rtol=0, atol=1e-15)


def _run_statement(connection, statement, relation: str) -> pd.DataFrame:
    """A DialectStatement as dbt runs it: whole, or its batches as tables and then the final one."""
    if statement.split is None:
        sql = statement.text.replace(INPUT_PLACEHOLDER, relation)
    else:
        parts, sql = statement.split
        for index, part in enumerate(parts):
            connection.execute(
                f"create or replace temp table blend_part_{index} as {part.replace(INPUT_PLACEHOLDER, relation)}"
            )
            sql = sql.replace(f"__scoring_part_{index}__", f"blend_part_{index}")
    return connection.sql(sql).df().sort_values(KEYS).reset_index(drop=True)


@pytest.mark.parametrize("budget", [None, 20_000], ids=["whole", "split"])
def test_the_blend_sql_equals_predict_proba_and_its_reasons_add_up(blend_run, monkeypatch, budget):
    data, run = blend_run
    features = list(data.spec.features)
    blend, transpiled = _transpiled(run, data, monkeypatch, budget)
    rows = pd.concat([data.frame.iloc[-3000:], _adversarial_rows(data.frame)], ignore_index=True)
    rows = rows[[*KEYS, *features]].sort_values(KEYS).reset_index(drop=True)
    connection = duckdb.connect()
    connection.register("rows_view", rows)
    connection.execute("create table scored_rows as select * from rows_view")
    score = transpiled.statements["score"]["duckdb"]
    contributions = transpiled.statements["contributions"]["duckdb"]
    if budget is not None:
        assert score.split is not None and contributions.split is not None
        assert score.size.parts >= 2 and score.size.largest_part <= budget
    scored = _run_statement(connection, score, "scored_rows")
    explained = _run_statement(connection, contributions, "scored_rows")
    assert len(scored) == len(rows) == len(explained)
    expected = blend.estimator.predict_proba(rows[features])[:, 1]
    assert np.abs(scored["probability"].to_numpy(float) - expected).max() < 1e-9
    assert (
        np.abs(scored["log_odds"].to_numpy(float) - blend.estimator.decision_function(rows[features])).max()
        < 1e-9
    )
    columns = ["bias", *[CONTRIBUTION_PREFIX + feature for feature in features]]
    total = explained[columns].to_numpy(float).sum(axis=1)
    log_odds = scored["log_odds"].to_numpy(float)
    # Relative beyond 1: a 1e300 input gives log-odds of 1e299, summed to the last bits of that.
    assert (np.abs(total - log_odds) <= 1e-9 * np.maximum(1.0, np.abs(log_odds))).all()
    # The printed query (what training's parity check runs) says the same.
    printed = connection.sql(transpiled.query.sql("duckdb", relation="scored_rows")).df()
    printed = printed.sort_values(KEYS).reset_index(drop=True)
    assert np.array_equal(printed["probability"].to_numpy(float), scored["probability"].to_numpy(float))
    # Training checks the blend's reasons over its components' results, kept from their own checks
    # (parity.keep_contributions): the blend's numbers (bit for bit when whole; a split regroups the
    # per-feature sums, so to rounding).
    kept = []
    for index, component in enumerate(transpiled.contributions.components):
        body = component.sql("duckdb", relation="scored_rows")
        connection.execute(f"create temp table kept_{index} as {body}")
        kept.append(f"kept_{index}")
    over_kept = connection.execute(transpiled.contributions.sql_over("duckdb", kept)).df()
    over_kept = over_kept.sort_values(KEYS).reset_index(drop=True)
    got, want = over_kept[columns].to_numpy(float), explained[columns].to_numpy(float)
    if budget is None:
        assert np.array_equal(got, want)
    assert (np.abs(got - want) <= 1e-12 * np.maximum(1.0, np.abs(want))).all()


def test_training_checks_the_reasons_on_a_fixed_sample_of_many_test_rows(blend_run, monkeypatch, tmp_path):
    """Past parity.MAX_REASONS_CHECK_ROWS test rows, the reasons statements (the tree's, and the
    blend's over the tree's kept results) are checked on that many rows: those with the smallest md5
    of their keys, whatever order the table holds them in; the model card and the report say so."""
    from leadscore.evaluation import parity
    from leadscore.evaluation.model_card import _checked_rows
    from leadscore.modeling.job import _check_reasons
    from leadscore.warehouse.duckdb_warehouse import DuckDBWarehouse
    from leadscore.warehouse.profiles import WarehouseTarget

    data, run = blend_run
    features = list(data.spec.features)
    blend = run.models[BLEND]
    tree = run.models["lightgbm"]
    reference = data.frame.iloc[tree.served_rows][features]
    tree_sql = transpile_model(tree.estimator, tree.pipeline, reference, data.spec, "lightgbm")
    logistic = run.models["logistic"]
    logistic_sql = transpile_model(
        logistic.estimator,
        logistic.pipeline,
        data.frame.iloc[logistic.served_rows][features],
        data.spec,
        "logistic",
    )
    blend_sql = transpile_blend(blend.estimator, [logistic_sql, tree_sql], data.spec)
    test = data.part("test")
    monkeypatch.setattr(parity, "MAX_REASONS_CHECK_ROWS", 300)
    warehouse = DuckDBWarehouse(WarehouseTarget("t", {"type": "duckdb", "path": str(tmp_path / "w.duckdb")}))
    try:
        shuffled = test.sample(frac=1.0, random_state=1)
        columns = {"lead_id": "bigint", "as_of_at": "timestamp", "x1": "double", "x2": "double"}
        columns |= {"channel": "varchar", "split": "varchar"}
        warehouse.write_frame("main", "rows", shuffled, columns, append=False)
        relation = "(select * from main.rows where split = 'test')"
        kept: dict[str, str] = {}
        checks, scored = {}, {}
        for kind, transpiled, components in (
            ("lightgbm", tree_sql, ()),
            ("logistic", logistic_sql, ()),
            (BLEND, blend_sql, blend.components),
        ):
            scored[kind] = parity.score_relation(warehouse, transpiled.query, relation)
            checks[kind] = _check_reasons(
                warehouse, data, kind, transpiled, relation, scored[kind], kept, components
            )
        again = _check_reasons(warehouse, data, "lightgbm", tree_sql, relation, scored["lightgbm"], None, ())
    finally:
        warehouse.close()
    smallest = sorted(
        hashlib.md5(f"{row.lead_id}|{row.as_of_at}".encode()).hexdigest() + f" {row.lead_id}"
        for row in test.itertuples()
    )[:300]
    sampled = {int(entry.split()[1]) for entry in smallest}
    for kind, checked in checks.items():
        summed = checked["contribution_sum"]
        assert summed["rows"] == 300 and summed["sampled_from"] == len(test) > 300, kind
        assert summed["max_abs_difference"] < 1e-9, kind
        assert int(summed["example"]["lead_id"]) in sampled, kind
    assert (
        again["contribution_sum"]["mean_abs_contribution"]
        == checks["lightgbm"]["contribution_sum"]["mean_abs_contribution"]
    )
    assert again["contribution_sum"]["example"] == checks["lightgbm"]["contribution_sum"]["example"]
    # The example is the highest-scored of exactly the sampled rows.
    probability = dict(zip(test["lead_id"], tree.estimator.predict_proba(test[features])[:, 1], strict=True))
    best = max(sampled, key=lambda lead: (probability[lead], -lead))
    assert int(checks["lightgbm"]["contribution_sum"]["example"]["lead_id"]) == best
    assert _checked_rows(checks["lightgbm"]["contribution_sum"]) == (
        f"300 test rows checked, a fixed sample of the {len(test):,}",
        " Every served lead's reasons are checked the same way at each dbt build.",
    )
    assert parity.reasons_check_relation(relation, "duckdb", 300) == relation


def test_reference_scores_are_predict_proba_to_the_bit_each_model_predicted_once(blend_run, monkeypatch):
    """Training's reference probabilities (the monitoring baselines, the report's current drift)
    come from one prediction per model: a blend's from its components' kept log-odds."""
    from leadscore.modeling import reference_scores

    _, run = blend_run
    calls = []
    original = reference_scores.calibrated_log_odds

    def counted(estimator, X):
        calls.append(estimator)
        return original(estimator, X)

    monkeypatch.setattr(reference_scores, "calibrated_log_odds", counted)
    scores = reference_scores.ReferenceScores(run)
    for kind in (BLEND, "logistic", "lightgbm", BLEND):
        trained = run.models[kind]
        expected = trained.estimator.predict_proba(scores.rows(kind))[:, 1]
        assert np.array_equal(scores.probability(kind), expected), kind
    assert sorted(id(estimator) for estimator in calls) == sorted(
        id(run.models[kind].estimator) for kind in ("logistic", "lightgbm")
    )
