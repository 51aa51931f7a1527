"""The dbt project on a freshly generated demo CRM: nothing lost, every injected fault found,
no leakage, labels and splits as configured. Checked against what the generator knows."""

from __future__ import annotations

import pytest

from leadscore.demo_data.generator import TABLE_COLUMNS


def test_scorecard_finds_exactly_the_injected_dirt(duckdb_warehouse):
    scorecard = duckdb_warehouse.query(
        "select table_name, column_name, check_name, failing_rows from quality.data_quality_scorecard"
    )
    found = {f"{r.table_name}.{r.column_name}.{r.check_name}": r.failing_rows for r in scorecard.itertuples()}
    injected = {key: count for key, count in duckdb_warehouse.dirt.items() if not key.endswith(".rows")}
    assert injected, "the generator injected no dirt"
    for key, count in injected.items():
        assert found[key] == count, f"{key}: scorecard {found[key]} vs injected {count}"
    # Checks with no injected dirt find nothing (no false alarms).
    for key, count in found.items():
        if key not in injected:
            assert count == 0, f"{key} flags {count} rows but nothing was injected"


def test_no_raw_row_is_dropped(duckdb_warehouse):
    for raw, kept in [
        ("raw.crm_accounts", "staging.stg_crm__accounts"),
        ("raw.crm_leads", "intermediate.int_leads_validated"),
        ("raw.crm_activities", "intermediate.int_activities_validated"),
        ("raw.crm_opportunities", "intermediate.int_opportunities_validated"),
    ]:
        counts = duckdb_warehouse.query(
            f"select (select count(*) from {raw}) as raw_rows, (select count(*) from {kept}) as kept_rows"
        )
        assert counts.raw_rows[0] == counts.kept_rows[0], raw


def test_titles_parse_to_the_true_seniority(duckdb_warehouse):
    agreement = duckdb_warehouse.query(
        "select avg(case when l.seniority = o.true_seniority then 1.0 else 0.0 end) as seniority_agreement "
        "from intermediate.int_leads_validated l join oracle.lead_propensity o using (lead_id)"
    )
    assert agreement.seniority_agreement[0] == 1.0


def test_label_rate_and_split_are_as_configured(duckdb_warehouse):
    splits = duckdb_warehouse.query("select * from features.lead_training_splits").set_index("split")
    assert set(splits.index) == {"train", "validation", "test", "recent"}
    for split in ("train", "validation", "test"):
        assert 0.02 < splits.loc[split, "label_rate"] < 0.10, splits.loc[split]
    # months 1-16 / 17-19 / 20-22 of history
    history_start = splits.loc["train", "starts_at"]
    assert (splits.loc["validation", "starts_at"] - history_start).days in range(485, 489)
    assert splits.loc["train", "last_label_window_ends_at"] <= splits.loc["test", "starts_at"]


def test_current_features_cover_every_scorable_lead(duckdb_warehouse):
    counts = duckdb_warehouse.query(
        "select (select count(*) from features.lead_features) as scored, "
        "(select count(*) from intermediate.int_leads_validated where is_scorable) as scorable"
    )
    assert (
        counts.scored[0]
        == counts.scorable[0]
        == duckdb_warehouse.config.leads - duckdb_warehouse.dirt["leads.created_at.missing"]
    )


def test_no_dbt_node_reads_the_oracle(duckdb_warehouse):
    manifest = duckdb_warehouse.manifest()
    oracle_tables = {"lead_propensity", "generation_parameters"}
    for source in manifest["sources"].values():
        assert source["schema"] != "oracle" and source["name"] not in oracle_tables
    for node in manifest["nodes"].values():
        code = (node.get("raw_code") or "").lower()
        assert "oracle" not in code, f"{node['unique_id']} mentions the oracle"
    assert not set(TABLE_COLUMNS["lead_propensity"]) - {"lead_id"} & set(
        manifest["nodes"]["model.lead_scoring.lead_training_set"]["columns"]
    )


def test_feature_marts_match_the_documented_feature_list(duckdb_warehouse):
    manifest = duckdb_warehouse.manifest()
    documented = manifest["nodes"]["model.lead_scoring.lead_training_set"]["columns"]
    features = [name for name, column in documented.items() if column["meta"].get("feature_kind")]
    assert 15 <= len(features) <= 30
    assert {documented[name]["meta"]["feature_kind"] for name in features} == {
        "numeric",
        "boolean",
        "categorical",
    }
    for name in features:
        assert documented[name]["description"], name
    built = duckdb_warehouse.query("select * from features.lead_training_set limit 1").columns
    assert set(features) <= set(built)
    assert set(features) <= set(
        duckdb_warehouse.query("select * from features.lead_features limit 1").columns
    )


@pytest.mark.slow
def test_features_do_not_change_when_the_future_is_deleted(duckdb_warehouse, tmp_path):
    """Time travel: delete everything that happened from T on, rebuild as of T, and every
    snapshot before T must have exactly the same features. Any leak from the future would differ."""
    import shutil

    from conftest import BuiltWarehouse

    cut = "2026-02-01 00:00:00"
    database = tmp_path / "truncated.duckdb"
    shutil.copy(duckdb_warehouse.environment["LEADSCORE_DUCKDB_PATH"], database)
    import duckdb

    connection = duckdb.connect(str(database))
    for table, column in [
        ("crm_activities", "occurred_at"),
        ("crm_opportunities", "created_at"),
        ("crm_leads", "created_at"),
        ("crm_accounts", "created_at"),
    ]:
        connection.execute(f"delete from raw.{table} where {column} >= timestamp '{cut}'")
    connection.close()
    truncated = BuiltWarehouse(
        target="duckdb",
        project=duckdb_warehouse.project,
        config=duckdb_warehouse.config,
        dirt=duckdb_warehouse.dirt,
        environment={**duckdb_warehouse.environment, "LEADSCORE_DUCKDB_PATH": str(database)},
    )
    truncated.dbt(
        "build",
        "--vars",
        f"{{leadscore_scoring_at: '{cut}'}}",
        "--exclude",
        "test_type:data",
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "logs"),
    )
    sql = (
        "select * exclude (snapshot_kind, is_open, is_converted) from intermediate.int_lead_features_as_of "
        f"where snapshot_kind = 'history' and as_of_at < timestamp '{cut}' order by lead_id, as_of_at"
    )
    before = truncated.query(sql)
    full = duckdb_warehouse.query(sql)
    assert len(before) > 1000
    assert len(before) == len(full)
    import pandas as pd

    pd.testing.assert_frame_equal(
        before.reset_index(drop=True), full.reset_index(drop=True), check_exact=False, rtol=1e-12
    )


def test_a_rebuild_gives_the_same_feature_bits(duckdb_warehouse, tmp_path):
    """Determinism: the feature models rebuilt on the same data (two threads, as the profile says)
    hold exactly the same values, float sums included (decayed engagement is summed in 2^-30 units)."""
    import pandas as pd

    rebuilt = duckdb_warehouse.copy_to(tmp_path)
    rebuilt.dbt(
        "run",
        "--select",
        "int_lead_activity_counts_as_of int_lead_engagement_as_of int_account_engagement_as_of int_lead_features_as_of",
    )
    sql = "select * from intermediate.int_lead_features_as_of order by lead_id, as_of_at, snapshot_kind"
    again, first = rebuilt.query(sql), duckdb_warehouse.query(sql)
    assert len(again) == len(first) > 1000
    pd.testing.assert_frame_equal(again, first, check_exact=True)
