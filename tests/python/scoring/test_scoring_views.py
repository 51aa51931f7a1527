"""The public scoring views after training: what BI and the CRM read."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
from scipy.special import logit

from conftest import clone_warehouse
from leadscore.registry.artifacts import load_model_version
from leadscore.transpile.explain import CONTRIBUTION_PREFIX
from leadscore.transpile.query import INPUT_PLACEHOLDER


def test_bi_queries_from_a_separate_read_only_process(trained_warehouse):
    warehouse, _ = trained_warehouse
    script = textwrap.dedent(
        """
        import json, sys, duckdb
        connection = duckdb.connect(sys.argv[1], read_only=True)
        one = lambda sql: connection.sql(sql).fetchall()
        print(json.dumps({
            "tiers": one("select tier, count(*), avg(probability) from scoring.lead_scores where is_open group by tier order by min(tier_rank)"),
            "reasons": one("select count(distinct lead_id), min(length(reason_text)) from scoring.lead_score_reasons"),
            "accounts": one("select count(*), max(open_leads), avg(probability_any_converts) from scoring.account_scores"),
            "sync": one("select count(*), count(distinct crm_record_id), (select count(*) from scoring.lead_scores) from scoring.crm_lead_sync"),
        }, default=str))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, warehouse.environment["LEADSCORE_DUCKDB_PATH"]],
        capture_output=True,
        text=True,
        check=True,
    )
    answers = json.loads(result.stdout)
    tiers = {name: (count, mean) for name, count, mean in answers["tiers"]}
    assert {"hot", "warm", "nurture"} <= set(tiers) <= {"hot", "warm", "nurture", "cold"}
    assert tiers["hot"][1] > tiers["warm"][1] > tiers["nurture"][1]
    assert answers["reasons"][0][0] > 1000 and answers["reasons"][0][1] > 5
    assert answers["accounts"][0][0] > 500 and answers["accounts"][0][1] >= 2
    rows, records, leads = answers["sync"][0]
    assert rows == records == leads  # one payload per lead, keyed by its CRM record


def test_contributions_sum_to_the_model_log_odds_on_every_lead(trained_warehouse):
    """Independent truth: the log-odds of scikit-learn's predict_proba for every lead."""
    warehouse, outcome = trained_warehouse
    features = warehouse.query("select * from features.lead_features")
    contributions = warehouse.query("select * from intermediate.int_lead_score_contributions")
    merged = features.merge(contributions, on="lead_id", validate="one_to_one")
    with warehouse.env():
        estimator = load_model_version(outcome.registry.champion).load_estimator()
    expected = logit(estimator.predict_proba(merged[list(outcome.run.data.spec.features)])[:, 1])
    columns = [CONTRIBUTION_PREFIX + feature for feature in outcome.run.data.spec.features]
    explained = merged["bias"] + merged[columns].sum(axis=1)
    finite = np.isfinite(expected)
    assert finite.mean() > 0.999
    assert np.abs(explained.to_numpy()[finite] - expected[finite]).max() < 1e-9
    assert len(merged) == len(features) > 1000


def test_tiers_follow_the_configured_economics_and_the_top_tier_stays_a_short_list(trained_warehouse):
    """Each open lead gets the most expensive tier its probability pays for; the top tier holds at
    most 5% of the open leads (var leadscore_hot_tier_share), the likeliest first, and a lead over
    that cap drops to the next tier."""
    warehouse, _ = trained_warehouse
    scores = warehouse.query("select lead_id, probability, tier, is_open from scoring.lead_scores")
    thresholds = warehouse.query("select * from scoring.lead_tier_thresholds order by tier_rank")
    value = thresholds["value_per_conversion_usd"].iloc[0]
    open_leads = scores[scores["is_open"]].sort_values(["probability", "lead_id"], ascending=[False, True])
    within_cap = set(open_leads["lead_id"].iloc[: int(np.ceil(0.05 * len(open_leads)))])
    expected = [
        next(
            row.tier
            for row in thresholds.itertuples()
            if p * value >= row.cost_usd and (row.tier_rank > 1 or lead_id in within_cap)
        )
        if is_open
        else None
        for lead_id, p, is_open in zip(
            scores["lead_id"], scores["probability"], scores["is_open"], strict=True
        )
    ]
    assert [tier if isinstance(tier, str) else None for tier in scores["tier"]] == expected
    assert 0 < (scores["tier"] == thresholds["tier"].iloc[0]).sum() <= len(within_cap)
    hot = thresholds.iloc[0]
    assert hot["min_probability"] == hot["cost_usd"] / value


