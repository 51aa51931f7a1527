"""Monitoring in SQL against independent Python: drift (PSI and Jensen-Shannon distance per feature,
the score and period, against the training baseline and the previous period) equals
python/leadscore/monitoring/drift.py to 1e-9; ROC-AUC per month equals scikit-learn's roc_auc_score,
ties included; the registry and decision log follow artifacts/registry.json."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from leadscore.monitoring.baselines import SCORE_FEATURE, prepared
from leadscore.monitoring.drift import Bins, bin_shares, js_distance, psi


def _bins(baseline: pd.DataFrame) -> Bins:
    ordered = baseline.sort_values("bin_index")
    if (ordered["bin_kind"] == "range").any():
        return Bins("numeric", edges=tuple(ordered["upper_edge"].dropna().tolist()))
    return Bins("categorical", categories=tuple(ordered.loc[ordered["bin_kind"] == "category", "category"]))


def test_baseline_in_the_warehouse_is_the_champions(trained_warehouse):
    warehouse, outcome = trained_warehouse
    table = warehouse.query("select * from monitoring.monitoring_baselines order by feature, bin_index")
    version = outcome.versions[outcome.run.champion]
    saved = version.baseline.sort_values(["feature", "bin_index"]).reset_index(drop=True)
    assert set(table["model_id"]) == {outcome.registry.champion}
    np.testing.assert_array_equal(table["training_share"].to_numpy(), saved["share"].to_numpy())
    np.testing.assert_array_equal(
        table["upper_edge"].to_numpy(dtype=float), saved["upper_edge"].to_numpy(dtype=float)
    )
    assert set(table["feature"]) == {*outcome.run.data.spec.features, SCORE_FEATURE}
    for _, bins in table.groupby("feature"):
        assert bins["training_share"].sum() == pytest.approx(1.0, abs=1e-12)


def test_drift_in_sql_equals_python(trained_warehouse):
    warehouse, outcome = trained_warehouse
    spec = outcome.run.data.spec
    baseline = warehouse.query("select * from monitoring.monitoring_baselines")
    drift = warehouse.query("select * from monitoring.monitoring_feature_drift order by as_of_at, feature")
    snapshots = warehouse.query("select * from monitoring.monitoring_scored_snapshots")
    kinds = {feature: spec.kind_of(feature) for feature in spec.features} | {SCORE_FEATURE: "numeric"}
    periods = sorted(snapshots["as_of_at"].unique())
    assert len(periods) >= 20 and set(drift["as_of_at"]) == set(periods)
    checked = 0
    for feature, kind in kinds.items():
        reference = baseline[baseline["feature"] == feature].sort_values("bin_index")
        bins = _bins(reference)
        assert bins.names.__len__() == len(reference)
        training = reference["training_share"].to_numpy()
        shares = {
            period: bin_shares(prepared(snapshots.loc[snapshots["as_of_at"] == period, feature], kind), bins)
            for period in periods
        }
        rows = drift[drift["feature"] == feature].set_index("as_of_at")
        for index, period in enumerate(periods):
            row = rows.loc[period]
            assert abs(row["psi_vs_training"] - psi(training, shares[period])) < 1e-9
            assert abs(row["js_distance_vs_training"] - js_distance(training, shares[period])) < 1e-9
            if index == 0:
                assert pd.isna(row["psi_vs_previous"])
                continue
            previous = shares[periods[index - 1]]
            assert abs(row["psi_vs_previous"] - psi(previous, shares[period])) < 1e-9
            assert abs(row["js_distance_vs_previous"] - js_distance(previous, shares[period])) < 1e-9
            checked += 1
    assert checked > 500


def test_auc_in_sql_equals_scikit_learn_per_month(trained_warehouse):
    warehouse, _ = trained_warehouse
    months = warehouse.query("select * from monitoring.monitoring_performance_by_month order by as_of_at")
    scores = warehouse.query(
        "select as_of_at, is_converted_in_window, champion_probability from scoring.lead_training_scores"
    )
    assert len(months) >= 20
    for month in months.itertuples():
        rows = scores[scores["as_of_at"] == month.as_of_at]
        y = rows["is_converted_in_window"].astype(int)
        assert abs(month.roc_auc - roc_auc_score(y, rows["champion_probability"])) < 1e-9
        assert month.labelled_rows == len(rows) and month.conversions == y.sum()


def test_the_auc_formula_counts_ties_as_scikit_learn_does(trained_warehouse):
    """The compiled model's own SQL, run on hand-made rows full of tied scores."""
    import duckdb

    built, _ = trained_warehouse
    compiled = next((built.project / "target" / "compiled").rglob("monitoring_performance_by_month.sql"))
    sql = compiled.read_text()
    relation = next(
        line.split("from ")[1].strip()
        for line in sql.splitlines()
        if "lead_training_scores" in line and "from " in line
    )
    rng = np.random.default_rng(5)
    n = 600
    ties = pd.DataFrame(
        {
            "as_of_at": pd.Timestamp("2030-01-01") + pd.to_timedelta(rng.integers(0, 3, n) * 31, unit="D"),
            "is_converted_in_window": rng.random(n) < 0.3,
            "champion_probability": rng.integers(0, 6, n) / 10.0,  # six distinct scores: ties everywhere
        }
    )
    with duckdb.connect() as connection:
        connection.register("tied_scores", ties)
        result = connection.execute(sql.replace(relation, "tied_scores")).df()
    assert len(result) == 3
    for month in result.itertuples():
        rows = ties[ties["as_of_at"] == month.as_of_at]
        expected = roc_auc_score(rows["is_converted_in_window"], rows["champion_probability"])
        assert abs(month.roc_auc - expected) < 1e-12


