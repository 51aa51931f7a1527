"""Sales' feedback: the table `dbt build` creates when it is missing, flags reaching the training mart
and monitoring (unknown flags counted, not dropped), and training excluding or relabelling the leads
flagged mislabeled, with the count said."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import clone_warehouse
from leadscore.modeling.dataset import apply_feedback, load_training_data
from leadscore.modeling.feature_spec import load_feature_spec


@pytest.fixture(scope="module")
def flagged(trained_warehouse, tmp_path_factory):
    built = clone_warehouse(trained_warehouse[0], tmp_path_factory.mktemp("feedback"))
    training = built.query("select distinct lead_id from features.lead_training_set order by lead_id")[
        "lead_id"
    ]
    leads = training.to_numpy()[:40]
    rows = pd.DataFrame(
        {
            "lead_id": leads,
            "flag": ["Mislabeled "] * 20 + ["wrong_score"] * 15 + ["spam"] * 5,  # case and spaces as typed
            "comment": ["x'); drop table raw.crm_leads; --"] * 40,
            "flagged_at": pd.Timestamp("2026-10-15"),
        }
    )
    # Implausible feedback on four more leads, and one on a lead the CRM does not have: counted in
    # the scorecard, never used for training.
    implausible = training.to_numpy()[40:44]
    created = built.query(
        f"select min(created_at) as at from staging.stg_crm__leads where lead_id = '{implausible[3]}'"
    )
    rows = pd.concat(
        [
            rows,
            pd.DataFrame(
                {
                    "lead_id": [*implausible, "987654321987"],
                    "flag": "mislabeled",
                    "comment": None,
                    "flagged_at": [
                        pd.Timestamp("2099-01-01"),  # in the future
                        pd.NaT,  # no time
                        pd.Timestamp("1950-06-01"),  # before any plausible date
                        created["at"][0] - pd.Timedelta(days=1),  # before the lead was created
                        pd.Timestamp("2026-10-15"),  # an unknown lead
                    ],
                }
            ),
        ],
        ignore_index=True,
    )
    with built.env():
        warehouse = built.connect(read_only=False)
        try:
            empty = warehouse.query("select count(*) as n from raw.crm_lead_feedback")["n"][0]
            warehouse.write_frame(
                "raw",
                "crm_lead_feedback",
                rows,
                {"lead_id": "bigint", "flag": "varchar", "comment": "varchar", "flagged_at": "timestamp"},
                True,
            )
        finally:
            warehouse.close()
    built.dbt("build", "--exclude", "resource_type:unit_test")
    return built, leads, empty, implausible


def test_the_table_exists_empty_and_flags_reach_mart_and_monitoring(flagged):
    built, leads, empty, _ = flagged
    assert empty == 0  # created by the on-run-start hook of the first build
    mart = built.query(
        "select lead_id, feedback_flag from features.lead_training_set where feedback_flag is not null"
    )
    assert set(mart.loc[mart["feedback_flag"] == "mislabeled", "lead_id"]) == set(leads[:20])
    assert set(mart.loc[mart["feedback_flag"] == "wrong_score", "lead_id"]) == set(leads[20:35])
    counts = built.query(
        "select flag, is_known_flag, flags, leads, unusable_flags from monitoring.monitoring_lead_feedback "
        "where flagged_month = '2026-10-01'"
    )
    by_flag = counts.set_index("flag")
    # 20 usable mislabeled flags and the one on a lead this CRM does not have.
    assert by_flag.loc["mislabeled", "flags"] == 21 and by_flag.loc["mislabeled", "unusable_flags"] == 1
    assert by_flag.loc["wrong_score", "leads"] == 15
    assert by_flag.loc["spam", "flags"] == 5 and not by_flag.loc["spam", "is_known_flag"]
    assert built.query("select count(*) as n from raw.crm_leads")["n"][0] > 0


def test_training_excludes_or_relabels_the_mislabeled_leads(flagged):
    built, leads, _, _ = flagged
    with built.env():
        warehouse = built.connect()
        try:
            data = load_training_data(
                warehouse, load_feature_spec(built.project / "target" / "manifest.json")
            )
        finally:
            warehouse.close()
    flagged_rows = data.frame["lead_id"].isin(leads[:20]).to_numpy()
    excluded, summary = apply_feedback(data, "exclude")
    assert summary["mislabeled_leads"] == 20 and summary["mislabeled_rows"] == flagged_rows.sum() > 20
    assert len(excluded.frame) == len(data.frame) - flagged_rows.sum()
    assert not excluded.frame["lead_id"].isin(leads[:20]).any()
    relabelled, _ = apply_feedback(data, "relabel")
    label = data.spec.label
    np.testing.assert_array_equal(
        relabelled.frame.loc[flagged_rows, label].to_numpy(),
        ~data.frame.loc[flagged_rows, label].to_numpy(dtype=bool),
    )
    assert relabelled.frame.loc[~flagged_rows, label].equals(data.frame.loc[~flagged_rows, label])
    ignored, _ = apply_feedback(data, "ignore")
    assert ignored.frame.equals(data.frame)
    with pytest.raises(ValueError, match="--feedback must be one of"):
        apply_feedback(data, "drop")


def test_implausible_feedback_is_counted_and_never_used_for_training(flagged):
    built, leads, _, implausible = flagged
    mart = built.query("select distinct lead_id, feedback_flag from features.lead_training_set")
    flagged_ids = set(mart.loc[mart["feedback_flag"].notna(), "lead_id"])
    assert flagged_ids == set(
        map(str, leads[:35])
    )  # the 2099, undated, 1950 and pre-creation flags are not used
    assert not flagged_ids & set(map(str, implausible))
    scorecard = built.query(
        "select column_name, check_name, failing_rows, total_rows, status from quality.data_quality_scorecard "
        "where table_name = 'feedback' and failing_rows > 0"
    )
    found = {
        (row.column_name, row.check_name): (row.failing_rows, row.status) for row in scorecard.itertuples()
    }
    assert found == {
        ("flag", "unknown_category"): (5, "warn"),
        ("flagged_at", "in_future"): (1, "warn"),
        ("flagged_at", "missing"): (1, "warn"),
        ("flagged_at", "implausible"): (1, "warn"),
        ("flagged_at", "before_lead_created"): (1, "warn"),
        ("lead_id", "orphan"): (1, "warn"),
    }
    assert set(scorecard["total_rows"]) == {45}
    unusable = built.query("select sum(unusable_flags) as n from monitoring.monitoring_lead_feedback")["n"][0]
    assert unusable == 5 + 5