def test_reasons_read_like_sentences(trained_warehouse):
    """What a rep reads on every lead: no template left over, no "1 people", values in bands (few
    distinct texts a BI tool can group), formatted values, a reason_code on every row, context after
    what the lead did, and a cold lead's positive reasons only when they matter."""
    warehouse, _ = trained_warehouse
    reasons = warehouse.query(
        "select r.*, s.tier_rank, t.last_tier from scoring.lead_score_reasons r "
        "join scoring.lead_scores s using (lead_id) "
        "cross join (select max(tier_rank) as last_tier from scoring.lead_tier_thresholds) t"
    )
    assert not reasons["reason_text"].str.contains("{value}", regex=False).any()
    assert (
        not reasons["reason_text"]
        .str.contains(r"\b1 (?:people|times|touches|kinds|webinars|colleagues)\b")
        .any()
    )
    assert reasons.groupby("lead_id").size().max() <= 6
    positive = reasons[reasons["direction"] == "positive"]
    assert (positive["contribution"] > 0).all()
    assert reasons["reason_text"].str.match(r"^[A-Z0-9$]").all()
    assert reasons["reason_text"].nunique() < 400 < reasons["lead_id"].nunique()
    assert reasons["reason_code"].notna().all()
    assert (reasons["reason_code"].str.split(":").str[0] == reasons["feature_name"]).all()
    assert not reasons["feature_value"].str.contains(r"\d\.\d{2,}").any()
    assert (reasons["contribution"].abs() >= 0.05).all()
    cold_positive = positive[positive["tier_rank"] == positive["last_tier"]]
    assert (cold_positive["contribution"] >= 0.5).all()
    # context (lead age, recency) never ranks above what the lead did or who they are
    is_context = reasons["reason_kind"] == "context"
    ranks = reasons.assign(
        context_rank=reasons["reason_rank"].where(is_context),
        other_rank=reasons["reason_rank"].where(~is_context),
    ).groupby(["lead_id", "direction"])
    first_context, last_other = ranks["context_rank"].min(), ranks["other_rank"].max()
    both = first_context.notna() & last_other.notna()
    assert both.any() and (first_context[both] > last_other[both]).all()


def test_account_probability_is_at_least_its_best_lead(trained_warehouse):
    warehouse, _ = trained_warehouse
    accounts = warehouse.query("select * from scoring.account_scores")
    scores = warehouse.query("select account_id, probability from scoring.lead_scores where is_open")
    recomputed = scores.groupby("account_id")["probability"].apply(lambda p: 1 - np.prod(1 - p))
    merged = accounts.set_index("account_id").join(recomputed.rename("expected"), how="inner")
    assert len(merged) == len(accounts) == scores["account_id"].nunique()
    assert np.allclose(merged["probability_any_converts"], merged["expected"], atol=1e-9)
    sizes = scores.groupby("account_id").size()
    assert (merged["open_leads"] == sizes.loc[merged.index]).all()