def test_registry_and_decision_log_follow_the_registry_file(trained_warehouse):
    warehouse, outcome = trained_warehouse
    registry = warehouse.query("select * from monitoring.model_registry")
    statuses = dict(zip(registry["model_id"], registry["status"], strict=True))
    assert statuses[outcome.registry.champion] == "champion"
    assert statuses[outcome.registry.challenger] == "challenger"
    champion = registry.set_index("model_id").loc[outcome.registry.champion]
    assert champion["walk_forward_auc"] == outcome.run.models[outcome.run.champion].walk_forward.mean_auc
    log = warehouse.query("select * from monitoring.model_decision_log order by decision_number")
    history = json.loads(
        (outcome.versions[outcome.run.champion].folder.parents[1] / "registry.json").read_text()
    )["history"]
    assert log["champion_model_id"].tolist() == [entry["champion"] for entry in history]
    assert log["reason"].iloc[-1] == history[-1]["reason"]


def test_estimated_auc_is_the_probability_weighted_auc_and_tracks_the_labels(trained_warehouse):
    """CBPE in SQL equals roc_auc_score with each snapshot counted as a conversion with weight p and
    a non-conversion with weight 1 - p. Against what the labels later showed it is judged on the
    walk-forward periods, whose probabilities came from fits that had not seen those labels (the
    served model has seen every labelled month, so its realised AUC there is in-sample)."""
    warehouse, outcome = trained_warehouse
    estimated = warehouse.query("select * from monitoring.monitoring_estimated_performance order by as_of_at")
    snapshots = warehouse.query(
        "select as_of_at, champion_probability from monitoring.monitoring_scored_snapshots"
    )
    for period in estimated.itertuples():
        p = snapshots.loc[snapshots["as_of_at"] == period.as_of_at, "champion_probability"].to_numpy()
        expected = roc_auc_score(
            np.r_[np.ones(len(p)), np.zeros(len(p))], np.r_[p, p], sample_weight=np.r_[p, 1 - p]
        )
        assert abs(period.estimated_auc - expected) < 1e-9
        assert abs(period.expected_conversion_rate - p.mean()) < 1e-12
    assert (estimated["snapshot_kind"] == "current").sum() == 1
    assert estimated["realised_auc"].notna().sum() >= 15
    for model in outcome.run.models.values():
        periods = model.walk_forward.periods
        gap = periods["estimated_auc"] - periods["roc_auc"]
        # Judged against the realised AUC's own sampling error (Hanley & McNeil 1982): with ~30
        # conversions a period, the labels alone move the AUC by about 0.04.
        z = gap / hanley_mcneil_se(
            periods["roc_auc"], periods["conversions"], periods["rows"] - periods["conversions"]
        )
        assert z.abs().mean() < 1.5 and z.abs().max() < 3.5, periods[
            ["period", "estimated_auc", "roc_auc"]
        ].assign(z=z)


def hanley_mcneil_se(auc: pd.Series, positives: pd.Series, negatives: pd.Series) -> pd.Series:
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)
    return np.sqrt(variance / (positives * negatives))


