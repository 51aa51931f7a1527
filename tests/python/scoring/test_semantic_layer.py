"""dbt's semantic layer shows what the reports show: `mf query` (MetricFlow, as a BI tool reading the
semantic layer runs it) gives the open leads per tier of scoring.lead_scores, the tier conversion
the monitoring report prints, and the champion's lift over the legacy rule score from the deciles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MF = Path(sys.executable).parent / "mf"


def _query(warehouse, tmp_path: Path, metrics: str, group_by: str) -> pd.DataFrame:
    output = tmp_path / f"{metrics.replace(',', '_')}.csv"
    result = subprocess.run(
        [str(MF), "query", "--metrics", metrics, "--group-by", group_by, "--csv", str(output)],
        cwd=warehouse.project,
        env={**os.environ, **warehouse.environment},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return pd.read_csv(output, keep_default_na=False, na_values=[""])


def test_metricflow_gives_the_numbers_the_reports_give(trained_warehouse, tmp_path):
    if not MF.exists() and shutil.which("mf") is None:
        pytest.fail("dbt-metricflow is not installed (make test installs it with the dev extra)")
    warehouse, _ = trained_warehouse
    open_leads = _query(warehouse, tmp_path, "open_leads,open_expected_conversions", "scored_lead__tier")
    scores = warehouse.query("select tier, probability from scoring.lead_scores where is_open")
    expected = scores.groupby("tier").agg(leads=("probability", "size"), expected=("probability", "sum"))
    by_tier = open_leads.dropna(subset=["scored_lead__tier"]).set_index("scored_lead__tier")
    assert by_tier.loc[expected.index, "open_leads"].tolist() == expected["leads"].tolist()
    assert np.allclose(
        by_tier.loc[expected.index, "open_expected_conversions"], expected["expected"], rtol=1e-9
    )

    rates = _query(warehouse, tmp_path, "tier_conversion_rate", "tier_month__tier").set_index(
        "tier_month__tier"
    )
    months = warehouse.query(
        "select tier, labelled_rows, conversions from monitoring.monitoring_tier_performance_by_month"
    )
    sums = months.groupby("tier")[["labelled_rows", "conversions"]].sum()
    assert np.allclose(
        rates.loc[sums.index, "tier_conversion_rate"], sums["conversions"] / sums["labelled_rows"]
    )

    lift = _query(warehouse, tmp_path, "lift_over_rule_score", "score_decile__split").set_index(
        "score_decile__split"
    )
    deciles = warehouse.query("select * from monitoring.monitoring_score_deciles where decile = 1").set_index(
        ["split", "score_kind"]
    )
    rate = deciles["conversions"] / deciles["snapshots"]
    for split in ("train", "validation", "test"):
        assert lift.loc[split, "lift_over_rule_score"] == pytest.approx(
            rate[(split, "champion")] / rate[(split, "legacy_rule_score")], rel=1e-9
        )
        assert lift.loc[split, "lift_over_rule_score"] > 1  # the model ranks better than the rules