def test_shapley_reasons_keep_saabas_beside_them_for_a_var_to_switch_to(trained_warehouse):
    """Trained with Shapley reasons, the champion serves TreeSHAP; `leadscore_tree_reasons: saabas` rebuilds them from
    the Saabas statement saved beside them, with no retraining, and they still add up; an unknown
    method is refused with one message naming the var."""
    warehouse, outcome = trained_warehouse
    with warehouse.env():
        champion = load_model_version(outcome.registry.champion)
        saved_saabas = champion.sql("duckdb", "contributions_saabas").split("\n", 1)[1]
    assert "TreeSHAP" in champion.metadata["explanations"]["method"]
    parity = champion.metadata["sql_parity"]
    assert parity["comparison_contribution_sum"]["max_abs_difference"] < 1e-9
    columns = [CONTRIBUTION_PREFIX + feature for feature in outcome.run.data.spec.features]
    table = "intermediate.int_lead_score_contributions"

    def contributions():
        return warehouse.query(f"select * from {table} order by lead_id").set_index("lead_id")

    shapley = contributions()
    shapley = shapley[shapley["model_version"] == champion.model_id]  # segment models aside
    assert len(shapley) > 1000
    expected_saabas = (
        warehouse.query(saved_saabas.replace(INPUT_PLACEHOLDER, "features.lead_features"))
        .set_index("lead_id")
        .loc[shapley.index]
    )
    try:
        warehouse.dbt(
            "run",
            "--select",
            "int_lead_score_contributions",
            "--vars",
            '{"leadscore_tree_reasons": "saabas"}',
        )
        saabas = contributions().loc[shapley.index]
        refused = warehouse.dbt(
            "run",
            "--select",
            "int_lead_score_contributions",
            "--vars",
            '{"leadscore_tree_reasons": "treeshap"}',
            check=False,
        )
    finally:
        warehouse.dbt("run", "--select", "int_lead_score_contributions")
    assert np.abs(saabas[columns].to_numpy() - expected_saabas[columns].to_numpy()).max() < 1e-12
    # Two different attributions of the same log-odds.
    assert np.abs(saabas[columns].to_numpy() - shapley[columns].to_numpy()).max() > 1e-3
    shapley_sum = shapley["bias"] + shapley[columns].sum(axis=1)
    saabas_sum = saabas["bias"] + saabas[columns].sum(axis=1)
    assert np.abs(shapley_sum - saabas_sum).max() < 1e-9
    assert any("leadscore_tree_reasons" in problem and "saabas" in problem for problem in refused.problems)
    assert (
        np.abs(contributions().loc[shapley.index][columns].to_numpy() - shapley[columns].to_numpy()).max()
        == 0.0
    )


def test_reasons_scope_open_explains_only_the_leads_a_rep_works(trained_warehouse, tmp_path):
    """`leadscore_reasons_scope: open` computes contributions for open leads only: the same values
    for those leads, no rows for closed ones, reasons and the CRM feed's text unchanged for open
    leads and empty for closed ones, and the reasons' tests still pass; another value is refused."""
    built = clone_warehouse(trained_warehouse[0], tmp_path)
    contributions = "select * from intermediate.int_lead_score_contributions order by lead_id"
    payload = "select lead_id, top_reasons from intermediate.int_crm_lead_sync_payload order by lead_id"
    everyone, sent_before = built.query(contributions), built.query(payload).set_index("lead_id")
    is_open = built.query("select lead_id, is_open from scoring.lead_scores").set_index("lead_id")["is_open"]
    assert 0 < is_open.sum() < len(is_open) and set(everyone["lead_id"]) == set(is_open.index)

    reasons_models = [
        "int_lead_score_contributions",
        "int_lead_score_reason_candidates",
        "lead_score_reasons",
    ]
    selected = ["--select", *reasons_models, "int_crm_lead_sync_payload"]
    built.dbt("build", *selected, "--vars", '{"leadscore_reasons_scope": "open"}')
    results = json.loads((built.project / "target" / "run_results.json").read_text())["results"]
    statuses = {result["unique_id"].split(".")[2]: result["status"] for result in results}
    for test in ("assert_contributions_sum_to_log_odds", "assert_lead_score_reasons_are_well_formed"):
        assert statuses[test] == "pass"
    open_only = built.query(contributions)
    expected = everyone[everyone["lead_id"].map(is_open)].reset_index(drop=True)
    assert list(open_only["lead_id"]) == list(expected["lead_id"])
    numbers = [c for c in expected.columns if c == "bias" or c.startswith(CONTRIBUTION_PREFIX)]
    assert np.abs(open_only[numbers].to_numpy() - expected[numbers].to_numpy()).max() == 0.0
    explained = built.query("select distinct lead_id from scoring.lead_score_reasons")["lead_id"]
    assert explained.map(is_open).all() and len(explained) > 0.9 * is_open.sum()
    sent = built.query(payload).set_index("lead_id")["top_reasons"]
    assert (sent[~is_open.loc[sent.index]] == "").all()
    assert sent[is_open].equals(sent_before["top_reasons"][is_open])

    refused = built.dbt(
        "run", "--select", reasons_models[0], "--vars", '{"leadscore_reasons_scope": "closed"}', check=False
    )
    assert any(
        "leadscore_reasons_scope" in problem and "all, open" in problem for problem in refused.problems
    )