def test_score_is_the_rank_among_open_leads_and_the_trend_compares_it_with_the_latest_snapshot(
    trained_warehouse,
):
    """score = ceil(100 x the share of this run's open leads at or below the lead's probability);
    previous_score places the latest monthly snapshot's probability on the same scale; a move of
    var leadscore_score_trend_points (5) is a trend. Recomputed here with numpy from the snapshots."""
    warehouse, _ = trained_warehouse
    snapshots = warehouse.query(
        "select lead_id, as_of_at, snapshot_kind, champion_probability from monitoring.monitoring_scored_snapshots"
    )
    scores = warehouse.query(
        "select lead_id, is_open, probability, score, tier_rank, score_trend, previous_score from scoring.lead_scores"
    ).set_index("lead_id")
    open_probabilities = np.sort(scores.loc[scores["is_open"], "probability"].to_numpy())

    def on_the_scale(probability: pd.Series) -> pd.Series:
        at_or_below = np.searchsorted(open_probabilities, probability.to_numpy(), side="right")
        return pd.Series(np.ceil(100 * at_or_below / len(open_probabilities)), index=probability.index)

    assert (scores["score"] == on_the_scale(scores["probability"])).all()
    open_scores = scores[scores["is_open"]]
    assert open_scores["score"].between(1, 100).all() and open_scores["score"].max() == 100
    # the top tier holds at most 5% of the open leads (var leadscore_hot_tier_share)
    assert 0 < (open_scores["tier_rank"] == 1).sum() <= np.ceil(0.05 * len(open_scores))

    current = snapshots[snapshots["snapshot_kind"] == "current"].set_index("lead_id")["champion_probability"]
    history = snapshots[snapshots["snapshot_kind"] == "history"].sort_values("as_of_at")
    previous = history.groupby("lead_id")["champion_probability"].last().reindex(current.index)
    previous_score = on_the_scale(previous.dropna()).reindex(current.index)
    change = on_the_scale(current) - previous_score
    expected = pd.Series("steady", index=current.index)
    expected[change >= 5] = "improving"
    expected[change <= -5] = "declining"
    expected[change.isna()] = "new"
    assert open_scores["score_trend"].to_dict() == expected.reindex(open_scores.index).to_dict()
    assert (
        open_scores["previous_score"].dropna() == previous_score.reindex(open_scores.index).dropna()
    ).all()
    assert set(expected) >= {"improving", "steady", "declining", "new"}
    assert scores.loc[~scores["is_open"], "score_trend"].isna().all()


def _alert(warehouse, name: str) -> tuple[str, pd.DataFrame]:
    """Run one alert test; its status in run_results.json and its failing rows (the compiled SQL)."""
    warehouse.dbt("test", "--select", name, check=False)
    results = json.loads((warehouse.project / "target" / "run_results.json").read_text())["results"]
    result = next(r for r in results if f".{name}" in r["unique_id"])
    connection = warehouse.connect()
    try:
        rows = connection.query(result["compiled_code"])
    finally:
        connection.close()
    return result["status"], rows


def test_monitoring_speaks_up_on_an_empty_run_a_month_without_conversions_and_an_auc_it_cannot_compute(
    trained_warehouse,
):
    """The cases that used to stay quiet: no current row for the volume alert to compare, and a NULL AUC."""
    warehouse, _ = trained_warehouse
    quiet = {
        name: _alert(warehouse, name)[0]
        for name in (
            "alert_current_run_scored_no_leads",
            "alert_month_without_expected_conversions",
            "alert_live_auc_not_computable",
        )
    }
    assert quiet == dict.fromkeys(quiet, "pass")
    connection = warehouse.connect(read_only=False)
    try:
        current = int(
            connection.query(
                "select count(*) as n from monitoring.monitoring_scored_snapshots where snapshot_kind = 'current'"
            )["n"][0]
        )
        assert current > 0
        connection.execute(
            "delete from monitoring.monitoring_scored_snapshots where snapshot_kind = 'current'"
        )
        month = connection.query(
            "select as_of_at, labelled_rows, mean_probability * labelled_rows as expected "
            "from monitoring.monitoring_performance_by_month order by as_of_at desc limit 1"
        ).iloc[0]
        assert month["expected"] >= 5
        connection.execute(
            "update monitoring.monitoring_performance_by_month set conversions = 0, roc_auc = null, "
            f"is_after_training = true where as_of_at = '{month['as_of_at']}'"
        )
    finally:
        connection.close()
    try:
        status, rows = _alert(warehouse, "alert_current_run_scored_no_leads")
        assert status == "warn" and len(rows) == 1
        assert rows["scored_rows"][0] == 0 and rows["usual_rows"][0] > 0
        status, rows = _alert(warehouse, "alert_month_without_expected_conversions")
        assert status == "warn" and list(rows["as_of_at"]) == [month["as_of_at"]]
        assert (
            rows["expected_conversions"][0] == pytest.approx(month["expected"])
            and rows["conversions"][0] == 0
        )
        status, rows = _alert(warehouse, "alert_live_auc_not_computable")
        assert status == "warn" and list(rows["labelled_rows"]) == [month["labelled_rows"]]
    finally:
        warehouse.dbt("run", "--select", "monitoring_scored_snapshots", "monitoring_performance_by_month")
