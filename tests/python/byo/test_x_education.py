"""The public X Education dataset through the same commands as the demo (`leadscore --config ... run`):
the leakage check flags the sales-filled columns, the honest model trains and scores in SQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import REPOSITORY, copy_project

CSV = Path(
    os.environ.get(
        "LEADSCORE_X_EDUCATION_CSV", REPOSITORY.parent / "shared" / "data" / "x_education" / "Leads.csv"
    )
)
FLAGGED = {"lead_number", "tags", "lead_quality", "lead_profile"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    if not CSV.exists():
        if os.environ.get("LEADSCORE_REQUIRE_X_EDUCATION") == "1":
            pytest.fail(f"LEADSCORE_REQUIRE_X_EDUCATION=1 but {CSV} does not exist")
        pytest.skip(f"{CSV} not here (it lives in ../shared beside the checkout)")
    project = copy_project(tmp_path_factory.mktemp("x_education") / "project")
    example = project / "examples" / "x_education"
    example.mkdir(parents=True)
    config = yaml.safe_load((REPOSITORY / "examples" / "x_education" / "leadscore.yml").read_text())
    config["source"]["csv"] = str(CSV)
    (example / "leadscore.yml").write_text(yaml.safe_dump(config))
    return project


def _leadscore(project: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("LEADSCORE_", "DBT_"))
    }
    environment |= {"LEADSCORE_PROJECT_DIR": str(project), "COLUMNS": "200"}
    command = [
        str(Path(sys.executable).parent / "leadscore"),
        "--config",
        str(project / "examples/x_education/leadscore.yml"),
        *arguments,
    ]
    result = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(arguments)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def _query(project: Path, sql: str):
    import duckdb

    with duckdb.connect(str(project / "warehouse" / "x_education.duckdb"), read_only=True) as connection:
        return connection.sql(sql).df()


def test_documented_command_trains_and_scores_honestly(project):
    result = _leadscore(project, "run")
    output = result.stdout + result.stderr
    assert "SQL parity" in output
    metrics = _query(project, "select * from monitoring.lead_tier_conversion where split = 'test'")
    assert metrics["snapshots"].sum() == 1386
    scores = _query(
        project,
        "select s.*, t.is_converted_in_window from scoring.lead_training_scores s join features.lead_table_training_set t using (lead_id) where t.split = 'test'",
    )
    assert len(scores) == 1386 and scores["champion_probability"].notna().all()
    # The served model has learnt from every labelled lead, the test split's too: its honest figures are
    # the walk-forward backtest and the procedure as of the test split's start, both in its metrics.
    artifacts = project / "examples" / "x_education" / ".leadscore" / "x_education" / "artifacts"
    champion = json.loads((artifacts / "registry.json").read_text())["champion"]
    metrics = json.loads((artifacts / "models" / champion / "metrics.json").read_text())
    walk_forward, test = metrics["walk_forward"]["auc"]["mean"], metrics["test"]["roc_auc"]
    for auc in (walk_forward, test):  # honest: below the public 0.88-0.96 that keep sales-filled columns
        assert 0.85 < auc < 0.96, (walk_forward, test)
    assert len(metrics["walk_forward"]["periods"]) == 6
    assert "Walk-forward ROC-AUC per period" in output
    reasons = _query(
        project,
        "select count(distinct lead_id) as leads, count(*) filter (where reason_text is null) as blank from scoring.lead_score_reasons",
    )
    assert reasons["blank"][0] == 0 and reasons["leads"][0] > 9000
    features = _query(project, "select * from features.lead_table_features")
    assert not FLAGGED & set(features.columns)


def test_leakage_check_flags_the_sales_filled_columns(project):
    config_path = project / "examples/x_education/leadscore.yml"
    config = yaml.safe_load(config_path.read_text())
    config["exclude"] = []
    leaky = project / "examples/x_education/leaky.yml"
    leaky.write_text(yaml.safe_dump({**config, "name": "x_education_leaky"}))
    environment = [str(leaky)]
    refused = subprocess.run(
        [str(Path(sys.executable).parent / "leadscore"), "--config", *environment, "run"],
        cwd=project,
        env={k: v for k, v in os.environ.items() if not k.startswith(("LEADSCORE_", "DBT_"))}
        | {"LEADSCORE_PROJECT_DIR": str(project), "COLUMNS": "200"},
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    message = refused.stdout + refused.stderr
    for feature in FLAGGED:
        assert feature in message, feature
    assert "leakage check failed" in message
    allowed = subprocess.run(
        [
            str(Path(sys.executable).parent / "leadscore"),
            "--config",
            str(leaky),
            "train",
            "--allow-leakage",
            "--backtest-periods",
            "2",
        ],
        cwd=project,
        env={k: v for k, v in os.environ.items() if not k.startswith(("LEADSCORE_", "DBT_"))}
        | {"LEADSCORE_PROJECT_DIR": str(project), "COLUMNS": "200"},
        capture_output=True,
        text=True,
    )
    assert allowed.returncode == 0, allowed.stderr[-3000:]
    aucs = [
        float(line.split("│")[1])
        for line in allowed.stderr.splitlines()
        if line.strip().startswith(("gbm_", "logistic_")) and "│" in line
    ]
    assert aucs and min(aucs) > 0.95  # with the sales-filled columns the score looks too good to be true
    assert np.isfinite(aucs).all()
