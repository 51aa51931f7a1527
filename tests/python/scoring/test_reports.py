"""The two reports people read after `make demo`: they agree on drift (one computation, shown in
both), and both speak to the sales-ops lead before the technical detail."""

from __future__ import annotations

import re

import numpy as np

from leadscore.modeling.job import champion_current_drift
from leadscore.monitoring.baselines import SCORE_FEATURE
from leadscore.monitoring.report import render_monitoring_report


def _drift_summary(page: str) -> str:
    section = page[page.index("Has anything moved") :]
    summary = re.search(r'<p class="summary[^"]*">(.*?)</p>', section, re.S)
    assert summary, "no drift summary"
    return " ".join(summary.group(1).split())


def test_the_training_and_monitoring_reports_tell_the_same_drift_and_speak_to_sales_first(
    trained_warehouse, tmp_path
):
    warehouse, outcome = trained_warehouse
    # The training report's figures (Python, at training time) equal monitoring's current run (SQL,
    # after `dbt build --selector scores` loaded the new champion's baseline).
    connection = warehouse.connect()
    try:
        with warehouse.env():
            python_drift = champion_current_drift(
                connection, outcome.run, outcome.registry.champion, outcome.versions
            ).set_index("feature")
            monitoring = render_monitoring_report(
                connection, warehouse.project / "target", tmp_path / "m.html"
            )
    finally:
        connection.close()
    sql_drift = warehouse.query(
        "select feature, psi_vs_training, js_distance_vs_training from monitoring.monitoring_feature_drift "
        "where snapshot_kind = 'current' and (is_score or is_top_feature)"
    ).set_index("feature")
    assert set(python_drift.index) == set(sql_drift.index) and SCORE_FEATURE in sql_drift.index
    assert len(sql_drift) == 6  # the score and the champion's five most important features
    joined = python_drift.join(sql_drift, rsuffix="_sql")
    # Features bin the same values: equal to 1e-9. The score is predict_proba here and the SQL's
    # probability there (equal to ~1e-15), so a lead sitting exactly on a bin edge could change bin:
    # one lead of thousands moves PSI by about 1e-4.
    features = joined.drop(index=SCORE_FEATURE)
    for column in ("psi_vs_training", "js_distance_vs_training"):
        assert np.allclose(features[column], features[f"{column}_sql"], atol=1e-9, rtol=0), column
        assert abs(joined.loc[SCORE_FEATURE, column] - joined.loc[SCORE_FEATURE, f"{column}_sql"]) < 1e-3

    training_page, monitoring_page = outcome.report.read_text(), monitoring.read_text()
    assert _drift_summary(training_page) == _drift_summary(monitoring_page)
    for page in (training_page, monitoring_page):
        assert page.index("For sales") < page.index("Has anything moved") < page.index('class="technical"')
        assert "champion_probability" not in page.split('class="technical"')[0]  # people's words up front
    # The example lead is the open lead with the highest score, with the reasons the views hold.
    top = warehouse.query(
        "select lead_id, score from scoring.lead_scores where is_open order by score desc, lead_id limit 1"
    ).iloc[0]
    reasons = warehouse.query(
        f"select reason_text from scoring.lead_score_reasons where lead_id = '{top['lead_id']}'"
    )["reason_text"]
    example = monitoring_page[monitoring_page.index("An example") :]
    assert f"Lead <b>{top['lead_id']}</b>: score <b>{top['score']}</b>" in " ".join(example.split())
    assert len(reasons) and all(text.replace("'", "&#39;") in example for text in reasons)
    # the oracle row is explained where it appears (the demo's generator knows the true propensity)
    if "oracle (true propensity)" in training_page:
        assert "the ceiling no model can pass" in training_page
