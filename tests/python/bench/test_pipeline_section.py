"""The pipeline benchmark's section: growth per stage, and the training breakdown when it was read."""

from __future__ import annotations

from leadscore.bench.pipeline import StageResult, render_pipeline_section

STAGES = ("generate", "dbt build", "train", "score")


def test_the_section_shows_growth_and_the_training_breakdown():
    breakdown = {
        "wall_seconds": {"families": 60.0, "SQL for every dialect": 4.0},
        "task_seconds": {"tuning": 72.0, "backtest": 15.0},
    }
    nodes = {
        "dbt build": [
            ("int_activities_validated", 30.0),
            ("monitoring_feature_drift", 12.0),
            ("monitoring_baselines", 3.0),
        ],
        "score": [("lead_training_scores", 51.0)],
    }
    stages = [
        StageResult(
            leads,
            stage,
            seconds * scale,
            100.0 * scale,
            0,
            breakdown if stage == "train" else None,
            nodes.get(stage),
        )
        for leads, scale in ((100_000, 1), (1_000_000, 4))
        for stage, seconds in zip(STAGES, (10.0, 20.0, 80.0, 15.0), strict=True)
    ]
    for stage in stages:
        if stage.stage == "score":
            stage.scored_leads = stage.leads // 10
    text = render_pipeline_section(stages, "bench", {})
    assert "lead_training_scores 51s. It wrote the champion's reasons for 100,000 leads." in text
    assert "80% of RAM" in text and "LEADSCORE_DUCKDB_MEMORY_LIMIT=" not in text
    capped = render_pipeline_section(stages, "bench", {}, "4GB")
    assert "Every stage ran with `LEADSCORE_DUCKDB_MEMORY_LIMIT=4GB`" in capped
    assert "- train: 4.0x the time, 4.0x the memory" in text
    assert "`train` at 1,000,000 leads, step by step: families 60 s, SQL for every dialect 4 s." in text
    assert "tuning 72 s, backtest 15 s" in text
    assert "Slowest dbt nodes of the `score` stage at 1,000,000 leads: lead_training_scores 51s." in text
    assert "Slowest dbt nodes of the `dbt build` stage at 100,000 leads: int_activities_validated 30s" in text
    assert "The 2 monitoring models in it took 15 s together (slowest: monitoring_feature_drift 12s)." in text


def test_a_score_stage_without_the_champion_is_caught(tmp_path):
    """The score stage once built the scoring models empty (the champion's macros off dbt's macro
    path) and reported a time anyway: scored_leads reads what it wrote."""
    import duckdb

    from leadscore.bench.pipeline import scored_leads

    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema intermediate")
    assert scored_leads(database) == 0
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table intermediate.int_lead_score_contributions as select 1 as lead_id")
    assert scored_leads(database) == 1
