"""Segment models take over their segment in SQL; the snapshot turns score jumps into an alert list."""

from __future__ import annotations

import numpy as np

from conftest import clone_warehouse
from leadscore.modeling.segments import fit_segments
from leadscore.registry.artifacts import load_model_version
from leadscore.registry.dbt_assets import write_macros
from leadscore.registry.registry import Segments, load_registry, promote


def test_a_segment_model_scores_its_segment_and_the_champion_the_rest(trained_warehouse, tmp_path):
    original, outcome = trained_warehouse
    warehouse = clone_warehouse(original, tmp_path)
    with warehouse.env():
        registry = load_registry()
        segment_model = registry.challenger  # any saved version will do to test the selection
        promote(
            registry.champion,
            registry.challenger,
            "test segments",
            Segments("lead_source", {"paid_search": segment_model}),
        )
        registry = load_registry()
        write_macros(registry, {model_id: load_model_version(model_id) for model_id in registry.model_ids()})
        estimators = {
            model_id: load_model_version(model_id).load_estimator() for model_id in registry.model_ids()
        }
    warehouse.dbt("build", "--selector", "scores")
    scores = warehouse.query("select * from scoring.lead_scores")
    features = warehouse.query("select * from features.lead_features")
    merged = features.merge(scores, on="lead_id")
    in_segment = merged["lead_source"] == "paid_search"
    assert in_segment.sum() > 100 and (~in_segment).sum() > 100
    assert (merged.loc[in_segment, "model_version"] == segment_model).all()
    assert (merged.loc[~in_segment, "model_version"] == registry.champion).all()
    columns = list(outcome.run.data.spec.features)
    for mask, model_id in ((in_segment, segment_model), (~in_segment, registry.champion)):
        expected = estimators[model_id].predict_proba(merged.loc[mask, columns])[:, 1]
        assert np.abs(merged.loc[mask, "probability"].to_numpy() - expected).max() < 1e-9
    reasons = warehouse.query("select distinct lead_id, model_version from scoring.lead_score_reasons")
    assert set(
        reasons.merge(merged[["lead_id", "model_version"]], on="lead_id").pipe(
            lambda m: m["model_version_x"] == m["model_version_y"]
        )
    ) == {True}


def test_segment_models_are_kept_only_when_they_beat_the_champion(trained_warehouse):
    _, outcome = trained_warehouse
    run = outcome.run
    champion = run.models[run.champion]
    candidates, estimators = fit_segments(
        run.data,
        "lead_source",
        run.champion,
        champion.tuning.params,
        champion.train_only_estimator,
        min_positives=30,
    )
    assert candidates
    for candidate in candidates:
        assert (candidate.value in estimators) == candidate.kept
        if candidate.kept:
            assert candidate.validation_auc > candidate.champion_validation_auc


def test_leads_whose_score_jumps_are_listed(trained_warehouse, tmp_path):
    original, _ = trained_warehouse
    warehouse = clone_warehouse(original, tmp_path)
    quiet = warehouse.query(
        "select s.lead_id, f.as_of_at from scoring.lead_scores s join features.lead_features f using (lead_id) "
        "where s.is_open and s.score < 5 order by s.lead_id limit 12"
    )
    ids = quiet["lead_id"].tolist()
    connection = warehouse.connect(read_only=False)
    try:
        rows = []
        for lead_id, as_of_at in zip(ids, quiet["as_of_at"], strict=True):
            for hours, kind, url in [
                (70, "Page View", "/pricing"),
                (50, "Page View", "/pricing"),
                (30, "Page View", "/compare/vs-legacy"),
                (20, "Demo Requested", "/demo"),
                (10, "Page View", "/pricing"),
                (5, "Trial Signup", "/signup"),
            ]:
                rows.append(
                    f"({9_000_000_000 + len(rows)}, {lead_id}, '{kind}', '{url}', timestamp '{as_of_at}' - interval {hours} hour, timestamp '{as_of_at}')"
                )
        connection.execute(f"insert into raw.crm_activities values {', '.join(rows)}")
    finally:
        connection.close()
    warehouse.dbt("build", "--exclude", "test_type:unit")
    spikes = warehouse.query("select * from scoring.lead_score_spikes")
    assert len(spikes) >= 3
    assert set(spikes["lead_id"]) <= set(ids)  # nothing else changed, so nothing else spikes
    assert ((spikes["score_change"] >= 10) | (spikes["tier"] == "hot")).all()
    history = warehouse.query(
        "select lead_id, count(*) as versions from snapshots.lead_score_history group by lead_id"
    )
    assert history.set_index("lead_id").loc[spikes["lead_id"], "versions"].min() >= 2


def test_top_tier_capacity_caps_hot_leads(trained_warehouse, tmp_path):
    original, _ = trained_warehouse
    warehouse = clone_warehouse(original, tmp_path)
    uncapped = warehouse.query("select count(*) as n from scoring.lead_scores where tier_rank = 1")["n"][0]
    capacity = max(1, uncapped // 3)
    warehouse.dbt("build", "--selector", "scores", "--vars", f"{{leadscore_hot_tier_capacity: {capacity}}}")
    scores = warehouse.query("select * from scoring.lead_scores where is_open")
    hot = scores[scores["tier_rank"] == 1]
    assert len(hot) == capacity
    # the most likely ones keep the top tier; the rest that earned it drop one tier
    assert hot["probability"].min() >= scores[scores["tier_rank"] == 2]["probability"].max()
