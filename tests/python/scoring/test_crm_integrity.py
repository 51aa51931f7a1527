"""Nothing lost, nothing wrong in silence: bad CRM inputs, each followed from the raw row to staging,
features, scores and the CRM feed, with the exact outcome asserted.

One copy of the trained demo warehouse takes every mutation that can coexist (each on its own leads)
and is rebuilt once; the mutations that must fail the build, and the empty or missing tables that
the pre-flight check stops, get copies of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import execute
from leadscore.byo.checks import DataError
from leadscore.crm_preflight import check_crm_tables
from leadscore.dbt_invocation import DbtError
from leadscore.sync.client import CrmSyncError
from leadscore.sync.run import sync

FUTURE_LOAD = "2099-01-01 00:00:00"
PLACEHOLDER_CREATED = "1900-01-01 00:00:00"
RE_EXTRACTED_TITLE = "VP Re-Extracted"
CONFLICT_TITLE = "Analyst Conflict"


def id_list(ids) -> str:
    """Ids as quoted literals: they compare with the text ids of staging and the integer ids of raw."""
    return ", ".join(f"'{int(value)}'" for value in ids)


@pytest.fixture(scope="module")
def hostile(trained_warehouse, tmp_path_factory):
    """(baseline facts, the mutated and rebuilt copy, the leads each mutation touched)."""
    built, _ = trained_warehouse
    baseline = {
        "clock": built.query("select * from intermediate.int_scoring_clock").iloc[0],
        "training_rows": built.query(
            "select lead_id, count(*) as n from features.lead_training_set group by lead_id"
        ),
        "feed_rows": int(built.query("select count(*) as n from scoring.crm_lead_sync")["n"][0]),
        "scorecard": built.query("select * from quality.data_quality_scorecard").set_index(
            ["table_name", "column_name", "check_name"]
        ),
    }
    scorable = built.query(
        "select lead_id, job_title from intermediate.int_leads_validated "
        "where is_scorable and crm_record_id is not null and cast(lead_id as bigint) % 7 <> 3 order by lead_id"
    )
    touched = {
        "future_load": scorable["lead_id"].iloc[[0]].tolist(),
        "re_extracted": scorable["lead_id"].iloc[10:30].tolist(),
        "conflicting": scorable["lead_id"].iloc[40:50].tolist(),
        "placeholder_created": scorable["lead_id"].iloc[[60]].tolist(),
    }
    titles = dict(zip(scorable["lead_id"], scorable["job_title"], strict=True))
    touched["conflict_winner_titles"] = {
        lead: sorted([titles[lead], CONFLICT_TITLE], key=lambda t: (t is None, t))[0]
        for lead in touched["conflicting"]
    }
    nulled = built.query(
        "select lead_id, crm_record_id is not null as was_synced from intermediate.int_leads_validated "
        "where is_scorable and (cast(lead_id as bigint) % 7 = 3 or crm_record_id is null)"
    )
    touched["null_crm"] = nulled["lead_id"].tolist()
    touched["null_crm_was_synced"] = int(nulled["was_synced"].sum())
    accounts = built.query(
        "select account_id from staging.stg_crm__accounts where annual_revenue_usd is not null and account_id in "
        "(select cast(account_id as varchar) from raw.crm_accounts group by 1 having count(*) = 1) order by account_id limit 4"
    )["account_id"].tolist()
    touched["bad_revenue_accounts"] = accounts
    touched["nan_amount_opportunities"] = built.query(
        "select opportunity_id from staging.stg_crm__opportunities where amount_usd is not null and opportunity_id in "
        "(select cast(opportunity_id as varchar) from raw.crm_opportunities group by 1 having count(*) = 1) "
        "order by opportunity_id limit 20"
    )["opportunity_id"].tolist()

    copy = built.copy_to(tmp_path_factory.mktemp("hostile"))
    execute(
        copy,
        f"update raw.crm_leads set _loaded_at = '{FUTURE_LOAD}' where lead_id = '{touched['future_load'][0]}'",
        "insert into raw.crm_leads select lead_id, crm_record_id, account_id, email, "
        f"'{RE_EXTRACTED_TITLE}', lead_source, created_at, _loaded_at + interval 1 day from raw.crm_leads "
        f"where lead_id in ({id_list(touched['re_extracted'])})",
        "insert into raw.crm_leads select lead_id, crm_record_id, account_id, email, "
        f"'{CONFLICT_TITLE}', lead_source, created_at, _loaded_at from raw.crm_leads "
        f"where lead_id in ({id_list(touched['conflicting'])})",
        f"update raw.crm_leads set created_at = '{PLACEHOLDER_CREATED}' "
        f"where lead_id = '{touched['placeholder_created'][0]}'",
        "update raw.crm_leads set crm_record_id = null where cast(lead_id as bigint) % 7 = 3",
        *(
            f"update raw.crm_accounts set annual_revenue = {value} where account_id = '{account}'"
            for account, value in zip(
                accounts, ["'nan'::double", "'inf'::double", "'-inf'::double", "1e308"], strict=True
            )
        ),
        "update raw.crm_opportunities set amount = 'nan'::double "
        f"where opportunity_id in ({id_list(touched['nan_amount_opportunities'])})",
    )
    outcome = copy.dbt("build")
    return baseline, copy, touched, outcome


def scorecard_row(built, table: str, column: str, check: str):
    return built.query(
        "select failing_rows, status from quality.data_quality_scorecard "
        f"where table_name = '{table}' and column_name = '{column}' and check_name = '{check}'"
    ).iloc[0]


def test_one_future_load_time_does_not_move_the_clock(hostile):
    baseline, built, touched, _ = hostile
    clock = built.query("select * from intermediate.int_scoring_clock").iloc[0]
    # The clock is the latest load that is not in the future: the re-extraction a day after the
    # baseline's extract, never 2099.
    assert clock["scoring_at"] == baseline["clock"]["scoring_at"] + pd.Timedelta(days=1)
    lead = touched["future_load"][0]
    assert built.query(f"select count(*) as n from scoring.lead_scores where lead_id = '{lead}'")["n"][0] == 1
    row = scorecard_row(built, "leads", "loaded_at", "in_future")
    assert (row["failing_rows"], row["status"]) == (1, "warn")
    statuses = built.query("select lead_status, count(*) as n from scoring.lead_scores group by 1")
    assert statuses.set_index("lead_status")["n"].get("open", 0) > 0  # not everything aged out


def test_one_1900_created_at_does_not_move_the_history_start(hostile):
    baseline, built, touched, _ = hostile
    clock = built.query("select * from intermediate.int_scoring_clock").iloc[0]
    assert clock["history_start_at"] == baseline["clock"]["history_start_at"]
    assert clock["test_starts_at"] == baseline["clock"]["test_starts_at"]
    lead = touched["placeholder_created"][0]
    rows = baseline["training_rows"]
    expected = int(rows["n"].sum() - rows.loc[rows["lead_id"] == lead, "n"].sum())
    assert built.query("select count(*) as n from features.lead_training_set")["n"][0] == expected
    accounting = built.query(f"select outcome, reason from quality.lead_accounting where lead_id = '{lead}'")
    assert accounting.values.tolist() == [
        ["unscored", "created_at is implausible (before int_scoring_clock.plausible_created_from)"]
    ]
    assert tuple(scorecard_row(built, "leads", "created_at", "implausible")) == (1, "warn")


def test_re_extracted_leads_are_scored_once_with_their_newest_data(hostile):
    _, built, touched, _ = hostile
    ids = id_list(touched["re_extracted"])
    scores = built.query(
        f"select lead_id, count(*) as n from scoring.lead_scores where lead_id in ({ids}) group by 1"
    )
    assert len(scores) == 20 and set(scores["n"]) == {1}
    feed = built.query(
        f"select count(distinct lead_id) as n, count(*) as r from scoring.crm_lead_sync where lead_id in ({ids})"
    )
    assert (feed["n"][0], feed["r"][0]) == (20, 20)
    scored_titles = built.query(
        f"select distinct job_title from intermediate.int_leads_validated where is_scorable and lead_id in ({ids})"
    )["job_title"].tolist()
    assert scored_titles == [RE_EXTRACTED_TITLE]
    superseded = built.query(
        f"select outcome, reason, count(*) as n from quality.lead_accounting where lead_id in ({ids}) "
        "and outcome <> 'synced' group by 1, 2"
    )
    assert superseded.values.tolist() == [
        ["superseded", "older extract of the lead id; its newest version is used", 20]
    ]


def test_a_lead_id_delivered_twice_with_conflicting_data_is_scored_once_from_the_documented_winner(hostile):
    _, built, touched, _ = hostile
    ids = id_list(touched["conflicting"])
    scores = built.query(
        f"select lead_id, count(*) as n from scoring.lead_scores where lead_id in ({ids}) group by 1"
    )
    assert len(scores) == 10 and set(scores["n"]) == {1}
    winners = built.query(
        f"select lead_id, job_title from intermediate.int_leads_validated where is_scorable and lead_id in ({ids})"
    )
    assert (
        dict(zip(winners["lead_id"], winners["job_title"], strict=True)) == touched["conflict_winner_titles"]
    )
    assert tuple(scorecard_row(built, "leads", "lead_id", "conflicting")) == (20, "warn")
    losers = built.query(
        f"select outcome, reason from quality.lead_accounting where lead_id in ({ids}) and outcome = 'superseded'"
    )
    assert len(losers) == 10
    assert set(losers["reason"]) == {
        "conflicting version of the same lead id and load time; lost the documented tie-break"
    }


def test_leads_without_a_crm_record_id_are_scored_counted_and_visible(hostile):
    baseline, built, touched, _ = hostile
    nulled = touched["null_crm"]
    accounting = built.query(
        "select lead_id from quality.lead_accounting where outcome = 'scored_not_synced' "
        "and reason = 'no crm_record_id: cannot be written back to the CRM'"
    )
    assert sorted(accounting["lead_id"]) == sorted(nulled)
    raw_nulled = built.query("select count(*) as n from raw.crm_leads where crm_record_id is null")["n"][0]
    assert scorecard_row(built, "leads", "crm_record_id", "missing")["failing_rows"] == raw_nulled
    feed = int(built.query("select count(*) as n from scoring.crm_lead_sync")["n"][0])
    # The 1900 lead left the feed too (it is unscored); nothing else did.
    assert feed == baseline["feed_rows"] - touched["null_crm_was_synced"] - len(
        touched["placeholder_created"]
    )


def test_nan_and_infinite_numbers_are_flagged_and_never_reach_a_probability_or_a_tier(hostile):
    baseline, built, touched, _ = hostile
    assert scorecard_row(built, "accounts", "annual_revenue", "not_finite")["failing_rows"] == 3
    before = baseline["scorecard"].loc[("accounts", "annual_revenue", "out_of_range"), "failing_rows"]
    assert scorecard_row(built, "accounts", "annual_revenue", "out_of_range")["failing_rows"] == before + 1
    assert scorecard_row(built, "opportunities", "amount", "not_finite")["failing_rows"] == 20
    revenue = built.query(
        "select annual_revenue_usd from staging.stg_crm__accounts "
        f"where account_id in ({id_list(touched['bad_revenue_accounts'])})"
    )
    assert revenue["annual_revenue_usd"].isna().all()
    economics = built.query(
        "select value_per_conversion_usd, min_probability from scoring.lead_tier_thresholds"
    )
    assert (
        np.isfinite(economics["value_per_conversion_usd"]).all()
        and economics["value_per_conversion_usd"].gt(0).all()
    )
    scores = built.query("select lead_status, probability, tier from scoring.lead_scores")
    assert np.isfinite(scores["probability"]).all() and scores["probability"].between(0, 1).all()
    assert scores.loc[scores["lead_status"] == "open", "tier"].notna().all()


def test_every_raw_lead_is_accounted_for(hostile):
    _, built, _, outcome = hostile
    raw = int(built.query("select count(*) as n from raw.crm_leads")["n"][0])
    reconciliation = built.query("select outcome, reason, lead_rows from quality.lead_reconciliation")
    assert int(reconciliation["lead_rows"].sum()) == raw
    assert not reconciliation["reason"].str.startswith(("scored but", "has features", "scorable but")).any()
    # The build passed (warnings only), the accounting test among its tests.
    assert outcome.counts.get("error", 0) == 0 and outcome.counts.get("fail", 0) == 0


@pytest.fixture(scope="module")
def failing_build(trained_warehouse, tmp_path_factory):
    """Three leads sharing one CRM record id, and an unknown activity type on a quarter of activities."""
    built, _ = trained_warehouse
    copy = built.copy_to(tmp_path_factory.mktemp("failing"))
    shared = built.query(
        "select lead_id from intermediate.int_leads_validated where is_scorable and crm_record_id is not null "
        "order by lead_id limit 3"
    )["lead_id"].tolist()
    execute(
        copy,
        f"update raw.crm_leads set crm_record_id = 'SHARED-RECORD' where lead_id in ({id_list(shared)})",
        "update raw.crm_activities set activity_type = 'Hologram Call' where activity_id % 4 = 0",
    )
    with pytest.raises(DbtError) as failure:
        copy.dbt("build")
    return copy, shared, str(failure.value)


def test_a_failed_build_names_the_table_column_and_count(failing_build):
    built, _, message = failing_build
    unknown = built.query(
        "select count(*) as n from staging.stg_crm__activities where dq_activity_type__unknown_category"
    )["n"][0]
    assert "test data_quality_no_error_level_checks fail (on data_quality_scorecard)" in message
    assert (
        f"table_name=activities, column_name=activity_type, check_name=unknown_category, failing_rows={unknown}"
        in message
    )
    assert "test unique_crm_lead_sync_crm_record_id fail (on crm_lead_sync)" in message
    assert "unique_field=SHARED-RECORD, n_records=3" in message


def test_sync_refuses_a_feed_with_a_shared_crm_record_id(failing_build):
    built, shared, _ = failing_build
    assert tuple(scorecard_row(built, "leads", "crm_record_id", "shared")) == (3, "warn")
    accounting = built.query(
        f"select outcome, reason, count(*) as n from quality.lead_accounting where lead_id in ({id_list(shared)}) group by 1, 2"
    )
    assert accounting.values.tolist() == [
        [
            "scored_not_synced",
            "crm_record_id shared with another lead: leadscore sync refuses the feed until it is fixed",
            3,
        ]
    ]
    warehouse = built.connect(read_only=False)
    try:
        with built.env(), pytest.raises(CrmSyncError, match=r"SHARED-RECORD \(3 rows\)"):
            sync(warehouse, client=None)
    finally:
        warehouse.close()


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("delete from raw.crm_activities", "raw.crm_activities (the CRM's activities) is empty: 0 rows"),
        ("delete from raw.crm_leads", "raw.crm_leads (the CRM's leads) is empty: 0 rows"),
        (
            "delete from raw.crm_opportunities",
            "raw.crm_opportunities (the CRM's opportunities) is empty: 0 rows",
        ),
        ("drop table raw.crm_accounts", "raw.crm_accounts (the CRM's accounts) cannot be read"),
    ],
    ids=["empty-activities", "empty-leads", "no-conversions", "missing-accounts"],
)
def test_missing_or_empty_tables_are_stopped_before_dbt_with_the_table_named(
    trained_warehouse, tmp_path, statement, expected
):
    built, _ = trained_warehouse
    copy = built.copy_to(tmp_path)
    execute(copy, statement)
    with copy.env():
        warehouse = copy.connect()
        try:
            with pytest.raises(DataError) as failure:
                check_crm_tables(warehouse)
        finally:
            warehouse.close()
    assert expected in str(failure.value)


def test_the_cli_prints_one_message_without_a_traceback(trained_warehouse, tmp_path):
    built, _ = trained_warehouse
    copy = built.copy_to(tmp_path)
    execute(copy, "delete from raw.crm_activities")
    command = [str(Path(sys.executable).parent / "leadscore"), "build"]
    environment = {**os.environ, **copy.environment}
    result = subprocess.run(command, env=environment, capture_output=True, text=True, cwd=copy.project)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "DataError: raw.crm_activities (the CRM's activities) is empty: 0 rows" in output
    assert "Traceback" not in output
    debug = subprocess.run(
        [*command, "--debug"], env=environment, capture_output=True, text=True, cwd=copy.project
    )
    assert debug.returncode == 1 and "Traceback" in debug.stdout + debug.stderr
